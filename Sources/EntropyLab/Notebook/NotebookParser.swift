import Foundation

/// Reads a notebook's text: the front matter, then every fenced `lab`
/// block's cells.
///
/// Inside a `lab` block:
/// - a line starting with `> ` or `[n]> ` (at the left margin) is a command;
///   the number is optional and, when present, checked for sequence by
///   `--check`;
/// - every other line, up to the next command or the closing fence, is the
///   command's recorded output; a recorded line that starts with `\` has
///   that one character removed (the escape `NotebookWriter` adds to output
///   lines that would otherwise read as a command or a fence);
/// - a trailing `#tolerance T` comment on a command line sets that cell's
///   tolerance (the shell's tokenizer ignores comments, so the command runs
///   unchanged).
///
/// Other fenced blocks (```` ```python ````) are prose; a fence is three or
/// more backticks or tildes at the left margin, closed by a line of at least
/// as many of the same character.
///
/// Errors name `FILE:LINE`: an unclosed front matter or fence, a bad header
/// line or value, output before the first command of a block, a bad
/// `#tolerance`. Nothing is executed from a file that does not parse.
public enum NotebookParser {
  /// The notebook in `text`.
  ///
  /// - Parameter path: the file, for messages.
  /// - Throws: `FileError` of kind `.malformed` with the line.
  public static func parse(_ text: String, path: String) throws(FileError) -> Notebook {
    var body = Substring(text)
    if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
    // Split on the byte: as Characters, "\r\n" is one grapheme, not a "\n".
    var lines = body.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    let endsWithNewline = lines.count > 1 && lines.last == ""
    if endsWithNewline { lines.removeLast() }
    let crlf = !lines.isEmpty && lines.allSatisfy { $0.hasSuffix("\r") }
    lines = lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
    var notebook = Notebook(
      path: path, header: nil, cells: [], lines: lines, lineEnding: crlf ? "\r\n" : "\n",
      endsWithNewline: endsWithNewline)
    var index = 0
    if let first = lines.first, trimTrailing(first) == "---" {
      let (header, end) = try parseHeader(lines, path: path)
      notebook.header = header
      index = end + 1
    }
    (notebook.cells, notebook.prose) = try parseBlocks(lines, from: index, path: path)
    return notebook
  }

  // MARK: Front matter

