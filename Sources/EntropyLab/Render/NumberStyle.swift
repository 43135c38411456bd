import Foundation

/// How a number is printed in text. JSON always carries full precision.
///
/// Notebooks check numbers to the precision printed, so every style prints
/// a fixed number of significant digits.
public enum NumberStyle: Sendable, Equatable {
  /// Fixed-point with `digits` decimals: `0.4739908463`.
  case fixed(Int)
  /// Scientific with `digits` decimals in the mantissa: `-4.0551032e-03`.
  case scientific(Int)
  /// `%g` with `digits` significant digits: `0.001`, `1e-05`.
  case general(Int)

  /// Probabilities, entropies, log-probabilities: 10 decimals.
  public static let value = NumberStyle.fixed(10)
  /// Entropy changes and predictions: 8 decimals in the mantissa.
  public static let change = NumberStyle.scientific(8)
  /// Settings the user typed: up to 6 significant digits.
  public static let setting = NumberStyle.general(6)

  /// The text of `x` in this style; −∞ prints as `-inf`.
  public func format(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    switch self {
    case .fixed(let d):
      // Beyond 1e15 fixed-point would print hundreds of digits.
      if abs(x) >= 1e15 { return String(format: "%.\(d)e", x) }
      return NumberStyle.clean(String(format: "%.\(d)f", x))
    case .scientific(let d): return String(format: "%.\(d)e", x == 0 ? 0 : x)
    case .general(let d): return String(format: "%.\(d)g", x)
    }
  }

  /// Removes a minus sign from a printed zero (`-0.0000` → `0.0000`).
  static func clean(_ s: String) -> String {
    if s.hasPrefix("-") && s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(s.dropFirst()) }
    return s
  }
}
