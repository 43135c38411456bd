/// A small Markdown to XHTML converter for the prose of notebooks and
/// handouts: the common subset of CommonMark and GitHub's tables.
///
/// Blocks: paragraphs, ATX (`#`) and setext (`===`/`---`) headings, fenced
/// (```` ``` ````/`~~~`) and indented code, block quotes, bullet and
/// ordered lists (nested by indentation, tight or loose), thematic breaks
/// and pipe tables. Inline: see `MarkdownInline`.
///
/// Properties:
/// - the output is well-formed XML (void elements self-closed as `<hr/>`),
///   so a handout parses as XHTML;
/// - raw HTML in the source is shown as text, never passed through: a
///   notebook cannot inject markup or script into a handout.
///
/// Edge cases: tabs count as 4 columns; `\r\n` line ends are accepted;
/// an unclosed fence runs to the end of the text.
enum Markdown {
  /// The XHTML of `source`, one block per line group.
  static func html(_ source: String) -> String {
    let normalized = source.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    let lines = normalized.split(separator: "\n", omittingEmptySubsequences: false).map { expandTabs(String($0)) }
    return blocks(lines).joined(separator: "\n")
  }

  /// The blocks of `lines`, each as XHTML.
  static func blocks(_ lines: [String]) -> [String] {
    var out: [String] = []
    var paragraph: [String] = []
    var i = 0
    func flush() {
      guard !paragraph.isEmpty else { return }
      out.append("<p>" + MarkdownInline.html(paragraph) + "</p>")
      paragraph = []
    }
    while i < lines.count {
      let line = lines[i]
      let indent = leadingSpaces(line)
      let body = String(line.dropFirst(min(indent, 3)))
      if isBlank(line) {
        flush()
        i += 1
        continue
      }
      if indent >= 4 && paragraph.isEmpty {
        // Indented code: runs of indented or blank lines.
        var code: [String] = []
        while i < lines.count, isBlank(lines[i]) || leadingSpaces(lines[i]) >= 4 {
          code.append(String(lines[i].dropFirst(min(4, leadingSpaces(lines[i])))))
          i += 1
        }
        while code.last.map(isBlank) == true { code.removeLast() }
        out.append(codeBlock(code, language: ""))
        continue
      }
      if indent < 4, let fence = fenceOpening(body) {
        flush()
        var code: [String] = []
        i += 1
        while i < lines.count {
          let candidate = lines[i]
          let stripped = candidate.drop { $0 == " " }
          if leadingSpaces(candidate) < 4, stripped.hasPrefix(String(repeating: fence.marker, count: fence.length)),
            stripped.allSatisfy({ $0 == fence.marker || $0 == " " })
          {
            i += 1
            break
          }
          code.append(String(candidate.dropFirst(min(fence.indent, leadingSpaces(candidate)))))
          i += 1
        }
        out.append(codeBlock(code, language: fence.language))
        continue
      }
      if indent < 4, let heading = atxHeading(body) {
        flush()
        out.append("<h\(heading.level)>" + MarkdownInline.html([heading.text]) + "</h\(heading.level)>")
        i += 1
        continue
      }
      if indent < 4, !paragraph.isEmpty, let level = setextLevel(body) {
        out.append("<h\(level)>" + MarkdownInline.html(paragraph) + "</h\(level)>")
        paragraph = []
        i += 1
        continue
      }
      if indent < 4, isThematicBreak(body) {
        flush()
        out.append("<hr/>")
        i += 1
        continue
      }
      if indent < 4, body.hasPrefix(">") {
        flush()
        var inner: [String] = []
        while i < lines.count {
          let l = lines[i]
          let b = l.drop { $0 == " " }
          if leadingSpaces(l) < 4 && b.hasPrefix(">") {
            var rest = b.dropFirst()
            if rest.hasPrefix(" ") { rest = rest.dropFirst() }
            inner.append(String(rest))
          } else if !isBlank(l) && !(inner.last.map(isBlank) ?? true) && !startsBlock(l) {
            inner.append(l)  // a lazy continuation of the quoted paragraph
          } else {
            break
          }
          i += 1
        }
        out.append("<blockquote>\n" + blocks(inner).joined(separator: "\n") + "\n</blockquote>")
        continue
      }
      if let marker = listMarker(line), paragraph.isEmpty || !marker.ordered || marker.start == 1 {
        flush()
        let (html, next) = list(lines, from: i)
        out.append(html)
        i = next
        continue
      }
      if paragraph.isEmpty, i + 1 < lines.count, line.contains("|"), let aligns = tableAlignments(lines[i + 1]),
        splitRow(line).count == aligns.count
      {
        var rows: [String] = []
        var j = i + 2
        while j < lines.count, !isBlank(lines[j]), lines[j].contains("|") {
          rows.append(lines[j])
          j += 1
        }
        out.append(table(header: line, aligns: aligns, rows: rows))
        i = j
        continue
      }
      paragraph.append(line)
      i += 1
    }
    flush()
    return out
  }

