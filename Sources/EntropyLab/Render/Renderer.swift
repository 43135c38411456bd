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
    case .message(let text): return [TerminalText.visible(text)]
    case .warning(let text): return [paint("note: ", .yellow, style) + TerminalText.visible(text)]
    case .block(let text): return [TerminalText.visible(text)]
    case .record(let text, _): return [TerminalText.visible(text)]
    case .table(let table): return TextTable.render(table)
    case .plot(let plot): return [TerminalPlot.render(plot, unicode: style.unicode)]
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
      let series = plot.series.map { s in
        JSONValue.object([
          ("name", .string(s.name)), ("x", .array(s.x.map { .number($0) })), ("y", .array(s.y.map { .number($0) })),
        ])
      }
      return [.object([("kind", .string("plot")), ("title", .string(plot.title)), ("series", .array(series))])]
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
    var text = paint("error: ", .red, style) + TerminalText.visible(error.message)
    if let expected = error.expected { text += "\n  expected: " + TerminalText.visible(expected) }
    return text
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

/// Aligned plain-text tables: numbers right-aligned, words left-aligned.
enum TextTable {
  /// The table's lines: a heading line, then one line per row.
  static func render(_ table: Table) -> [String] {
    let cells: [[String]] = table.rows.map { row in
      row.map { cell in
        switch cell {
        case .number(let x, let style): return style.format(x)
        case .int(let i): return String(i)
        case .text(let s): return TerminalText.visible(s)
        case .none: return "-"
        }
      }
    }
    let numeric: [Bool] = table.columns.indices.map { c in
      table.rows.allSatisfy { row in
        if case .text = row[c] { return false }
        return true
      }
    }
    let widths = table.columns.indices.map { c in
      max(table.columns[c].heading.count, cells.map { $0[c].count }.max() ?? 0)
    }
    func line(_ items: [String]) -> String {
      var parts: [String] = []
      for (c, item) in items.enumerated() {
        let pad = String(repeating: " ", count: widths[c] - item.count)
        parts.append(numeric[c] ? pad + item : item + pad)
      }
      var text = parts.joined(separator: "  ")
      while text.hasSuffix(" ") { text.removeLast() }
      return text
    }
    return [line(table.columns.map(\.heading))] + cells.map(line)
  }
}
