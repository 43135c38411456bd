/// Aligned plain-text tables: numbers right-aligned, words left-aligned,
/// fitted to a width by the columns' priorities.
///
/// When the table is wider than the width, the renderer first tries the
/// columns' short headings; if it still does not fit, it keeps the full
/// headings and each row wraps: the
/// first line takes the `.key` columns, then `.main`, then `.detail` ones
/// while they fit, and the remaining columns go, by the same order, onto
/// continuation lines indented two columns (the heading wraps the same
/// way). Within a line the columns keep the table's order. No number is
/// ever dropped or shortened, so a notebook's wrapped table checks every
/// number a wide one does; only a word too long for a whole line is cut
/// with "…".
///
/// Number columns are at least as wide as the widest value their format
/// can print for a number between −10 and 10 (`-0.1234567890`,
/// `-4.08163611e-03`), so consecutive tables of the same command line up.
enum TextTable {
  /// The table's lines: heading line(s), then each row's line(s).
  static func render(_ table: Table, width: Int? = nil) -> [String] {
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
    let columns = table.columns.indices
    let numeric: [Bool] = columns.map { c in
      table.rows.allSatisfy { row in
        if case .text = row[c] { return false }
        return true
      }
    }
    let floor: [Int] = columns.map { c in table.rows.map { typicalWidth($0[c]) }.max() ?? 0 }
    func widths(_ headings: [String]) -> [Int] {
      columns.map { c in max(headings[c].count, cells.map { $0[c].count }.max() ?? 0, floor[c]) }
    }
    var headings = table.columns.map(\.heading)
    var w = widths(headings)
    func total(_ cs: [Int], indent: Int) -> Int { indent + cs.map { w[$0] }.reduce(0, +) + 2 * max(0, cs.count - 1) }
    var layout: [[Int]] = [Array(columns)]
    if let width, total(Array(columns), indent: 0) > width {
      // Short headings only when they make the table fit on one line; a
      // wrapped table has room for the full ones.
      let short = table.columns.map { $0.short ?? $0.heading }
      let full = w
      w = widths(short)
      if total(Array(columns), indent: 0) <= width {
        headings = short
      } else {
        w = full
        layout = wrap(table.columns, widths: w, width: width)
      }
    }
    func line(_ items: [String], _ cs: [Int], indent: Int) -> String {
      var parts: [String] = []
      let room = width.map { $0 - indent } ?? Int.max
      for (item, c) in zip(items, cs) {
        let cw = min(w[c], room)
        var text = item
        if text.count > cw { text = String(text.prefix(max(0, cw - 1))) + "…" }
        let pad = String(repeating: " ", count: cw - text.count)
        parts.append(numeric[c] ? pad + text : text + pad)
      }
      var text = String(repeating: " ", count: indent) + parts.joined(separator: "  ")
      while text.hasSuffix(" ") { text.removeLast() }
      return text
    }
    func physical(_ items: [String]) -> [String] {
      layout.enumerated().map { n, cs in line(cs.map { items[$0] }, cs, indent: n == 0 ? 0 : indentStep) }
    }
    return physical(headings) + cells.flatMap(physical)
  }

  /// How far continuation lines are indented.
  static let indentStep = 2

  /// The columns of each physical line of a wrapped row: filled by
  /// priority (then table order) while they fit, kept in table order.
  static func wrap(_ columns: [Table.Column], widths w: [Int], width: Int) -> [[Int]] {
    var remaining = columns.indices.sorted {
      columns[$0].priority != columns[$1].priority ? columns[$0].priority < columns[$1].priority : $0 < $1
    }
    var lines: [[Int]] = []
    while !remaining.isEmpty {
      var used = lines.isEmpty ? 0 : indentStep
      var taken: [Int] = []
      for c in remaining {
        let cost = w[c] + (taken.isEmpty ? 0 : 2)
        if used + cost <= width || taken.isEmpty {
          taken.append(c)
          used += cost
        }
      }
      remaining.removeAll { taken.contains($0) }
      lines.append(taken.sorted())
    }
    return lines
  }

  /// The widest text a cell's format gives a number in (−10, 10), so a
  /// column is as wide in every table of its command.
  static func typicalWidth(_ cell: Table.Cell) -> Int {
    guard case .number(_, let style) = cell else { return 0 }
    switch style {
    case .fixed(let d): return d + 3  // -x.ddd
    case .scientific(let d): return d + 7  // -x.ddde-xx
    case .general: return 0
    }
  }
}
