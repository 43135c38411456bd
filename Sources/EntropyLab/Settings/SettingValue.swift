/// The typed value of a setting: what `get` prints and what JSON carries
/// (numbers as JSON numbers, switches as JSON booleans).
public enum SettingValue: Sendable, Equatable {
  /// A real number (`lr`, `clip.low`, a control's parameter).
  case number(Double)
  /// A whole number (`group`, `minibatches`).
  case integer(Int)
  /// A seed: a whole number from 0 to 2⁶⁴ − 1.
  case seed(UInt64)
  /// A switch (`filter`, `clipcov.on`).
  case flag(Bool)
  /// One of a few words (`update`, `noise`, `control`).
  case word(String)
  /// No value in the current state (`noise.sigma` while the noise is not
  /// Gaussian; `control.ratio` while the controls' ratios differ).
  case absent

  /// The value as JSON.
  public var json: JSONValue {
    switch self {
    case .number(let x): return .number(x)
    case .integer(let i): return .int(i)
    case .seed(let u): return u <= UInt64(Int.max) ? .int(Int(u)) : .unsigned(u)
    case .flag(let b): return .bool(b)
    case .word(let w): return .string(w)
    case .absent: return .null
    }
  }

  /// The value as text, exactly: the shortest decimal that reads back as
  /// the same number (`0.1`, `3`, `1e-05`), `on`/`off` for switches, `-`
  /// for no value.
  public var text: String {
    switch self {
    case .number(let x): return SettingValue.exact(x)
    case .integer(let i): return String(i)
    case .seed(let u): return String(u)
    case .flag(let b): return b ? "on" : "off"
    case .word(let w): return w
    case .absent: return "-"
    }
  }

  /// The shortest text that reads back as `x`, without a trailing `.0`.
  static func exact(_ x: Double) -> String {
    if x.isFinite && x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
    return "\(x)"
  }
}
