import EntropyLab

/// The shell at a terminal: a banner, a `[n]>` readline prompt per cell,
/// Ctrl-C that never kills it, and a progress line for long commands.
struct InteractiveShell {
  /// The session the lines run in.
  let session: Session
  /// The readline prompt.
  var source: ReadlineLineSource
  /// Whether stdout is a terminal (for the progress line).
  let stdoutIsTerminal: Bool
  /// Where the output's width comes from (asked before every cell, so a
  /// resized terminal is followed).
  let width: TerminalWidth

  /// The greeting, two lines.
  static let banner = """
    entropy-lab: the entropy mechanism of policy-gradient RL, one cell at a time.
    Type 'help' for the commands, Tab to complete, Ctrl-D or 'quit' to leave.
    """

  /// Runs until Ctrl-D or `quit` (exit status 0), or until SIGHUP or
  /// SIGTERM (the process then dies of that signal, history saved). When
  /// the output cannot be written (the terminal gone, `> /dev/full`), it
  /// stops reading, saves the history and returns 74 (EX_IOERR) with one
  /// message on standard error, as the piped shell does; a closed reader
  /// (EPIPE) ends it quietly with 0.
  mutating func run() -> Int32 {
    Interrupt.installHandlers()
    var out = StandardOutput()
    let progress = ProgressLine()
    if stdoutIsTerminal {
      session.progress = { done, total in progress.report(done: done, total: total) }
      session.runProgress = { done, total in progress.report(done: done, total: total, unit: "run") }
    }
    out.writeLine(InteractiveShell.banner)
    // A multi-line `note` gets its own prompt until its closing '.'.
    func prompt() -> String { session.isWritingNote ? "note> " : "[\(session.nextCellNumber)]> " }
    while !out.isBroken && !Interrupt.isEnding, let line = source.nextLine(prompt: prompt()) {
      Interruption.reset()
      session.style.width = width.current()
      progress.start()
      guard let cell = session.execute(line) else { continue }
      progress.clear()
      if !cell.output.isEmpty { out.writeLine(cell.output) }
      if cell.quit { break }
    }
    source.finish()
    Interrupt.endBySignal()
    return out.reportFailure() ?? 0
  }
}
