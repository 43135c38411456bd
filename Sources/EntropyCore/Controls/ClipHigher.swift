/// Clip-higher (DAPO §3.1): a wider upper PPO clip bound ε_high (0.28)
/// with the lower one unchanged, so low-probability tokens with positive
/// advantage can rise further.
public struct ClipHigher: EntropyControl {
  public static let name = "cliphigher"
  public static let summary = "Clip-higher (DAPO): raise the upper PPO clip bound to ε_high"
  public static let source = ControlSource(
    "DAPO (Yu et al. 2025) §3.1; PRIME-RL's `7b_cliphigher.sh` (ε_high 0.28)", status: .verified)
  public static let details = [
    "Default: DAPO's ε_high = 0.28, the paper's clip-higher baseline; the ratio may rise to 1 + ε_high, "
      + "ε_low stays at the session's clip."
  ]
  public static let isClassic = true
  public static let clipPreset: (low: Double, high: Double, source: String)? = (
    0.2, 0.28, "DAPO clip-higher, PRIME-RL's cliphigher scripts"
  )
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
