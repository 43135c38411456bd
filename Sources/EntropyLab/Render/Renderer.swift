/// Turns reports and errors into the text a user sees: the only place
/// where results and errors become characters. Every piece of text a
/// report or error carries (which may hold a notebook's cell, a file name
/// or a typed word) goes through `TerminalText.visible`, so no control
/// character reaches a terminal or a transcript; JSON escapes its own.
public enum Renderer {
  /// The output of one cell, without a trailing newline.
  ///
  /// - Parameters:
  ///   - cell: the cell's number and its line as typed: in JSON every
  ///     object starts with `"cell": n, "command": "…"`.
  public static func render(
    _ reports: [Report], error: LabError?, style: OutputStyle, cell: (number: Int, command: String)? = nil
  ) -> String {
    if style.json, let cell {
      let stamp: [(String, JSONValue)] = [("cell", .int(cell.number)), ("command", .string(cell.command))]
      var objects = reports.flatMap(json)
      if let error { objects.append(json(error)) }
      return objects.map { value in
        guard case .object(let fields) = value else { return value.serialized }
        return JSONValue.object(stamp + fields.filter { $0.0 != "cell" && $0.0 != "command" }).serialized
      }.joined(separator: "\n")
    }
    var lines: [String] = []
    for report in reports { lines.append(contentsOf: render(report, style: style)) }
    if let error { lines.append(render(error, style: style)) }
    return lines.joined(separator: "\n")
  }

  /// The lines of one report.
  public static func render(_ report: Report, style: OutputStyle) -> [String] {
    if style.json { return json(report).map(\.serialized) }
    switch report {
    case .message(let text): return TextWrap.lines(TerminalText.visible(text), width: style.width)
    case .warning(let text):
      // Wrapped without the colour codes, which take no columns.
      var lines = TextWrap.lines("note: " + TerminalText.visible(text), width: style.width)
      if style.color, let first = lines.first { lines[0] = paint("note: ", .yellow, style) + first.dropFirst(6) }
      return lines
    case .block(let text): return TextWrap.lines(TerminalText.visible(text), width: style.width)
    case .record(let text, _): return TextWrap.lines(TerminalText.visible(text), width: style.width)
    case .table(let table): return TextTable.render(table, width: style.width)
    case .plot(let plot):
      return [TerminalPlot.render(plot, unicode: style.unicode, width: style.width, color: style.color)]
    }
  }

  /// The JSON objects of one report.
  public static func json(_ report: Report) -> [JSONValue] {
    switch report {
    case .message(let text): return [.object([("message", .string(text))])]
    case .warning(let text): return [.object([("warning", .string(text))])]
    case .block(let text): return [.object([("text", .string(text))])]
    case .record(_, let fields): return [.object(fields)]
    case .plot(let plot):
      func object(_ plot: Plot) -> JSONValue {
        let series = plot.series.map { s in
          JSONValue.object([
            ("name", .string(s.name)), ("x", .array(s.x.map { .number($0) })), ("y", .array(s.y.map { .number($0) })),
          ])
        }
        var fields: [(String, JSONValue)] = [
          ("kind", .string("plot")), ("title", .string(plot.title)), ("series", .array(series)),
        ]
        if !plot.panels.isEmpty { fields.append(("panels", .array(plot.panels.map(object)))) }
        return .object(fields)
      }
      return [object(plot)]
    case .table(let table):
      return table.rows.enumerated().map { index, row in
        var fields = table.jsonPrefix + (table.rowJSON[index] ?? [])
        for (column, cell) in zip(table.columns, row) {
          switch cell {
          case .number(let x, _): fields.append((column.key, .number(x)))
          case .int(let i): fields.append((column.key, .int(i)))
          case .text(let s): fields.append((column.key, .string(s)))
          case .none: fields.append((column.key, .null))
          }
        }
        return .object(fields)
      }
    }
  }

  /// An error as one line (text) or `{"error": …}` (JSON).
  public static func render(_ error: LabError, style: OutputStyle) -> String {
    if style.json { return json(error).serialized }
    var lines = TextWrap.lines("error: " + TerminalText.visible(error.message), width: style.width)
    if style.color, let first = lines.first { lines[0] = paint("error: ", .red, style) + first.dropFirst(7) }
    if let expected = error.expected {
      lines += TextWrap.lines("  expected: " + TerminalText.visible(expected), width: style.width)
    }
    return lines.joined(separator: "\n")
  }

  /// An error as a JSON object: `{"error": message, "expected": usage}`.
  public static func json(_ error: LabError) -> JSONValue {
    var fields: [(String, JSONValue)] = [("error", .string(error.message))]
    if let expected = error.expected { fields.append(("expected", .string(expected))) }
    return .object(fields)
  }

  /// ANSI colours from the 16 base colours, so users' themes apply.
  enum Color: String {
    case red = "31"
    case yellow = "33"
    case bold = "1"
  }

  /// `text` in `color` when the style allows colour.
  static func paint(_ text: String, _ color: Color, _ style: OutputStyle) -> String {
    style.color ? "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m" : text
  }
}
