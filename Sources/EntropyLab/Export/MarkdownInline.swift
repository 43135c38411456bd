/// The inline part of `Markdown`: code spans, emphasis, links, images,
/// autolinks, backslash escapes and hard line breaks, as XHTML.
///
/// Properties:
/// - every character of text, code, link and attribute is escaped;
/// - `_` does not open or close emphasis inside a word, so
///   `first_order_residual` stays as typed;
/// - links with a `javascript:`, `vbscript:` or `data:` destination keep
///   their text and lose the link.
///
/// Edge cases: an unmatched delimiter (`*`, `` ` ``, `[`) is literal text.
enum MarkdownInline {
  /// The XHTML of the paragraph `lines` (joined by line breaks).
  static func html(_ lines: [String]) -> String {
    var text = lines.map { $0.drop { $0 == " " } }.joined(separator: "\n")
    while text.hasSuffix(" ") { text.removeLast() }
    let chars = Array(text)
    return render(chars, chars.startIndex..<chars.endIndex)
  }

  /// The XHTML of `chars[range]`.
  static func render(_ chars: [Character], _ range: Range<Int>) -> String {
    var out = ""
    var i = range.lowerBound
    let end = range.upperBound
    while i < end {
      let c = chars[i]
      switch c {
      case "\\":
        if i + 1 < end, chars[i + 1] == "\n" {
          out += "<br/>\n"
          i += 2
        } else if i + 1 < end, chars[i + 1].isASCII, chars[i + 1].isPunctuation || chars[i + 1].isSymbol {
          out += XMLText.escape(String(chars[i + 1]))
          i += 2
        } else {
          out += "\\"
          i += 1
        }
      case "`":
        let n = run(chars, i, end)
        if let close = closingBackticks(chars, from: i + n, count: n, end: end) {
          var code = String(chars[(i + n)..<close]).replacingNewlines()
          if code.count >= 2, code.hasPrefix(" "), code.hasSuffix(" "), !code.allSatisfy({ $0 == " " }) {
            code = String(code.dropFirst().dropLast())
          }
          out += "<code>" + XMLText.escape(code) + "</code>"
          i = close + n
        } else {
          out += String(repeating: "`", count: n)
          i += n
        }
      case "*", "_":
        let n = run(chars, i, end)
        if let (tag, width, close) = emphasis(chars, at: i, run: n, end: end) {
          out += "<\(tag)>" + render(chars, (i + width)..<close) + "</\(tag)>"
          i = close + width
        } else {
          out += String(repeating: String(c), count: n)
          i += n
        }
      case "!" where i + 1 < end && chars[i + 1] == "[":
        if let link = link(chars, at: i + 1, end: end) {
          let alt = String(chars[link.text]).replacingNewlines()
          if let src = safe(link.destination) {
            out +=
              "<img src=\"\(XMLText.attribute(src))\" alt=\"\(XMLText.attribute(alt))\""
              + (link.title.map { " title=\"\(XMLText.attribute($0))\"" } ?? "") + "/>"
          } else {
            out += XMLText.escape(alt)
          }
          i = link.next
        } else {
          out += "!"
          i += 1
        }
      case "[":
        if let link = link(chars, at: i, end: end) {
          let inner = render(chars, link.text)
          if let href = safe(link.destination) {
            out +=
              "<a href=\"\(XMLText.attribute(href))\""
              + (link.title.map { " title=\"\(XMLText.attribute($0))\"" } ?? "") + ">" + inner + "</a>"
          } else {
            out += inner
          }
          i = link.next
        } else {
          out += "["
          i += 1
        }
      case "<":
        if let close = chars[(i + 1)..<end].firstIndex(of: ">") {
          let target = String(chars[(i + 1)..<close])
          let isURL = target.contains("://") || target.lowercased().hasPrefix("mailto:")
          if isURL, !target.contains(where: { $0 == " " || $0 == "\n" || $0 == "<" }), let href = safe(target) {
            out += "<a href=\"\(XMLText.attribute(href))\">" + XMLText.escape(target) + "</a>"
            i = close + 1
            continue
          }
        }
        out += "&lt;"
        i += 1
      case "\n":
        // Two or more trailing spaces make a hard break.
        var spaces = 0
        while out.hasSuffix(" ") {
          out.removeLast()
          spaces += 1
        }
        out += spaces >= 2 ? "<br/>\n" : "\n"
        i += 1
      default:
        out += XMLText.escape(String(c))
        i += 1
      }
    }
    return out
  }

  /// The length of the run of `chars[i]` starting at `i`.
  static func run(_ chars: [Character], _ i: Int, _ end: Int) -> Int {
    var j = i
    while j < end, chars[j] == chars[i] { j += 1 }
    return j - i
  }

