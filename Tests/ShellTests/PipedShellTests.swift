import Foundation
import Testing

/// The shell with stdin not a terminal: scripts, exit status, --bail,
/// --json, a closed reader, no colour.
@Suite struct PipedShellTests {
  static let failingScript = """
    policy arms 3
    # a comment, then a typo
    polcy arms 4
    rewards 1 0 0
    show
    """

  @Test func aFailingCommandPrintsItsErrorAndExitsOne() throws {
    let run = try PipedRun.run(input: Self.failingScript)
    #expect(run.status == 1)
    #expect(run.stdout.contains("error: 'polcy' is not a command; did you mean 'policy'?"))
    // The run goes on after the error: `rewards` and `show` ran.
    #expect(run.stdout.contains("rewards: state 0"))
    #expect(run.stderr == "entropy-lab: 1 command failed (first at line 3 of standard input)\n")
    // No prompt decoration and no colour in piped mode.
    #expect(!run.stdout.contains("]> "))
    #expect(!run.stdout.contains("\u{1B}["))
  }

  @Test func bailStopsAtTheFirstFailure() throws {
    let run = try PipedRun.run(["--bail"], input: Self.failingScript)
    #expect(run.status == 1)
    #expect(run.stdout.contains("'polcy' is not a command"))
    #expect(!run.stdout.contains("rewards: state 0"))
    #expect(run.stderr.contains("stopped there (--bail)"))
  }

  @Test func aScriptWithoutErrorsExitsZero() throws {
    let run = try PipedRun.run(input: "policy arms 2\nrewards 1 0\nstep 2\n")
    #expect(run.status == 0)
    #expect(run.stderr.isEmpty)
    #expect(run.stdout.hasPrefix("policy: 1 state × 2 arms"))
  }

  @Test func quitEndsTheRunQuietly() throws {
    let run = try PipedRun.run(input: "policy arms 2\nquit\nbogus\n")
    #expect(run.status == 0)
    #expect(!run.stdout.contains("bogus"))
    #expect(run.stderr.isEmpty)
  }

  @Test func echoShowsEachCommandBeforeItsOutput() throws {
    let run = try PipedRun.run(["--echo"], input: "policy arms 2\n\nrewards 1 0\n")
    #expect(run.status == 0)
    #expect(run.lines.first == "[1]> policy arms 2")
    #expect(run.lines.contains("[2]> rewards 1 0"))
  }

  @Test func aScriptFileIsReadLikePipedInput() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let script = try folder.write("script.txt", Self.failingScript)
    let run = try PipedRun.run([script], input: "")
    #expect(run.status == 1)
    #expect(run.stdout.contains("rewards: state 0"))
    #expect(run.stderr.contains("first at line 3 of \(script)"))
    let missing = try PipedRun.run([folder.path + "/missing.txt"], input: "")
    #expect(missing.status == 66)
    #expect(missing.stderr.contains("cannot open the script"))
  }

  @Test func jsonPrintsOneObjectPerLine() throws {
    let run = try PipedRun.run(
      ["--json"], input: "policy arms 3\nrewards 1 0 0\nlr 0.5\nstep 2\npredict\nbogus\n")
    #expect(run.status == 1)
    #expect(!run.lines.isEmpty)
    var objects: [[String: Any]] = []
    for line in run.lines {
      let parsed = try? JSONSerialization.jsonObject(with: Data(line.utf8))
      let object = try #require(parsed as? [String: Any], "not a JSON object: \(line.debugDescription)")
      objects.append(object)
    }
    let steps = objects.filter { $0["entropy_after"] != nil }
    #expect(steps.count == 2)
    let stepKeys = [
      "entropy_before", "entropy_after", "entropy_change", "first_order", "second_order", "path_integral",
      "expected_reward",
    ]
    for step in steps {
      for key in stepKeys { #expect(step[key] is Double || step[key] is NSNumber, "step lacks \(key): \(step)") }
    }
    let predict = try #require(objects.first { $0["kind"] as? String == "predict" })
    for key in ["entropy_before", "first_order", "second_order", "path_integral", "expected_reward"] {
      #expect(predict[key] != nil, "predict lacks \(key)")
    }
    #expect(predict["entropy_after"] == nil)
    #expect(objects.last?["error"] is String)
  }

  @Test func aClosedReaderEndsTheRunQuietly() throws {
    // Far more output than a pipe holds, so the shell writes after the
    // reader has gone.
    let script = "policy arms 4\n" + String(repeating: "help\n", count: 3000)
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let inputPath = try folder.write("input.txt", script)
    let errPath = try folder.write("stderr.txt", "")
    let output = Pipe()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try ShellBinary.path())
    process.environment = ShellBinary.environment([:])
    process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    try process.run()
    // Like `head -1`: read the first line, then close the pipe.
    var first = Data()
    while !first.contains(UInt8(ascii: "\n")) {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      first.append(chunk)
    }
    try output.fileHandleForReading.close()
    try PipedRun.waitForExit(process, timeout: 60)
    #expect(String(decoding: first, as: UTF8.self).hasPrefix("policy: 1 state × 4 arms"))
    #expect(process.terminationReason == .exit, "killed by signal \(process.terminationStatus)")
    #expect(process.terminationStatus == 0)
    let stderr = try String(contentsOfFile: errPath, encoding: .utf8)
    #expect(stderr.isEmpty, "stderr: \(stderr)")
  }
}
