import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Issue 11, findings 1 and 6, through the real binary: exit codes that
/// tell the truth (74 for a failed write to standard output, 66 for a
/// folder as the script, 65 for a file with no cells, 1 for a failed
/// `replay` cell), and `/dev/stdout` never replacing the transcript.
@Suite struct ExitCodeTests {
  /// Runs the binary with `input` on stdin and stdout going to `stdoutPath`
  /// (e.g. `/dev/full`); returns the status and standard error.
  static func run(
    _ arguments: [String], input: String, stdoutPath: String, stderrPath: String? = nil, in folder: TemporaryFolder
  ) throws -> (status: Int32, stderr: String) {
    let inputPath = try folder.write("stdin-\(UUID().uuidString)", input)
    let errPath = try stderrPath ?? folder.write("stderr-\(UUID().uuidString)", "")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try ShellBinary.path())
    process.arguments = arguments
    process.environment = ShellBinary.environment([:])
    process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
    process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
    process.standardOutput = try #require(FileHandle(forWritingAtPath: stdoutPath))
    process.standardError = try #require(FileHandle(forWritingAtPath: errPath))
    try process.run()
    try PipedRun.waitForExit(process, timeout: 60)
    return (process.terminationStatus, stderrPath == nil ? try String(contentsOfFile: errPath, encoding: .utf8) : "")
  }

  static let hasDevFull = FileManager.default.fileExists(atPath: "/dev/full")

  /// `printf 'bogus\n' | entropy-lab > /dev/full` exited 0 with nothing
  /// printed; now 74 and one message, also with --bail and in `replay`.
  @Test(.enabled(if: hasDevFull, "needs /dev/full"))
  func aFailedWriteToStandardOutputExits74WithOneMessage() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let notebook = try folder.write("ok.md", "```lab\n> policy arms 2\n```\n")
    let cases: [([String], String)] = [
      ([], "bogus\n"), (["--bail"], "bogus\n"), ([], "policy arms 2\nstep 3\n"),
      (["replay", notebook], ""), (["replay", "--check", notebook], ""), (["--help"], ""),
    ]
    for (arguments, input) in cases {
      let (status, stderr) = try Self.run(arguments, input: input, stdoutPath: "/dev/full", in: folder)
      #expect(status == 74, "\(arguments): \(stderr)")
      let messages = stderr.components(separatedBy: "cannot write to standard output").count - 1
      #expect(messages == 1, "\(arguments): \(stderr)")
    }
  }

  /// Standard error that cannot be written (the failure summary, a
  /// replay's diagnostics) ends with 74 too.
  @Test(.enabled(if: hasDevFull, "needs /dev/full"))
  func aFailedWriteToStandardErrorExits74() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let notebook = try folder.write("ok.md", "```lab\n> policy arms 2\n```\n")
    let output = try folder.write("stdout.txt", "")
    for (arguments, input) in [([String](), "bogus\n"), (["replay", notebook], "")] {
      let (status, _) = try Self.run(arguments, input: input, stdoutPath: output, stderrPath: "/dev/full", in: folder)
      #expect(status == 74, "\(arguments)")
    }
  }

  @Test func aFolderAsTheScriptExits66() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let run = try PipedRun.run([folder.path], input: "")
    #expect(run.status == 66)
    #expect(run.stderr.contains("cannot open the script \(folder.path): it is a folder, not a script"))
  }

  @Test func aFileWithNoCellsExits65() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let license = try folder.write("LICENSE", "MIT License\n\nCopyright …\n")
    let run = try PipedRun.run(["replay", "--check", license], input: "")
    #expect(run.status == 65)
    #expect(run.stderr.contains("has no cells: not a notebook"))
  }

  @Test func aFailedReplayCellFailsTheScript() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let bad = try folder.write("bad.md", "```lab\n> policy arms 5\n> bogus\n```\n")
    let run = try PipedRun.run([], input: "replay \(bad)\npolicy arms 2\n")
    #expect(run.status == 1)
    #expect(run.stderr.contains("1 command failed (first at line 1 of standard input)"))
    let bailed = try PipedRun.run(["--bail"], input: "replay \(bad)\npolicy arms 2\n")
    #expect(bailed.status == 1)
    #expect(!bailed.stdout.contains("1 state × 2 arms"))
  }

  /// `export csv /dev/stdout` with stdout redirected to a file replaced
  /// that file (the transcript was lost); now it is refused.
  @Test func exportingToStandardOutputKeepsTheTranscript() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let transcript = try folder.write("transcript.txt", "")
    let (status, _) = try Self.run(
      [], input: "policy arms 2\nstep\nexport csv /dev/stdout\nsave transcript.txt\nshow\n",
      stdoutPath: transcript, in: folder)
    #expect(status == 1)
    let text = try String(contentsOfFile: transcript, encoding: .utf8)
    #expect(text.hasPrefix("policy: 1 state × 2 arms"), "\(text)")
    #expect(text.contains("'/dev/stdout' is where this program's standard output goes"))
    #expect(text.contains("'transcript.txt' is where this program's standard output goes"))
    #expect(!text.contains("step,entropy_before"))
  }
}
