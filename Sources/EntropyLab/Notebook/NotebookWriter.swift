/// Writes notebooks: a whole session for `save`, and a notebook with new
/// recorded outputs for `--accept` and `replay` (which prints one).
///
/// `save` writes numbered prompts, `[n]> command`, numbered 1, 2, 3 … in
/// the notebook (not the session's numbers, since file commands are left
/// out), so `--check` can tell when a cell was removed or added. Outputs are
/// rendered in the notebook style (no colour, ASCII plots, text not JSON,
/// `OutputStyle.notebookWidth` columns) from each cell's reports, so a
/// session in `--json` mode or at any terminal width saves the same
/// readable notebook.
public enum NotebookWriter {
  /// Commands `save` leaves out: `save`, `replay`/`load` and `export` record,
  /// replay or export the session rather than compute (and would touch files
  /// when replayed); `quit` would end the replay early.
  public static let skippedCommands: Set<String> = ["save", "replay", "export", "quit"]

  /// The paragraph `save` writes under the header. A replay does not bring
  /// it into the session as prose, so saving a replayed notebook does not
  /// repeat it.
  public static let savedIntro = [
    "A session saved by entropy-lab. Replay it with `entropy-lab replay FILE`;",
    "check that it still gives these outputs with `entropy-lab replay --check FILE`.",
  ].joined(separator: "\n")

  /// `prose` without the paragraph `save` writes under the header (nil
  /// when nothing else is left).
  public static func withoutSavedIntro(_ prose: String) -> String? {
    guard prose.hasPrefix(savedIntro) else { return prose }
    let rest = prose.dropFirst(savedIntro.count).drop { $0.isNewline }
    return rest.isEmpty ? nil : String(rest)
  }

  /// The session's prose and cells as a notebook, and how many cells it
  /// holds: each run of consecutive cells is one `lab` block, and each piece
  /// of prose (`note`, `# comment`, a replayed notebook's prose) sits
  /// between blocks where it was written.
  public static func notebook(for session: Session) -> (text: String, cells: Int) {
    var lines = [
      "---",
      "entropy-lab: \(LabVersion.current)",
      "seed: \(session.initialSeed)",
      "tolerance: printed",
      "---",
      "",
      savedIntro,
      "",
    ]
    var written = 0
    var inBlock = false
    for entry in session.entries {
      switch entry {
      case .prose(let text):
        if inBlock {
          lines += ["```", ""]
          inBlock = false
        }
        lines += [text, ""]
      case .cell(let index):
        let cell = session.cells[index]
        guard !isSkipped(cell.input, table: session.table) else { continue }
        if !inBlock {
          lines.append("```lab")
          inBlock = true
        }
        written += 1
        lines.append("[\(written)]> " + cell.input)
        lines.append(contentsOf: outputLines(Renderer.render(cell.reports, error: cell.error, style: .notebook)))
      }
    }
    if inBlock {
      lines.append("```")
    } else if lines.last == "" {
      lines.removeLast()
    }
    return (lines.joined(separator: "\n") + "\n", written)
  }

  /// Whether `save` leaves the line out (see `skippedCommands`).
  public static func isSkipped(_ line: String, table: CommandTable) -> Bool {
    guard let first = (try? Tokenizer.split(line))?.first?.text else { return false }
    if let command = try? table.resolve(first) { return skippedCommands.contains(command.name) }
    return skippedCommands.contains(first)
  }

  /// A cell's output as notebook lines, escaped (see `escape`).
  static func outputLines(_ output: String) -> [String] {
    var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }
    // Trailing blank lines are layout to the parser; keep them out of outputs.
    while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
    return lines
  }

  /// An output line as written in a lab block: a line that would read as a
  /// command (`>`, `[n]>`), a fence (```` ``` ````, `~~~`) or an escaped line
  /// (`\`) gets a leading `\`, which the parser removes.
  static func escape(_ line: String) -> String {
    if line.hasPrefix("\\") || line.hasPrefix("```") || line.hasPrefix("~~~") || NotebookParser.prompt(line) != nil {
      return "\\" + line
    }
    return line
  }

  /// `notebook` with new recorded outputs for the cells in `outputs` (by
  /// cell index), numbered prompts renumbered 1, 2, 3 …, and the header's
  /// version set to `version`; every other line is kept as it was.
  ///
  /// - Returns: the text and how many cells changed (output or number).
  public static func rewrite(
    _ notebook: Notebook, outputs: [Int: String], version: String? = LabVersion.current
  ) -> (text: String, changedCells: Int) {
    var lines = notebook.lines
    var changed = 0
    // From the last cell up, so earlier ranges stay valid.
    for (index, cell) in notebook.cells.enumerated().reversed() {
      var cellChanged = false
      if let output = outputs[index] {
        let new = outputLines(output)
        let old = Array(lines[cell.outputRange])
        if new != old {
          lines.replaceSubrange(cell.outputRange, with: new)
          cellChanged = true
        }
      }
      if let number = cell.number, number != index + 1 {
        lines[cell.line - 1] = "[\(index + 1)]> " + cell.command
        cellChanged = true
      }
      if cellChanged { changed += 1 }
    }
    if let version, let at = notebook.header?.versionLineIndex, notebook.header?.version != version {
      lines[at] = "entropy-lab: " + version
    }
    var text = lines.joined(separator: notebook.lineEnding)
    if notebook.endsWithNewline { text += notebook.lineEnding }
    return (text, changed)
  }
}
