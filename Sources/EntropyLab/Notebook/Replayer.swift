import EntropyCore

/// Runs a notebook's cells in a session, and compares what they print now
/// with what the notebook recorded.
///
/// Every cell goes through `Session.execute(_:)`, as a typed line would,
/// under the replay's `FileAccessPolicy` mode (safe by default). Before
/// each cell the replay refuses file commands by name when no folder is
/// allowed (so even a command that forgot to consult the policy cannot touch
/// a file); under `--allow-writes` the commands check each path themselves.
/// Outputs are regenerated in the notebook style (`OutputStyle.notebook`:
/// plain, 80 columns, whatever the terminal) from each cell's reports and
/// compared with `OutputComparer`: words exactly, numbers within the cell's
/// tolerance.
///
/// The session's `fileAccess.mode` is restored afterwards, and a `quit` in
/// the notebook ends the replay, not the session.
public enum Replayer {
  /// Replays `notebook` in `session`.
  ///
  /// When the notebook's header has a seed and the session's generator is
  /// not freshly seeded with it, a `seed n` cell runs first, so sampled
  /// steps reproduce the recorded ones (and a later `save` records it).
  public static func replay(_ notebook: Notebook, in session: Session, options: ReplayOptions = ReplayOptions())
    -> ReplayOutcome
  {
    let outerMode = session.fileAccess.mode
    let access = session.fileAccess.restricting(options.access)
    session.fileAccess.mode = access
    defer { session.fileAccess.mode = outerMode }
    var outcome = ReplayOutcome(notebook: notebook, options: options, access: access, seedCell: nil, cells: [])
    addProse(of: notebook, before: 0, to: session)
    if let seed = notebook.header?.seed,
      !(session.state.seed == seed && session.state.generator == SplitMix64(seed: seed))
    {
      outcome.seedCell = session.execute("seed \(seed)")
    }
    var previousNumber: (number: Int, index: Int)?
    for (index, cell) in notebook.cells.enumerated() {
      var numbering: [Mismatch] = []
      if let number = cell.number {
        let expected = previousNumber.map { $0.number + index - $0.index } ?? index + 1
        if number != expected {
          numbering.append(
            Mismatch(kind: .cellNumber(expected: expected, found: number), path: notebook.path, line: cell.line))
        }
        previousNumber = (number, index)
      }
      if outcome.stopReason == nil, let spent = RunBudget.exhausted, RunBudget.timeIsUp {
        outcome.stopReason = "stopped before \(notebook.path):\(cell.line): \(spent)"
      } else if outcome.stopReason == nil && index > 0 && session.isInterrupted() {
        outcome.stopReason = "interrupted (Ctrl-C) before \(notebook.path):\(cell.line)"
      }
      guard outcome.stopReason == nil else {
        outcome.cells.append(
          .init(cell: cell, ran: false, result: nil, output: "", mismatches: [], refusals: [], failed: false))
        continue
      }
      if index > 0 { addProse(of: notebook, before: index, to: session) }
      var replayed = run(cell, notebook: notebook, session: session)
      switch options.mode {
      case .check:
        replayed.mismatches = numbering + replayed.mismatches
        replayed.failed = !replayed.mismatches.isEmpty
      case .accept:
        replayed.failed = !replayed.refusals.isEmpty
      case .run:
        break
      }
      outcome.cells.append(replayed)
      if replayed.result?.quit ?? false {
        session.quitRequested = false
        outcome.stopReason = "the notebook quit at \(notebook.path):\(cell.line)"
      } else if replayed.failed && options.bail {
        outcome.stopReason = "stopped at the first failure, \(notebook.path):\(cell.line) (--bail)"
      }
    }
    if outcome.stopReason == nil && !notebook.cells.isEmpty {
      addProse(of: notebook, before: notebook.cells.count, to: session)
    }
    return outcome
  }

  /// Brings the notebook's prose that comes before cell `index` into the
  /// session, as if a `note` had been typed there (the paragraph `save`
  /// writes under the header stays out, so a saved session replays without
  /// repeating it).
  private static func addProse(of notebook: Notebook, before index: Int, to session: Session) {
    for piece in notebook.prose where piece.beforeCell == index {
      if let text = NotebookWriter.withoutSavedIntro(piece.text) { session.addProse(text) }
    }
  }

  /// Runs one cell and compares its output with the recorded one.
  private static func run(
    _ cell: NotebookCell, notebook: Notebook, session: Session
  ) -> ReplayOutcome.Cell {
    let firstRefusal = session.fileAccess.refusals.count
    let result = refusedBeforeRunning(cell.command, session: session) ?? session.execute(cell.command)
    session.fileAccess.locateRefusals(from: firstRefusal, at: "\(notebook.path):\(cell.line)")
    let refusals = Array(session.fileAccess.refusals[firstRefusal...])
    let output = result.map { Renderer.render($0.reports, error: $0.error, style: .notebook) } ?? ""
    let mismatches = OutputComparer.compare(
      expected: cell.numberedOutput, got: output, tolerance: notebook.tolerance(for: cell), path: notebook.path,
      anchor: cell.line)
    let unexpectedError = result?.error != nil && !cell.recordedError
    return ReplayOutcome.Cell(
      cell: cell, ran: true, result: result, output: output, mismatches: mismatches, refusals: refusals,
      failed: !refusals.isEmpty || unexpectedError)
  }

  /// An error cell for a file command that the policy refuses by name,
  /// without running it (it is not added to the session's cells: `save`
  /// would leave it out anyway).
  private static func refusedBeforeRunning(_ line: String, session: Session) -> CellResult? {
    guard let first = (try? Tokenizer.split(line))?.first?.text, let command = try? session.table.resolve(first),
      let error = session.fileAccess.refusalBeforeRunning(
        command.name, as: command.aliases.contains(first) ? first : command.name)
    else { return nil }
    return CellResult(
      number: session.nextCellNumber, input: line, reports: [], error: error,
      output: Renderer.render([], error: error, style: session.style), quit: false)
  }
}
