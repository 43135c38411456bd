import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The shell over piped input or a script file: each line is a cell, its
/// output follows on stdout (errors included, so a transcript is complete),
/// no prompt and no colour.
///
/// Exit status: 0 when every command succeeded, 1 when any failed
/// (`--bail` stops at the first; a `replay` whose notebook failed counts
/// as failed), 74 when the output or the input failed (a full disk,
/// `> /dev/full`, a read error), with one message on standard error.
/// `quit` ends the run. A closed reader (`… | head -1`) ends it quietly.
struct PipedShell {
  /// The session the lines run in.
  let session: Session
  /// Where lines come from.
  var source: PipedLineSource
  /// The input's name for messages: a path, or "standard input".
  let inputName: String
  /// Stop at the first failure.
  let bail: Bool
  /// Print `[n]> line` before each cell's output.
  let echo: Bool

  /// Runs every line; returns the exit status.
  mutating func run() -> Int32 {
    var out = StandardOutput()
    var failures = 0
    var firstFailure = 0
    while let line = source.nextLine(prompt: "") {
      Interruption.reset()
      guard let cell = session.execute(line) else { continue }
      if echo { out.writeLine("[\(cell.number)]> \(TerminalText.visible(line))") }
      if !cell.output.isEmpty { out.writeLine(cell.output) }
      if out.isBroken { break }
      if cell.failed {
        failures += 1
        if firstFailure == 0 { firstFailure = source.lineNumber }
        if bail { break }
      }
      if cell.quit { break }
    }
    let readFailure = source.readFailure
    source.finish()
    if let status = out.reportFailure() { return status }
    if let readFailure {
      StandardOutput.warn("cannot read \(inputName): \(String(cString: strerror(readFailure)))")
      return StandardStreams.ioErrorStatus
    }
    if failures > 0 && !out.isBroken {
      let what = failures == 1 ? "1 command failed" : "\(failures) commands failed"
      let stopped = bail ? "; stopped there (--bail)" : ""
      guard StandardOutput.warn("\(what) (first at line \(firstFailure) of \(inputName))\(stopped)") else {
        return StandardStreams.ioErrorStatus
      }
    }
    return failures > 0 ? 1 : 0
  }
}
