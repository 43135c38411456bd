import Foundation

/// How close a regenerated number must be to the recorded one for a
/// notebook check to pass.
///
/// Written in a notebook's header (`tolerance: 1e-6`) or on one cell's
/// command line (`> step 5  #tolerance 1e-3`), in one of these forms:
///
/// | text        | passes when                                              |
/// |-------------|----------------------------------------------------------|
/// | `printed`   | (default) the numbers agree to the precision printed     |
/// | `exact`     | the two numbers are printed identically                  |
/// | `T`         | \|a − b\| ≤ T, or \|a − b\| ≤ T·max(\|a\|, \|b\|)           |
/// | `abs T`     | \|a − b\| ≤ T                                            |
/// | `rel T`     | \|a − b\| ≤ T·max(\|a\|, \|b\|)                            |
///
/// *To the precision printed*: a printed number stands for every value
/// within half a unit of its last digit (`0.4740` for 0.47395 … 0.47405);
/// two printed numbers match when those intervals touch,
/// \|a − b\| ≤ ½·u(a) + ½·u(b). A last-digit flip from rounding passes
/// (`0.4740` against `0.4741`); two units do not (`0.4740` against `0.4742`).
/// A whole number printed without a point or exponent (`42`, a step, a
/// count) is exact: it has no rounding to allow for.
///
/// Properties:
/// - Identically printed numbers always match, whatever the tolerance.
/// - An explicit tolerance replaces the default: it can loosen or tighten.
///
/// Edge cases: `inf`, `-inf` and `nan` are words, compared exactly.
public enum Tolerance: Sendable, Equatable, CustomStringConvertible {
  /// Numbers agree to the precision printed (the default).
  case printed
  /// Numbers are printed identically.
  case exact
  /// Within `T` absolutely or relatively (the bare form `T`).
  case either(Double)
  /// Within `T` absolutely.
  case absolute(Double)
  /// Within `T` relatively to the larger magnitude.
  case relative(Double)

  /// Parses `printed`, `exact`, `T`, `abs T` or `rel T` (T a finite number ≥ 0).
  public init?(parsing text: String) {
    let words = text.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
    func bound(_ word: String) -> Double? {
      guard let t = Double(word), t.isFinite, t >= 0 else { return nil }
      return t
    }
    switch words.count {
    case 1:
      if words[0] == "printed" {
        self = .printed
      } else if words[0] == "exact" {
        self = .exact
      } else if let t = bound(words[0]) {
        self = .either(t)
      } else {
        return nil
      }
    case 2:
      guard let t = bound(words[1]) else { return nil }
      switch words[0] {
      case "abs": self = .absolute(t)
      case "rel": self = .relative(t)
      default: return nil
      }
    default:
      return nil
    }
  }

  /// The form `init(parsing:)` reads back.
  public var description: String {
    switch self {
    case .printed: return "printed"
    case .exact: return "exact"
    case .either(let t): return Tolerance.format(t)
    case .absolute(let t): return "abs " + Tolerance.format(t)
    case .relative(let t): return "rel " + Tolerance.format(t)
    }
  }

  static func format(_ t: Double) -> String { String(format: "%g", t) }

  /// Whether the printed number `got` matches the printed number `expected`.
  public func matches(expected: String, got: String) -> Bool {
    if expected == got { return true }
    guard self != .exact, let a = PrintedNumber(expected), let b = PrintedNumber(got) else { return false }
    return abs(a.value - b.value) <= allowance(a, b)
  }

  /// The largest difference allowed between two printed numbers.
  func allowance(_ a: PrintedNumber, _ b: PrintedNumber) -> Double {
    let magnitude = max(abs(a.value), abs(b.value))
    switch self {
    case .exact: return 0
    // The slack absorbs the binary rounding of the two decimal texts.
    case .printed: return (a.unit + b.unit) / 2 + 4 * Double.ulpOfOne * magnitude
    case .either(let t): return max(t, t * magnitude)
    case .absolute(let t): return t
    case .relative(let t): return t * magnitude
    }
  }

  /// Words for a failed match: the difference and what was allowed.
  func explain(expected: String, got: String) -> String {
    guard let a = PrintedNumber(expected), let b = PrintedNumber(got) else { return "" }
    let difference = NumberStyle.general(2).format(abs(a.value - b.value))
    switch self {
    case .exact: return "differs by \(difference); tolerance exact"
    case .printed:
      let allowed = NumberStyle.general(2).format((a.unit + b.unit) / 2)
      return "differs by \(difference); the printed precision allows \(allowed)"
    default:
      return "differs by \(difference); tolerance \(self)"
    }
  }
}

/// A number as printed in a cell's output: its value and the size of one
/// unit in its last printed digit.
///
/// Grammar: `[+-]? (digits [. digits] | . digits) ([eE] [+-]? digits)?`.
/// `0.4740` has unit 1e-4; `-4.0551032e-03` has unit 1e-10; `1e-05` has
/// unit 1e-5; a whole number (`42`) has unit 0: it is exact.
struct PrintedNumber: Equatable {
  /// The value the text denotes.
  var value: Double
  /// One unit in the last printed digit; 0 for a whole number.
  var unit: Double

  /// Reads `text`, which must be a whole number literal.
  init?(_ text: String) {
    let chars = Array(text.utf8)
    guard let length = PrintedNumber.scan(chars[...]), length == chars.count, let value = Double(text),
      value.isFinite
    else { return nil }
    var decimals = 0
    var exponent = 0
    let isWhole = !chars.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    if let dot = chars.firstIndex(of: UInt8(ascii: ".")) {
      var i = dot + 1
      while i < chars.count, PrintedNumber.isDigit(chars[i]) {
        decimals += 1
        i += 1
      }
    }
    if let e = chars.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
      exponent = Int(String(decoding: chars[(e + 1)...], as: UTF8.self)) ?? 0
    }
    self.value = value
    self.unit = isWhole ? 0 : pow(10, Double(exponent - decimals))
  }

  static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

  /// The length of the number literal at the start of `chars`, if one starts there.
  static func scan(_ chars: ArraySlice<UInt8>) -> Int? {
    var i = chars.startIndex
    let end = chars.endIndex
    if i < end, chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-") { i += 1 }
    var digits = 0
    while i < end, isDigit(chars[i]) {
      i += 1
      digits += 1
    }
    if i < end, chars[i] == UInt8(ascii: "."), i + 1 < end, isDigit(chars[i + 1]) {
      i += 1
      while i < end, isDigit(chars[i]) {
        i += 1
        digits += 1
      }
    }
    guard digits > 0 else { return nil }
    if i < end, chars[i] == UInt8(ascii: "e") || chars[i] == UInt8(ascii: "E") {
      var j = i + 1
      if j < end, chars[j] == UInt8(ascii: "+") || chars[j] == UInt8(ascii: "-") { j += 1 }
      if j < end, isDigit(chars[j]) {
        while j < end, isDigit(chars[j]) { j += 1 }
        i = j
      }
    }
    return i - chars.startIndex
  }
}
