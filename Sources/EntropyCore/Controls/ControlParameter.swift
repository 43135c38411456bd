/// One setting of an entropy control, with its default: a number (`ratio`,
/// `coef`), or a choice among words (`center batch|response`), stored as
/// the index of the word.
public struct ControlParameter: Sendable {
  /// The word typed in the shell (`ratio`, `low`, `coef`, …).
  public var name: String
  /// The symbol in the method's source (r, ω_low, β, …).
  public var symbol: String
  /// The default value (for a choice: the index of the default word).
  public var defaultValue: Double
  /// The values allowed, as text for errors (e.g. "in (0, 1]").
  public var allowed: String
  /// Whether a value is allowed.
  public var isValid: @Sendable (Double) -> Bool
  /// The unit or scale of the value (`fraction of the tokens`, `nats`);
  /// empty when it has none.
  public var unit = ""
  /// For a choice, its words (the value is the index of one); nil for a number.
  public var choices: [String]?

  /// A numeric parameter from its parts.
  public init(
    name: String, symbol: String, defaultValue: Double, allowed: String, unit: String = "",
    isValid: @escaping @Sendable (Double) -> Bool
  ) {
    self.name = name
    self.symbol = symbol
    self.defaultValue = defaultValue
    self.allowed = allowed
    self.unit = unit
    self.isValid = isValid
  }

  /// A choice among `choices`, defaulting to `defaultChoice` (which must be one of them).
  public init(name: String, symbol: String? = nil, choices: [String], defaultChoice: String) {
    self.name = name
    self.symbol = symbol ?? name
    self.choices = choices
    self.defaultValue = Double(choices.firstIndex(of: defaultChoice) ?? 0)
    self.allowed = choices.joined(separator: "|")
    let count = choices.count
    self.isValid = { v in v >= 0 && v < Double(count) && v == v.rounded() }
  }

  /// The value of `word` for this parameter (a choice's index, or the
  /// number), or nil when it is not allowed.
  public func parse(_ word: String) -> Double? {
    if let choices {
      return choices.firstIndex(of: word.lowercased()).map(Double.init)
    }
    guard let x = Double(word), isValid(x) else { return nil }
    return x
  }

  /// The word of a choice's value (nil for a number or a value out of range).
  public func word(_ value: Double) -> String? {
    guard let choices, value >= 0, value < Double(choices.count) else { return nil }
    return choices[Int(value)]
  }
}
