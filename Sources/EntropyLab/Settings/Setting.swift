/// One setting of a session: a stable dotted key, the values it accepts
/// and how it reads and writes the state. `SettingsRegistry` holds them all.
public struct Setting: Sendable {
  /// The stable key (`lr`, `clip.low`, `clipcov.ratio`).
  public var key: String
  /// Other keys accepted for it (the one-word names sweeps used before).
  public var aliases: [String]
  /// One line for `get`'s listing and the README.
  public var summary: String
  /// The values accepted, as text for errors (`a number > 0`, `on|off`).
  public var expected: String
  /// Whether it is a view over other settings (`control`, `clip`): listed
  /// by `get KEY` and accepted by `set` and `sweep`, but not by `status`,
  /// which lists the settings it is made of.
  public var isView: Bool
  /// The value of a typed word, or nil if the word is not one it accepts.
  public var parse: @Sendable (String) -> SettingValue?
  /// The current value.
  public var read: @Sendable (LabState) -> SettingValue
  /// Stores a value `parse` returned.
  public var write: @Sendable (inout LabState, SettingValue) -> Void
  /// Whether `status` lists it in `state` (a control reached only through
  /// `control` is listed once it is on, set or scheduled).
  public var isListed: @Sendable (LabState) -> Bool = { _ in true }

  /// A setting from its parts.
  public init(
    key: String, aliases: [String] = [], summary: String, expected: String, isView: Bool = false,
    parse: @escaping @Sendable (String) -> SettingValue?, read: @escaping @Sendable (LabState) -> SettingValue,
    write: @escaping @Sendable (inout LabState, SettingValue) -> Void
  ) {
    self.key = key
    self.aliases = aliases
    self.summary = summary
    self.expected = expected
    self.isView = isView
    self.parse = parse
    self.read = read
    self.write = write
  }
}

/// Parsers of typed words, shared by the settings.
enum SettingParse {
  /// A finite number satisfying `valid`.
  static func number(_ valid: @escaping @Sendable (Double) -> Bool) -> @Sendable (String) -> SettingValue? {
    { word in
      guard let x = ArgumentReader.parseNumber(word), valid(x) else { return nil }
      return .number(x)
    }
  }

  /// A whole number in `range` (also written `1e3` or `8.0`).
  static func integer(_ range: ClosedRange<Int>) -> @Sendable (String) -> SettingValue? {
    { word in
      guard let i = ArgumentReader.parseWholeNumber(word), range.contains(i) else { return nil }
      return .integer(i)
    }
  }

  /// A switch: on|off, true|false (also yes|no, 1|0, as `filter on` takes).
  static let flag: @Sendable (String) -> SettingValue? = { word in
    switch word.lowercased() {
    case "on", "true", "yes", "1": return .flag(true)
    case "off", "false", "no", "0": return .flag(false)
    default: return nil
    }
  }

  /// One of `words`.
  static func word(_ words: [String]) -> @Sendable (String) -> SettingValue? {
    { word in words.contains(word) ? .word(word) : nil }
  }
}

extension SettingValue {
  /// The number of a `.number` or `.integer` value.
  var double: Double? {
    switch self {
    case .number(let x): return x
    case .integer(let i): return Double(i)
    default: return nil
    }
  }

  /// The whole number of an `.integer` value.
  var int: Int? {
    if case .integer(let i) = self { return i }
    return nil
  }

  /// The switch of a `.flag` value.
  var bool: Bool? {
    if case .flag(let b) = self { return b }
    return nil
  }

  /// The word of a `.word` value.
  var string: String? {
    if case .word(let w) = self { return w }
    return nil
  }
}
