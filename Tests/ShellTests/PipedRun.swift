import Foundation
import Testing

/// One run of `entropy-lab` with piped stdin, its outputs captured in files
/// (no pipe can fill up and block it), killed if it outlives `timeout`.
struct PipedRun {
  /// Exit status (or signal number when `signaled`).
  var status: Int32
  /// Whether it ended by a signal.
  var signaled: Bool
  var stdout: String
  var stderr: String

  /// The lines of stdout, empty ones included.
  var lines: [String] {
    var lines = stdout.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    return lines
  }

  /// Runs the shell with `arguments`, `input` on stdin.
  static func run(
    _ arguments: [String] = [], input: String, environment: [String: String] = [:], timeout: Double = 60
  ) throws -> PipedRun {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let inputPath = try folder.write("input.txt", input)
    let outPath = try folder.write("stdout.txt", "")
    let errPath = try folder.write("stderr.txt", "")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try ShellBinary.path())
    process.arguments = arguments
    process.environment = ShellBinary.environment(environment)
    process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    try process.run()
    try waitForExit(process, timeout: timeout)
    return PipedRun(
      status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
      stdout: try String(contentsOfFile: outPath, encoding: .utf8),
      stderr: try String(contentsOfFile: errPath, encoding: .utf8))
  }

  /// Waits for `process`, killing it and failing after `timeout` seconds.
  static func waitForExit(_ process: Process, timeout: Double) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
      Issue.record("entropy-lab did not finish within \(timeout) s")
      throw CancellationError()
    }
  }
}
