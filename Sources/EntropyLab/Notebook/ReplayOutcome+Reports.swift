/// A replay's outcome in words: the transcript the shell shows, the
/// mismatches `--check` prints, and the closing summary.
extension ReplayOutcome {
  /// The shell's view of a replay: a heading, every cell as
  /// `FILE:LINE> command` with its output, then the summary, the refusals
  /// and why it stopped early.
  public func transcript(style: OutputStyle) -> [Report] {
    let path = notebook.path
    var reports: [Report] = [
      .message("replay \(path): \(count(cells.count, "cell")), \(FileAccessPolicy(mode: access).modeDescription)")
    ]
    if let seedCell {
      reports.append(.message("\(path)> \(seedCell.input)"))
      reports += ReplayOutcome.reports(of: seedCell, style: style)
    }
    for cell in cells where cell.ran {
      reports.append(.message("\(path):\(cell.cell.line)> \(cell.cell.command)"))
      if let result = cell.result { reports += ReplayOutcome.reports(of: result, style: style) }
    }
    reports.append(.message(summary))
    return reports + closingNotes
  }

  /// `--check`'s report: every mismatch at `FILE:LINE` with the expected
  /// and regenerated lines, the refusals, and the pass/fail count.
  public var checkReport: [Report] {
    mismatches.map { .message($0.message) } + closingNotes + [.message(summary)]
  }

  /// The refusals, listed at the end of every replay, and why it stopped early.
  public var closingNotes: [Report] {
    var notes: [Report] = []
    let refused = refusals
    if !refused.isEmpty {
      notes.append(.warning("\(notebook.path): refused \(count(refused.count, "file command")) (safe mode):"))
      for r in refused { notes.append(.message("  \(r.location ?? notebook.path): \(r.reason)")) }
    }
    if let stopReason {
      notes.append(.warning("\(stopReason); \(count(notRun, "cell")) not run"))
    }
    return notes
  }

  /// One line: what the replay did, in its mode's words.
  public var summary: String {
    let path = notebook.path
    switch options.mode {
    case .check:
      var text = "\(path): \(count(cells.count, "cell")): \(passed) passed, \(failed) failed"
      if notRun > 0 { text += ", \(notRun) not run" }
      return text + (succeeded ? "" : " (FAIL)")
    case .accept:
      let changed = regenerated.changedCells
      return "\(path): \(changed) of \(count(cells.count, "cell")) changed"
    case .run:
      let ran = cells.filter(\.ran)
      let differing = ran.filter { !$0.mismatches.isEmpty }
      var text = "replay \(path): \(ran.count) of \(count(cells.count, "cell")) run"
      text +=
        differing.isEmpty
        ? ", every output as recorded"
        : "; \(ran.count - differing.count) as recorded, \(differing.count) differ"
          + " (first at \(path):\(differing[0].mismatches[0].line))"
      let errors = ran.filter { $0.result?.error != nil }.count
      if errors > 0 { text += "; \(count(errors, "error"))" }
      return text
    }
  }

  /// A nested cell's reports, with its error as a report (text as
  /// `Renderer` draws it, JSON as `{"error": …}`).
  static func reports(of cell: CellResult, style: OutputStyle) -> [Report] {
    guard let error = cell.error else { return cell.reports }
    // Plain, without colour: the record's text is shown as it is, and its
    // escape sequences would be made visible (`TerminalText`).
    var text = OutputStyle.plain
    text.unicode = style.unicode
    var fields: [(String, JSONValue)] = [("error", .string(error.message))]
    if let expected = error.expected { fields.append(("expected", .string(expected))) }
    return cell.reports + [.record(text: Renderer.render(error, style: text), json: fields)]
  }

  private func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