  private static func parseHeader(_ lines: [String], path: String) throws(FileError) -> (NotebookHeader, Int) {
    var header = NotebookHeader()
    var i = 1
    while i < lines.count {
      let line = trimTrailing(lines[i])
      defer { i += 1 }
      if line == "---" || line == "..." { return (header, i) }
      let trimmed = line.drop { $0 == " " }
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      func fail(_ problem: String) -> FileError { FileError(.malformed, path: path, line: i + 1, problem: problem) }
      guard let colon = trimmed.firstIndex(of: ":") else {
        throw fail("a header line must be 'key: value' (keys: \(NotebookHeader.keys.joined(separator: ", ")))")
      }
      let key = trim(trimmed[..<colon])
      var value = trim(trimmed[trimmed.index(after: colon)...])
      if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
        value = String(value.dropFirst().dropLast())
      }
      switch key {
      case "entropy-lab":
        guard !value.isEmpty else { throw fail("'entropy-lab' needs the version that recorded the notebook") }
        header.version = value
        header.versionLineIndex = i
      case "seed":
        guard let seed = UInt64(value) else {
          throw fail("'\(value)' is not a seed (a whole number from 0 to \(UInt64.max))")
        }
        header.seed = seed
      case "tolerance":
        guard let t = Tolerance(parsing: value) else {
          throw fail("'\(value)' is not a tolerance (printed, exact, T, abs T or rel T; e.g. 1e-6)")
        }
        header.tolerance = t
      case "title":
        header.title = value
      default:
        throw fail("'\(key)' is not a header key (keys: \(NotebookHeader.keys.joined(separator: ", ")))")
      }
    }
    throw FileError(
      .malformed, path: path, line: 1, problem: "the front matter opened here is not closed by a '---' line")
  }

  // MARK: Blocks

  /// A fence line: its character, its length and its info string.
  private static func fence(_ line: String) -> (char: Character, count: Int, info: String)? {
    guard let c = line.first, c == "`" || c == "~" else { return nil }
    let count = line.prefix { $0 == c }.count
    guard count >= 3 else { return nil }
    let info = trim(line.dropFirst(count))
    if c == "`" && info.contains("`") { return nil }
    return (c, count, info)
  }

  private static func parseBlocks(
    _ lines: [String], from start: Int, path: String
  ) throws(FileError) -> ([NotebookCell], [NotebookProse]) {
    var cells: [NotebookCell] = []
    var prose: [NotebookProse] = []
    var text: [String] = []
    func flushProse() {
      // Blank lines at either end dropped by index (removeFirst in a loop
      // would be quadratic in a long run of blank lines).
      let first = text.firstIndex { !$0.allSatisfy(\.isWhitespace) }
      let last = text.lastIndex { !$0.allSatisfy(\.isWhitespace) }
      if let first, let last {
        prose.append(NotebookProse(beforeCell: cells.count, text: text[first...last].joined(separator: "\n")))
      }
      text = []
    }
    var i = start
    while i < lines.count {
      guard let open = fence(lines[i]) else {
        text.append(lines[i])
        i += 1
        continue
      }
      let isLab = open.info.split(separator: " ").first.map { $0.lowercased() == "lab" } ?? false
      if isLab { flushProse() } else { text.append(lines[i]) }
      var j = i + 1
      var current: NotebookCell?
      var closed = false
      while j < lines.count {
        let line = lines[j]
        if let close = fence(trimTrailing(line)), close.char == open.char, close.count >= open.count,
          close.info.isEmpty
        {
          closed = true
          break
        }
        if !isLab { text.append(line) }
        if isLab {
          if let (number, command) = prompt(line) {
            if let cell = current { cells.append(finish(cell)) }
            current = NotebookCell(
              command: command, number: number, line: j + 1, output: [], outputRange: (j + 1)..<(j + 1),
              tolerance: try cellTolerance(command, path: path, line: j + 1))
          } else if current != nil {
            // Mutated in place: copying the cell out and back would copy its
            // output array on every line (quadratic in the cell's length).
            current?.output.append(line.hasPrefix("\\") ? String(line.dropFirst()) : line)
            let lower = current?.outputRange.lowerBound ?? j + 1
            current?.outputRange = lower..<(j + 1)
          } else if !line.allSatisfy(\.isWhitespace) {
            throw FileError(
              .malformed, path: path, line: j + 1,
              problem: "output before any command in this lab block (a command line starts with '> ')")
          }
        }
        j += 1
      }
      guard closed else {
        let kind = isLab ? "lab block" : "code block"
        throw FileError(.malformed, path: path, line: i + 1, problem: "the \(kind) opened here is never closed")
      }
      if let cell = current { cells.append(finish(cell)) }
      if !isLab { text.append(lines[j]) }
      i = j + 1
    }
    flushProse()
    return (cells, prose)
  }

  /// `markdown` made safe to write between a notebook's `lab` blocks: if
  /// its fences would open a `lab` block or leave a block unclosed, each
  /// fence line gets one leading space, which this parser does not read
  /// as a fence (Markdown viewers still do).
  ///
  /// Lines are split on the byte 0x0A and read without a trailing "\r", as
  /// `parse` reads them: split as Characters, "\r\n" is one grapheme, so a
  /// fence after a lone "\r" went unseen and unescaped, and the saved
  /// notebook did not parse (found by the `notebook` fuzz target).
  static func proseSafe(_ markdown: String) -> String {
    let raw = markdown.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    let lines = raw.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
    let safe: Bool
    do {
      safe =
        try parseBlocks(lines, from: 0, path: "").0.isEmpty
        && !lines.contains { fence($0)?.info.lowercased().hasPrefix("lab") ?? false }
    } catch {
      safe = false
    }
    if safe { return markdown }
    return zip(raw, lines).map { fence($1) != nil ? " " + $0 : $0 }.joined(separator: "\n")
  }

  /// Drops a cell's trailing blank output lines (layout, not output).
  private static func finish(_ cell: NotebookCell) -> NotebookCell {
    var cell = cell
    while let last = cell.output.last, last.allSatisfy(\.isWhitespace) {
      cell.output.removeLast()
      cell.outputRange = cell.outputRange.lowerBound..<(cell.outputRange.upperBound - 1)
    }
    return cell
  }

  /// The number and command of a prompt line `> cmd` or `[n]> cmd`.
  static func prompt(_ line: String) -> (number: Int?, command: String)? {
    var rest = Substring(line)
    var number: Int?
    if rest.first == "[" {
      guard let close = rest.firstIndex(of: "]"), let n = Int(rest[rest.index(after: rest.startIndex)..<close]),
        n >= 0
      else { return nil }
      number = n
      rest = rest[rest.index(after: close)...]
    }
    guard rest.first == ">" else { return nil }
    rest = rest.dropFirst()
    if rest.first == " " { rest = rest.dropFirst() }
    return (number, String(rest))
  }

  /// The tolerance of a `#tolerance T` comment on a command line.
  static func cellTolerance(_ command: String, path: String, line: Int) throws(FileError) -> Tolerance? {
    guard let comment = commentStart(command) else { return nil }
    let text = command[comment...]
    guard let marker = text.range(of: "#tolerance", options: .backwards) else { return nil }
    let value = trim(text[marker.upperBound...])
    guard let t = Tolerance(parsing: value) else {
      throw FileError(
        .malformed, path: path, line: line,
        problem: "'#tolerance \(value)' is not a tolerance (printed, exact, T, abs T or rel T; e.g. #tolerance 1e-6)")
    }
    return t
  }

  /// Where the comment of a command line starts, by `Tokenizer`'s rule: a
  /// `#` outside quotes at the start of a word.
  static func commentStart(_ line: String) -> String.Index? {
    var inWord = false
    var quote: Character?
    var i = line.startIndex
    while i < line.endIndex {
      let ch = line[i]
      if let q = quote {
        if ch == q { quote = nil }
      } else if ch == "\"" || ch == "'" {
        inWord = true
        quote = ch
      } else if ch == "#" && !inWord {
        return i
      } else {
        inWord = !ch.isWhitespace
      }
      i = line.index(after: i)
    }
    return nil
  }

  /// `s` without leading and trailing characters from `set`.
  static func trim(_ s: some StringProtocol, _ set: String = " \t") -> String {
    var t = Substring(s)
    while let f = t.first, set.contains(f) { t = t.dropFirst() }
    while let l = t.last, set.contains(l) { t = t.dropLast() }
    return String(t)
  }

  /// `s` without trailing spaces and tabs.
  static func trimTrailing(_ s: some StringProtocol) -> String {
    var t = Substring(s)
    while let l = t.last, l == " " || l == "\t" { t = t.dropLast() }
    return String(t)
  }
}
