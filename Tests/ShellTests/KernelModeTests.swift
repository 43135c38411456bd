import EntropyLab
import Foundation
import Testing

/// `entropy-lab --kernel`: one JSON object per input line, the notebook
/// style, SIGINT stopping a long command with the session kept.
@Suite struct KernelModeTests {
  func frames(_ run: PipedRun) throws -> [JSONValue] {
    try run.lines.map { try JSONParser.parse($0) }
  }

  @Test func everyLineGetsExactlyOneObject() throws {
    let run = try PipedRun.run(
      ["--kernel"], input: "policy arms 2\n\n# prose\nfrobnicate\nstep 2\nplot entropy\nquit\nshow\n")
    #expect(run.status == 0)
    let objects = try frames(run)
    #expect(objects.count == 7, "quit ends the process: 'show' is not read")
    #expect(objects[0]["cell"] == .int(1))
    #expect(objects[0]["command"] == .string("policy arms 2"))
    #expect(objects[0]["failed"] == .bool(false))
    #expect(objects[1]["cell"] == .null)
    #expect(objects[2]["cell"] == .null)
    #expect(objects[3]["failed"] == .bool(true))
    if case .string(let text) = objects[3]["text"] { #expect(text.hasPrefix("error:")) }
    #expect(objects[4]["svg"] == nil)
    guard case .array(let svgs) = objects[5]["svg"], case .string(let svg) = svgs.first else {
      Issue.record("plot entropy gave no SVG: \(objects[5].serialized)")
      return
    }
    #expect(svg.hasPrefix("<svg"))
    #expect(objects[6]["quit"] == .bool(true))
    #expect(run.stderr.isEmpty, "kernel mode says everything in its objects")
  }

  @Test func textIsTheNotebookStyleAtEightyColumns() throws {
    let run = try PipedRun.run(["--kernel"], input: "policy arms 40\nshow\n", environment: ["COLUMNS": "200"])
    let objects = try frames(run)
    guard case .string(let text) = objects[1]["text"] else {
      Issue.record("no text")
      return
    }
    #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 })
  }

  @Test func kernelRefusesFlagsThatWouldChangeItsFraming() throws {
    for flag in ["--json", "--echo", "--bail"] {
      let run = try PipedRun.run(["--kernel", flag], input: "")
      #expect(run.status == 64)
      #expect(run.stderr.contains("--kernel cannot be combined with \(flag)"))
    }
  }

  @Test func sigintStopsALongCommandAndTheSessionGoesOn() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let outPath = try folder.write("out.txt", "")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try ShellBinary.path())
    process.arguments = ["--kernel"]
    process.environment = ShellBinary.environment([:])
    let input = Pipe()
    process.standardInput = input
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = FileHandle.nullDevice
    try process.run()
    func lines() throws -> [String] {
      try String(contentsOfFile: outPath, encoding: .utf8).split(separator: "\n").map(String.init)
    }
    func waitFor(_ count: Int, seconds: Double) throws -> [String] {
      let deadline = Date().addingTimeInterval(seconds)
      while try lines().count < count && Date() < deadline { usleep(20_000) }
      return try lines()
    }
    input.fileHandleForWriting.write(Data("policy arms 3\n".utf8))
    #expect(try waitFor(1, seconds: 30).count == 1)
    input.fileHandleForWriting.write(Data("step 10000000\n".utf8))
    usleep(500_000)
    let sent = Date()
    process.interrupt()  // SIGINT
    let afterInterrupt = try waitFor(2, seconds: 30)
    #expect(Date().timeIntervalSince(sent) < 20, "stopped between steps, not at the end")
    guard afterInterrupt.count == 2 else {
      Issue.record("no answer after SIGINT: \(afterInterrupt)")
      process.terminate()
      return
    }
    let stopped = try JSONParser.parse(afterInterrupt[1])
    if case .string(let text) = stopped["text"] { #expect(text.contains("interrupted after")) }
    input.fileHandleForWriting.write(Data("step 1\n".utf8))
    let after = try waitFor(3, seconds: 30)
    #expect(after.count == 3)
    if after.count == 3 { #expect(try JSONParser.parse(after[2])["cell"] == .int(3), "same process, same session") }
    try input.fileHandleForWriting.close()
    try PipedRun.waitForExit(process, timeout: 30)
    #expect(process.terminationStatus == 0)
  }

  /// A driver killed with SIGKILL mid-command (a Jupyter kernel restart)
  /// leaves no `entropy-lab` behind: the kernel notices its new parent and
  /// ends. The driver here is a shell that starts the kernel in the
  /// background on its own standard input and prints its pid.
  @Test func theKernelEndsWhenItsDriverIsKilled() throws {
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = ["-c", #"exec 3<&0; "$0" --kernel <&3 >/dev/null 2>&1 & echo $!; wait"#, try ShellBinary.path()]
    shell.environment = ShellBinary.environment([:])
    let input = Pipe()
    let output = Pipe()
    shell.standardInput = input
    shell.standardOutput = output
    shell.standardError = FileHandle.nullDevice
    try shell.run()
    var pidText = ""
    while !pidText.hasSuffix("\n") {
      let byte = output.fileHandleForReading.readData(ofLength: 1)
      guard !byte.isEmpty else { break }
      pidText += String(decoding: byte, as: UTF8.self)
    }
    guard let pid = pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
      Issue.record("no pid from the driver: \(pidText)")
      shell.terminate()
      return
    }
    input.fileHandleForWriting.write(Data("policy arms 3\nrewards 1 0 0\nstep 10000000\n".utf8))
    usleep(500_000)
    #expect(Self.isAlive(pid), "the kernel runs the long step")
    kill(shell.processIdentifier, SIGKILL)
    // Not `waitUntilExit` first: Foundation's wait for the shell returns
    // only once the kernel, which shares its descriptors, is gone too.
    let deadline = Date().addingTimeInterval(10)
    while Self.isAlive(pid) && Date() < deadline { usleep(50_000) }
    let alive = Self.isAlive(pid)
    #expect(!alive, "entropy-lab \(pid) still runs 10 s after its driver was killed")
    if alive { kill(pid, SIGKILL) }
    // Its input pipe stays open here until now: the kernel did not end at EOF.
    try input.fileHandleForWriting.close()
    shell.waitUntilExit()
  }

  /// Whether `pid` is a running process (a zombie waiting for its new
  /// parent to reap it has ended).
  static func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
    return state != "Z" && state != "X"
  }
}
