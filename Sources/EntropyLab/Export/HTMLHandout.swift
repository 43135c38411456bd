/// Renders a handout — notebook prose and cells with their outputs — as
/// one self-contained HTML page: inline CSS, inline SVG charts, no
/// scripts, fonts or anything else fetched, so it opens in any browser
/// with no network and prints cleanly.
///
/// Properties:
/// - the page is XHTML-compatible markup (void elements self-closed,
///   every text escaped), so it parses as XML as well as HTML;
/// - a Content-Security-Policy forbids scripts and network fetches;
/// - prose is Markdown (`Markdown`); each cell shows its prompt number and
///   command, then its outputs in order: tables as `<table>`s with the
///   shell's number formats, text as `<pre>`, plots as inline `SVGChart`s,
///   the error (if any) styled as one;
/// - the same items give the same bytes (no date or path is written).
public enum HTMLHandout {
  /// The whole page.
  ///
  /// - Parameters:
  ///   - title: the page's title and first heading.
  ///   - items: the prose and cells, in order; cells are numbered from 1
  ///     in the order they appear.
  public static func render(title: String, items: [HandoutItem]) -> String {
    var body: [String] = []
    var cellNumber = 0
    for item in items {
      switch item {
      case .prose(let markdown):
        let html = Markdown.html(markdown)
        if !html.isEmpty { body.append("<section class=\"prose\">\n" + html + "\n</section>") }
      case .cell(let input, let reports, let error):
        cellNumber += 1
        body.append(cell(number: cellNumber, input: input, reports: reports, error: error))
      }
    }
    let csp = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
    return """
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
      <head>
      <meta charset="utf-8"/>
      <meta name="viewport" content="width=device-width, initial-scale=1"/>
      <meta http-equiv="Content-Security-Policy" content="\(XMLText.attribute(csp))"/>
      <meta name="generator" content="EntropyLab"/>
      <title>\(XMLText.escape(title))</title>
      <style>
      \(HandoutStyle.css)
      \(HandoutStyle.pageRule(widestTable: widestTable(items)))
      </style>
      </head>
      <body>
      <main>
      <h1 class="title">\(XMLText.escape(title))</h1>
      \(body.joined(separator: "\n"))
      <footer>Made with EntropyLab. Each cell shows the command typed at the prompt and what it printed.</footer>
      </main>
      </body>
      </html>

      """
  }

  /// The width in characters of the widest result table in `items`: each
  /// column's longest cell or heading word (headings wrap in print) plus
  /// about two characters of padding.
  static func widestTable(_ items: [HandoutItem]) -> Int {
    var widest = 0
    for case .cell(_, let reports, _) in items {
      for case .table(let table) in reports {
        var width = 0
        for (c, column) in table.columns.enumerated() {
          let cells = table.rows.map { c < $0.count ? text(of: $0[c]).count : 0 }
          let heading = column.heading.split(separator: " ").map(\.count).max() ?? 0  // headings wrap in print
          width += max(heading, cells.max() ?? 0) + 2
        }
        widest = max(widest, width)
      }
    }
    return widest
  }

  /// What a handout holds, in words: "12 cells and 3 pieces of prose as a handout".
  public static func describe(_ items: [HandoutItem]) -> String {
    let cells = items.filter { if case .cell = $0 { true } else { false } }.count
    let prose = items.count - cells
    var text = "\(cells) cell\(cells == 1 ? "" : "s")"
    if prose > 0 { text += " and \(prose) piece\(prose == 1 ? "" : "s") of prose" }
    return text + " as a handout"
  }

  /// One cell: the prompt and command, then its outputs.
  static func cell(number: Int, input: String, reports: [Report], error: LabError?) -> String {
    var html = "<section class=\"cell\" id=\"cell-\(number)\">\n"
    html +=
      "<div class=\"input\"><span class=\"prompt\">[\(number)]&gt;</span><code>\(XMLText.escape(input))</code></div>\n"
    var parts: [String] = []
    var text: [String] = []
    func flushText() {
      guard !text.isEmpty else { return }
      parts.append("<pre>" + text.joined(separator: "\n") + "</pre>")
      text = []
    }
    for report in reports {
      switch report {
      case .table(let table):
        flushText()
        parts.append(tableHTML(table))
      case .plot(let plot):
        flushText()
        parts.append("<figure class=\"chart\">\n" + SVGChart.element(plot) + "\n</figure>")
      case .warning:
        text += Renderer.render(report, style: .plain).map {
          "<span class=\"warning\">" + XMLText.escape($0) + "</span>"
        }
      case .message:
        // Sentences: they wrap at the page's width (tables and blocks keep
        // their columns and scroll instead).
        text += Renderer.render(report, style: .plain).map {
          "<span class=\"message\">" + XMLText.escape($0) + "</span>"
        }
      case .block, .record:
        text += Renderer.render(report, style: .plain).map(XMLText.escape)
      }
    }
    flushText()
    if let error {
      parts.append("<pre class=\"error\">" + XMLText.escape(Renderer.render(error, style: .plain)) + "</pre>")
    }
    if !parts.isEmpty { html += "<div class=\"output\">\n" + parts.joined(separator: "\n") + "\n</div>\n" }
    return html + "</section>"
  }

  /// A result table as `<table>`: headings, then rows, with numbers in the
  /// shell's formats and numeric columns right-aligned.
  static func tableHTML(_ table: Table) -> String {
    let numeric: [Bool] = table.columns.indices.map { c in
      table.rows.allSatisfy { row in
        guard c < row.count else { return true }
        if case .text = row[c] { return false }
        return true
      }
    }
    func cls(_ c: Int) -> String { c < numeric.count && numeric[c] ? " class=\"num\"" : "" }
    var html = "<div class=\"table-wrap\"><table class=\"result\">\n<thead><tr>"
    for (c, column) in table.columns.enumerated() {
      html += "<th\(cls(c)) title=\"\(XMLText.attribute(column.key))\">" + XMLText.escape(column.heading) + "</th>"
    }
    html += "</tr></thead>\n<tbody>\n"
    for row in table.rows {
      html += "<tr>"
      for (c, cell) in row.enumerated() { html += "<td\(cls(c))>" + XMLText.escape(text(of: cell)) + "</td>" }
      html += "</tr>\n"
    }
    return html + "</tbody>\n</table></div>"
  }

  /// A table cell's text, as the shell prints it.
  static func text(of cell: Table.Cell) -> String {
    switch cell {
    case .number(let x, let style): return style.format(x)
    case .int(let i): return String(i)
    case .text(let s): return s
    case .none: return "-"
    }
  }
}
