/// One word or number of a cell's output, for comparison.
enum OutputToken: Equatable {
  /// A run of non-space characters that is not a number, compared exactly.
  case word(String)
  /// A number literal (`PrintedNumber`), compared within a tolerance.
  case number(String)

  /// The token's text.
  var text: String {
    switch self {
    case .word(let w), .number(let w): return w
    }
  }

  /// The words and numbers of `line`, split at white space and at the
  /// borders of numbers: `H = 1.386,` is `H`, `=`, 1.386, `,`.
  ///
  /// A number starts at a digit, or at `+`, `-` or `.` before one, and only
  /// where the previous character is not part of a word (a letter, digit,
  /// `.`, `_` or any non-ASCII character) nor a sign glued to one, so `s1`,
  /// `top-5`, `Δ-3` and `..5` stay words.
  static func split(_ line: String) -> [OutputToken] {
    var tokens: [OutputToken] = []
    let bytes = Array(line.utf8)
    var word: [UInt8] = []
    var i = 0
    func flush() {
      if !word.isEmpty { tokens.append(.word(String(decoding: word, as: UTF8.self))) }
      word = []
    }
    while i < bytes.count {
      let c = bytes[i]
      if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A {
        flush()
        i += 1
        continue
      }
      if startsNumber(bytes, at: i), let length = PrintedNumber.scan(bytes[i...]) {
        flush()
        tokens.append(.number(String(decoding: bytes[i..<(i + length)], as: UTF8.self)))
        i += length
        continue
      }
      word.append(c)
      i += 1
    }
    flush()
    return tokens
  }

  /// Whether a number may start at `i` (see `split`).
  private static func startsNumber(_ bytes: [UInt8], at i: Int) -> Bool {
    let c = bytes[i]
    let isSign = c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    guard PrintedNumber.isDigit(c) || (isSign && i + 1 < bytes.count) else { return false }
    guard i > 0 else { return true }
    let p = bytes[i - 1]
    if isWordByte(p) { return false }
    let afterSign = p == UInt8(ascii: "-") || p == UInt8(ascii: "+")
    return !(afterSign && i >= 2 && isWordByte(bytes[i - 2]))
  }

  /// Whether `b` belongs to a word: a letter, digit, `.`, `_`, or a byte of
  /// a non-ASCII character (π, Δ, ²).
  private static func isWordByte(_ b: UInt8) -> Bool {
    (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
      || PrintedNumber.isDigit(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b >= 0x80
  }
}

/// Compares a cell's recorded output with its regenerated output, line by
/// line and token by token: words exactly, numbers within a `Tolerance`.
///
/// Blank lines are ignored on both sides (layout, not content); spacing
/// inside a line is ignored (tables re-align when a number's width changes).
/// Each differing line is reported once, at its first differing token.
enum OutputComparer {
  /// The most differing lines reported for one cell.
  static let maxReportedLines = 8

  /// The mismatches of one cell.
  ///
  /// - Parameters:
  ///   - expected: the recorded output lines with their 1-based file lines.
  ///   - got: the regenerated output text.
  ///   - anchor: the line to report extra output at when nothing was recorded.
  static func compare(
    expected: [(line: Int, text: String)], got: String, tolerance: Tolerance, path: String, anchor: Int
  ) -> [Mismatch] {
    let recorded = expected.filter { !isBlank($0.text) }
    let regenerated = got.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter {
      !isBlank($0)
    }
    var mismatches: [Mismatch] = []
    for index in 0..<max(recorded.count, regenerated.count) {
      if mismatches.count == maxReportedLines { break }
      if index >= recorded.count {
        let gotLine = regenerated[index]
        let at = recorded.last?.line ?? anchor
        mismatches.append(
          Mismatch(
            kind: .extraOutput(got: OutputToken.split(gotLine).first?.text ?? gotLine), path: path, line: at,
            gotLine: gotLine))
        break
      }
      let (line, expectedLine) = recorded[index]
      guard index < regenerated.count else {
        mismatches.append(
          Mismatch(
            kind: .missingOutput(expected: OutputToken.split(expectedLine).first?.text ?? expectedLine), path: path,
            line: line, expectedLine: expectedLine))
        break
      }
      let gotLine = regenerated[index]
      if let kind = firstDifference(expectedLine, gotLine, tolerance: tolerance) {
        mismatches.append(Mismatch(kind: kind, path: path, line: line, expectedLine: expectedLine, gotLine: gotLine))
      }
    }
    return mismatches
  }

  /// The first token of `got` that does not match `expected`, if any.
  static func firstDifference(_ expected: String, _ got: String, tolerance: Tolerance) -> Mismatch.Kind? {
    let e = OutputToken.split(expected)
    let g = OutputToken.split(got)
    for i in 0..<max(e.count, g.count) {
      guard i < e.count else { return .extraOutput(got: g[i].text) }
      guard i < g.count else { return .missingOutput(expected: e[i].text) }
      switch (e[i], g[i]) {
      case (.number(let a), .number(let b)):
        if !tolerance.matches(expected: a, got: b) { return .number(expected: a, got: b, tolerance: tolerance) }
      default:
        if e[i] != g[i] { return .word(expected: e[i].text, got: g[i].text) }
      }
    }
    return nil
  }

  static func isBlank(_ line: String) -> Bool { line.allSatisfy(\.isWhitespace) }
}