  // MARK: Code

  /// An opening code fence: three or more backticks or tildes.
  static func fenceOpening(_ body: String) -> (marker: Character, length: Int, indent: Int, language: String)? {
    guard let marker = body.first, marker == "`" || marker == "~" else { return nil }
    let length = body.prefix { $0 == marker }.count
    guard length >= 3 else { return nil }
    let info = body.dropFirst(length).trimming(" ")
    if marker == "`" && info.contains("`") { return nil }
    let language = String(info.prefix { $0 != " " })
    return (marker, length, 0, language)
  }

  /// `<pre><code>` with the lines escaped.
  static func codeBlock(_ lines: [String], language: String) -> String {
    let cls = language.isEmpty ? "" : " class=\"language-\(XMLText.attribute(language))\""
    return "<pre><code\(cls)>" + XMLText.escape(lines.joined(separator: "\n")) + "</code></pre>"
  }

  // MARK: Headings and breaks

  /// `# text` to `###### text`, with optional closing `#`s.
  static func atxHeading(_ body: String) -> (level: Int, text: String)? {
    let level = body.prefix { $0 == "#" }.count
    guard (1...6).contains(level) else { return nil }
    let rest = body.dropFirst(level)
    guard rest.isEmpty || rest.first == " " else { return nil }
    var text = rest.trimming(" ")
    // A closing sequence of #s is dropped when preceded by a space.
    let closing = text.reversed().prefix { $0 == "#" }.count
    if closing > 0 {
      let before = text.dropLast(closing)
      if before.isEmpty || before.hasSuffix(" ") { text = before.trimming(" ") }
    }
    return (level, text)
  }

  /// 1 for a `===` underline, 2 for `---`.
  static func setextLevel(_ body: String) -> Int? {
    let t = body.trimming(" ")
    guard let first = t.first, first == "=" || first == "-", t.allSatisfy({ $0 == first }) else { return nil }
    return first == "=" ? 1 : 2
  }

  /// Three or more `-`, `*` or `_`, optionally spaced.
  static func isThematicBreak(_ body: String) -> Bool {
    let chars = body.filter { $0 != " " }
    guard let first = chars.first, "-*_".contains(first), chars.count >= 3 else { return false }
    return chars.allSatisfy { $0 == first }
  }

  /// Whether `line` starts a block that ends a lazy paragraph continuation.
  static func startsBlock(_ line: String) -> Bool {
    guard leadingSpaces(line) < 4 else { return false }
    let body = String(line.drop { $0 == " " })
    return atxHeading(body) != nil || fenceOpening(body) != nil || isThematicBreak(body) || body.hasPrefix(">")
      || listMarker(line) != nil
  }

  // MARK: Lists

  /// A list item's marker: its indent, kind, start number and where the
  /// item's content begins (in columns).
  struct ListMarker {
    var indent: Int
    var ordered: Bool
    var bullet: Character
    var start: Int
    var contentColumn: Int
  }

  /// The list marker starting `line`, if any.
  static func listMarker(_ line: String) -> ListMarker? {
    let indent = leadingSpaces(line)
    guard indent < 4 else { return nil }
    let body = Array(line.dropFirst(indent))
    guard let first = body.first else { return nil }
    var markerEnd: Int
    var ordered = false
    var start = 1
    var bullet = first
    if "-*+".contains(first) {
      markerEnd = 1
    } else {
      let digits = body.prefix { $0.isASCII && $0.isNumber }
      guard (1...9).contains(digits.count), digits.count < body.count, ".)".contains(body[digits.count]) else {
        return nil
      }
      markerEnd = digits.count + 1
      ordered = true
      start = Int(String(digits)) ?? 1
      bullet = body[digits.count]
    }
    if markerEnd == body.count {
      return ListMarker(
        indent: indent, ordered: ordered, bullet: bullet, start: start, contentColumn: indent + markerEnd + 1)
    }
    guard body[markerEnd] == " " else { return nil }
    let spaces = body[markerEnd...].prefix { $0 == " " }.count
    let gap = spaces > 4 || markerEnd + spaces == body.count ? 1 : spaces
    return ListMarker(
      indent: indent, ordered: ordered, bullet: bullet, start: start, contentColumn: indent + markerEnd + gap)
  }

