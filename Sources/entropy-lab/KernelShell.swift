import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `entropy-lab --kernel`: the shell framed for a program that drives it
/// (the Jupyter kernel in `python/`). Each line read from standard input
/// runs as a shell line, and exactly one JSON object (`KernelFrame`) per
/// line answers it on standard output, so the driver writes a line, reads
/// one line back, and never parses prompts.
///
/// The output is in the notebook style (plain, 80 columns, ASCII plots in
/// `text`, each plot also as SVG in `svg`), so it compares with recorded
/// notebooks by `replay --check`'s rules. SIGINT stops a long command
/// between steps, as Ctrl-C does at the terminal; the session lives on.
/// The interrupt flag is cleared before each line is read, so a SIGINT
/// that arrives while the driver is sending the next line still stops it.
///
/// Exit status: 0 at the end of the input or after `quit`, 1 after a line
/// over 1 MiB (reading stops there), 74 when the output or the input
/// failed. SIGTERM and SIGHUP end it at once (their default), and so does
/// the death of the driver, even mid-command (`ParentWatch`).
struct KernelShell {
  /// The session the lines run in.
  let session: Session
  /// Where lines come from (standard input).
  var source: PipedLineSource

  /// Runs every line; returns the exit status.
  mutating func run() -> Int32 {
    Interrupt.installInterruptHandler()
    ParentWatch.start()
    var out = StandardOutput()
    while !out.isBroken {
      Interruption.reset()
      guard let line = source.nextLine(prompt: "") else { break }
      let cell = session.execute(line)
      out.writeLine(KernelFrame.json(for: cell, line: line).serialized)
      if cell?.quit ?? false { break }
    }
    let readFailure = source.readFailure
    let overlong = source.overlongLine
    source.finish()
    if let status = out.reportFailure() { return status }
    if let overlong {
      StandardOutput.warn(
        "line \(overlong) of standard input is longer than \(InputLine.maxBytes) bytes (1 MiB), the most a line "
          + "may have; nothing more was read")
      return 1
    }
    if let readFailure {
      StandardOutput.warn("cannot read standard input: \(String(cString: strerror(readFailure)))")
      return StandardStreams.ioErrorStatus
    }
    return 0
  }
}
