import Foundation

/// Reads a command's words one by one, with typed helpers whose errors name
/// the command, the offending word and the expected form.
public struct ArgumentReader: Sendable {
  /// The command's full name; a command with several forms narrows it to
  /// the form being parsed (`policy logits`).
  public var command: String
  /// The usage line quoted in errors; a command with several forms narrows
  /// it to the form being parsed.
  public var usage: String
  /// The words after the command name.
  public private(set) var tokens: [Token]
  /// The index of the next word.
  public private(set) var position = 0

  /// A reader over `tokens` (the words after the command name).
  public init(command: String, usage: String, tokens: [Token]) {
    self.command = command
    self.usage = usage
    self.tokens = tokens
  }

  /// Whether every word has been read.
  public var isAtEnd: Bool { position >= tokens.count }

  /// The next word without consuming it.
  public var peek: String? { isAtEnd ? nil : tokens[position].text }

  /// The words not yet read.
  public var remaining: [Token] { Array(tokens[position...]) }

  /// An error about `word` (or about the command as a whole).
  public func error(_ problem: String, word: String? = nil) -> LabError {
    LabError(command: command, word: word, problem: problem, expected: usage)
  }

  /// Consumes and returns the next word.
  public mutating func next(_ what: String) throws(LabError) -> String {
    guard !isAtEnd else { throw error("needs \(what)") }
    defer { position += 1 }
    return tokens[position].text
  }

  /// Consumes the next word if it equals `word`.
  public mutating func consume(_ word: String) -> Bool {
    guard peek == word else { return false }
    position += 1
    return true
  }

  /// Throws unless every word has been read.
  public func expectEnd() throws(LabError) {
    guard isAtEnd else { throw error("is not expected here", word: tokens[position].text) }
  }

  /// Parses a finite number (also `inf`/`-inf` when `allowInfinity`).
  public static func parseNumber(_ text: String, allowNegativeInfinity: Bool = false) -> Double? {
    let lowered = text.lowercased()
    if allowNegativeInfinity && (lowered == "-inf" || lowered == "-infinity") { return -.infinity }
    guard let value = Double(text), value.isFinite else { return nil }
    return value
  }

  /// Consumes a finite number.
  public mutating func number(_ what: String) throws(LabError) -> Double {
    let word = try next(what)
    guard let value = ArgumentReader.parseNumber(word) else {
      throw error("is not a finite number (expected \(what))", word: word)
    }
    return value
  }

  /// Consumes a finite number greater than zero.
  public mutating func positiveNumber(_ what: String) throws(LabError) -> Double {
    let word = peek ?? ""
    let value = try number(what)
    guard value > 0 else { throw error("must be greater than 0 (expected \(what))", word: word) }
    return value
  }

  /// Consumes a finite number that is not negative.
  public mutating func nonNegativeNumber(_ what: String) throws(LabError) -> Double {
    let word = peek ?? ""
    let value = try number(what)
    guard value >= 0 else { throw error("must not be negative (expected \(what))", word: word) }
    return value
  }

  /// Parses a whole number, also written as `1e3` or `1000.0`; a whole
  /// number too large for `Int` is returned as `Int.max`.
  public static func parseWholeNumber(_ text: String) -> Int? {
    if let value = Int(text) { return value }
    guard let x = Double(text), x.isFinite, x == x.rounded() else { return nil }
    if x >= 0x1p63 { return Int.max }
    if x < -0x1p63 { return Int.min }
    return Int(x)
  }

  /// Consumes a whole number in `range`.
  public mutating func integer(_ what: String, in range: ClosedRange<Int>) throws(LabError) -> Int {
    let word = try next(what)
    guard let value = ArgumentReader.parseWholeNumber(word) else {
      throw error("is not a whole number (expected \(what))", word: word)
    }
    guard range.contains(value) else {
      let upper = range.upperBound == Int.max ? "" : " and \(range.upperBound)"
      let bounds = upper.isEmpty ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
      throw error("is out of range (expected \(what) \(bounds))", word: word)
    }
    return value
  }

  /// Consumes an unsigned 64-bit whole number.
  public mutating func unsigned(_ what: String) throws(LabError) -> UInt64 {
    let word = try next(what)
    guard let value = UInt64(word) else {
      throw error("is not a whole number from 0 to \(UInt64.max) (expected \(what))", word: word)
    }
    return value
  }

  /// Consumes one of `choices`.
  public mutating func choice(_ what: String, _ choices: [String]) throws(LabError) -> String {
    let word = try next(what)
    guard choices.contains(word) else {
      throw error("is not one of: \(choices.joined(separator: ", "))", word: word)
    }
    return word
  }

  /// Consumes `on` or `off` (also yes/no, true/false, 1/0).
  public mutating func toggle() throws(LabError) -> Bool {
    let word = try next("on or off")
    switch word.lowercased() {
    case "on", "yes", "true", "1": return true
    case "off", "no", "false", "0": return false
    default: throw error("is not on or off", word: word)
    }
  }

  /// Consumes numbers up to the first word that is not one (or one of
  /// `stopWords`); `-inf` is accepted when `allowNegativeInfinity`.
  public mutating func numbers(_ what: String, allowNegativeInfinity: Bool = false, stopWords: Set<String>)
    throws(LabError) -> [Double]
  {
    var values: [Double] = []
    while let word = peek, !stopWords.contains(word) {
      guard let value = ArgumentReader.parseNumber(word, allowNegativeInfinity: allowNegativeInfinity) else {
        let kind = allowNegativeInfinity ? "a finite number or -inf" : "a finite number"
        throw error("is not \(kind) (expected \(what))", word: word)
      }
      values.append(value)
      position += 1
    }
    return values
  }
}