  /// The start of the next run of exactly `count` backticks.
  static func closingBackticks(_ chars: [Character], from start: Int, count: Int, end: Int) -> Int? {
    var j = start
    while j < end {
      if chars[j] == "`" {
        let n = run(chars, j, end)
        if n == count { return j }
        j += n
      } else {
        j += 1
      }
    }
    return nil
  }

  /// The emphasis opened at `i` by a run of `n` delimiters: its tag, the
  /// delimiters it uses (2 for strong, 1 for em) and where it closes.
  static func emphasis(_ chars: [Character], at i: Int, run n: Int, end: Int) -> (String, Int, Int)? {
    let d = chars[i]
    guard i + n < end, !chars[i + n].isWhitespace else { return nil }
    if d == "_", i > 0, chars[i - 1].isLetter || chars[i - 1].isNumber { return nil }
    for width in (n >= 2 ? [2, 1] : [1]) {
      if let close = closingDelimiter(chars, d, width: width, from: i + width, end: end) {
        return (width == 2 ? "strong" : "em", width, close)
      }
    }
    return nil
  }

  /// Where a run of exactly `width` delimiters `d` can close emphasis:
  /// after a non-space, and for `_` not before a letter or digit. Code
  /// spans and escapes are skipped.
  static func closingDelimiter(_ chars: [Character], _ d: Character, width: Int, from start: Int, end: Int) -> Int? {
    var j = start
    while j < end {
      let c = chars[j]
      if c == "\\" {
        j += 2
      } else if c == "`" {
        let n = run(chars, j, end)
        j = closingBackticks(chars, from: j + n, count: n, end: end).map { $0 + n } ?? j + n
      } else if c == d {
        let m = run(chars, j, end)
        let after = j + m
        let closes =
          j > start && !chars[j - 1].isWhitespace
          && (d != "_" || after >= end || !(chars[after].isLetter || chars[after].isNumber))
        if closes && m == width { return j }
        j += m
      } else {
        j += 1
      }
    }
    return nil
  }

  /// A link `[text](destination "title")` whose `[` is at `i`.
  static func link(_ chars: [Character], at i: Int, end: Int) -> (
    text: Range<Int>, destination: String, title: String?, next: Int
  )? {
    var depth = 0
    var j = i
    var closeBracket: Int?
    while j < end {
      let c = chars[j]
      if c == "\\" {
        j += 2
        continue
      }
      if c == "`" {
        let n = run(chars, j, end)
        j = closingBackticks(chars, from: j + n, count: n, end: end).map { $0 + n } ?? j + n
        continue
      }
      if c == "[" { depth += 1 }
      if c == "]" {
        depth -= 1
        if depth == 0 {
          closeBracket = j
          break
        }
      }
      j += 1
    }
    guard let close = closeBracket, close + 1 < end, chars[close + 1] == "(" else { return nil }
    var k = close + 2
    var parens = 0
    var inside: [Character] = []
    while k < end {
      let c = chars[k]
      if c == "\\", k + 1 < end {
        inside.append(chars[k + 1])
        k += 2
        continue
      }
      if c == "(" { parens += 1 }
      if c == ")" {
        if parens == 0 { break }
        parens -= 1
      }
      inside.append(c)
      k += 1
    }
    guard k < end else { return nil }
    var spec = String(inside).trimmingSpaces()
    var title: String?
    if spec.hasSuffix("\""), let open = spec.dropLast().lastIndex(of: "\""), open > spec.startIndex,
      spec[spec.index(before: open)] == " "
    {
      title = String(spec[spec.index(after: open)..<spec.index(before: spec.endIndex)])
      spec = String(spec[..<open]).trimmingSpaces()
    }
    if spec.hasPrefix("<") && spec.hasSuffix(">") { spec = String(spec.dropFirst().dropLast()) }
    guard !spec.contains(" ") else { return nil }
    return ((i + 1)..<close, spec, title, k + 1)
  }

  /// `url`, unless its scheme runs script or embeds data.
  static func safe(_ url: String) -> String? {
    // Browsers ignore spaces and control characters inside a scheme.
    var compact = ""
    compact.unicodeScalars.append(contentsOf: url.lowercased().unicodeScalars.filter { $0.value > 0x20 })
    for bad in ["javascript:", "vbscript:", "data:"] where compact.hasPrefix(bad) { return nil }
    return url
  }
}

extension String {
  /// The text with line breaks as spaces (code spans, alt text).
  fileprivate func replacingNewlines() -> String { String(map { $0 == "\n" ? " " : $0 }) }

  /// The text without leading and trailing spaces.
  fileprivate func trimmingSpaces() -> String {
    String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
  }
}