  /// The list starting at `lines[start]`, and the index after it.
  static func list(_ lines: [String], from start: Int) -> (String, Int) {
    guard let first = listMarker(lines[start]) else { return ("", start + 1) }
    var items: [[String]] = []
    var loose = false
    var i = start
    while i < lines.count, let marker = listMarker(lines[i]), marker.ordered == first.ordered,
      marker.bullet == first.bullet
    {
      var item = [String(lines[i].dropFirst(min(marker.contentColumn, lines[i].count)))]
      i += 1
      while i < lines.count {
        let line = lines[i]
        if isBlank(line) {
          // A blank line continues the item only if indented content follows.
          var j = i
          while j < lines.count, isBlank(lines[j]) { j += 1 }
          guard j < lines.count else { break }
          if leadingSpaces(lines[j]) >= marker.contentColumn {
            item.append(contentsOf: Array(repeating: "", count: j - i))
            loose = true
            i = j
            continue
          }
          if let next = listMarker(lines[j]), next.ordered == first.ordered, next.bullet == first.bullet,
            next.indent < marker.contentColumn
          {
            loose = true
          }
          break
        }
        if leadingSpaces(line) >= marker.contentColumn {
          item.append(String(line.dropFirst(marker.contentColumn)))
        } else if listMarker(line) != nil || startsBlock(line) {
          break
        } else if !(item.last.map(isBlank) ?? true) {
          item.append(line)  // lazy continuation
        } else {
          break
        }
        i += 1
      }
      items.append(item)
      // Skip blank lines between items; the loop condition decides.
      var j = i
      while j < lines.count, isBlank(lines[j]) { j += 1 }
      if j > i, j < lines.count, let next = listMarker(lines[j]), next.ordered == first.ordered,
        next.bullet == first.bullet
      {
        i = j
      }
    }
    let tag = first.ordered ? "ol" : "ul"
    let startAttribute = first.ordered && first.start != 1 ? " start=\"\(first.start)\"" : ""
    var html = "<\(tag)\(startAttribute)>\n"
    for item in items {
      var parts = blocks(item)
      if !loose {
        parts = parts.map { p in
          p.hasPrefix("<p>") && p.hasSuffix("</p>") ? String(p.dropFirst(3).dropLast(4)) : p
        }
      }
      html += "<li>" + parts.joined(separator: "\n") + "</li>\n"
    }
    return (html + "</\(tag)>", i)
  }

  // MARK: Tables

  /// The column alignments of a table's delimiter row (`|:--|--:|`).
  static func tableAlignments(_ line: String) -> [String]? {
    let cells = splitRow(line)
    guard !cells.isEmpty, line.contains("-") else { return nil }
    var aligns: [String] = []
    for cell in cells {
      let c = cell.trimming(" ")
      let core = c.drop { $0 == ":" }.reversed().drop { $0 == ":" }
      guard !core.isEmpty, core.allSatisfy({ $0 == "-" }) else { return nil }
      let left = c.hasPrefix(":")
      let right = c.hasSuffix(":")
      aligns.append(left && right ? "center" : right ? "right" : left ? "left" : "")
    }
    return aligns
  }

  /// A table row's cells: split on unescaped `|`, outer pipes optional.
  static func splitRow(_ line: String) -> [String] {
    var t = line.trimming(" ")
    if t.hasPrefix("|") { t.removeFirst() }
    if t.hasSuffix("|") && !t.hasSuffix("\\|") { t.removeLast() }
    var cells: [String] = []
    var current = ""
    var escaped = false
    for ch in t {
      if escaped {
        if ch != "|" { current.append("\\") }
        current.append(ch)
        escaped = false
      } else if ch == "\\" {
        escaped = true
      } else if ch == "|" {
        cells.append(current)
        current = ""
      } else {
        current.append(ch)
      }
    }
    if escaped { current.append("\\") }
    cells.append(current)
    return cells
  }

  /// A `<table>` with a header row and body rows padded or cut to width.
  static func table(header: String, aligns: [String], rows: [String]) -> String {
    func row(_ cells: [String], tag: String) -> String {
      var html = "<tr>"
      for (c, align) in aligns.enumerated() {
        let text = c < cells.count ? cells[c].trimming(" ") : ""
        let style = align.isEmpty ? "" : " style=\"text-align: \(align)\""
        html += "<\(tag)\(style)>" + MarkdownInline.html([text]) + "</\(tag)>"
      }
      return html + "</tr>"
    }
    var html = "<table>\n<thead>" + row(splitRow(header), tag: "th") + "</thead>\n"
    if !rows.isEmpty {
      html += "<tbody>\n" + rows.map { row(splitRow($0), tag: "td") }.joined(separator: "\n") + "\n</tbody>\n"
    }
    return html + "</table>"
  }

  // MARK: Lines

  /// Whether `line` holds only spaces.
  static func isBlank(_ line: String) -> Bool { line.allSatisfy { $0 == " " } }

  /// The number of leading spaces.
  static func leadingSpaces(_ line: String) -> Int { line.prefix { $0 == " " }.count }

  /// `line` with tabs expanded to the next multiple of 4 columns.
  static func expandTabs(_ line: String) -> String {
    guard line.contains("\t") else { return line }
    var out = ""
    for ch in line {
      if ch == "\t" {
        out += String(repeating: " ", count: 4 - out.count % 4)
      } else {
        out.append(ch)
      }
    }
    return out
  }
}

extension StringProtocol {
  /// The text without leading and trailing `character`s.
  fileprivate func trimming(_ character: Character) -> String {
    String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
  }
}
