/// The JSON object `entropy-lab --kernel` writes for each line it reads,
/// so that a program driving the shell (the Jupyter kernel in `python/`)
/// never parses prompts.
///
/// Exactly one object per input line, on one line of standard output:
///
/// | key       | value                                                      |
/// |-----------|------------------------------------------------------------|
/// | `cell`    | the cell's number, or null when the line ran nothing (a blank line, a `# comment`, a line of an open `note`) |
/// | `command` | the line as read                                          |
/// | `text`    | the output in the notebook style (plain, 80 columns, as `replay --check` compares it); "" when none |
/// | `failed`  | whether the command failed (its error is in `text`)        |
/// | `svg`     | only when the command drew plots: one `<svg>` element per plot, in order (with its `xmlns` and no XML declaration, for inline display) |
/// | `quit`    | only when the command was `quit`: true (the process then ends) |
public enum KernelFrame {
  /// The object for `line`, whose execution gave `cell` (nil when it ran nothing).
  public static func json(for cell: CellResult?, line: String) -> JSONValue {
    guard let cell else {
      return .object([
        ("cell", .null), ("command", .string(line)), ("text", .string("")), ("failed", .bool(false)),
      ])
    }
    var fields: [(String, JSONValue)] = [
      ("cell", .int(cell.number)), ("command", .string(line)), ("text", .string(cell.output)),
      ("failed", .bool(cell.failed)),
    ]
    let svgs = cell.reports.compactMap { report -> JSONValue? in
      guard case .plot(let plot) = report else { return nil }
      return .string(SVGChart.element(plot))
    }
    if !svgs.isEmpty { fields.append(("svg", .array(svgs))) }
    if cell.quit { fields.append(("quit", .bool(true))) }
    return .object(fields)
  }
}
