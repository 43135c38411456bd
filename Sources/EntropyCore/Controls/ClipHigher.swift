/// Clip-higher (DAPO §3.1): a wider upper PPO clip bound ε_high (0.28)
/// with the lower one unchanged, so low-probability tokens with positive
/// advantage can rise further.
public struct ClipHigher: EntropyControl {
  public static let name = "cliphigher"
  public static let summary = "Clip-higher (DAPO): raise the upper PPO clip bound to ε_high"
  public static let parameters: [ControlParameter] = [
    ControlParameter(name: "high", symbol: "ε_high", defaultValue: 0.28, allowed: "a number > 0") {
      $0 > 0 && $0.isFinite
    }
  ]

  /// The upper clip bound ε_high.
  public var high: Double

  public init(values: [Double]) {
    high = values[0]
  }

  public func adjustClip(_ range: inout (low: Double, high: Double)?) {
    if range != nil { range?.high = high }
  }
}
