/// An adaptive entropy coefficient in TRL's style (TRL issue #3320, PR
/// #6140 as summarised in literature.md §11): the entropy bonus's α moves
/// by δ toward a target entropy every step — up when the rollout's entropy
/// H_t is below the target H*, down (not below 0) otherwise — and, with
/// `gate on`, the bonus is applied only while H_t ≤ H*.
public struct AdaptiveEntropy: EntropyControl {
  public static let name = "adaptive-entropy"
  public static let summary = "Adaptive entropy coefficient: the bonus's α moves ±δ toward a target entropy each step"
  public static let source = ControlSource(
    "TRL issue #3320 and PR #6140 (coef ± δ toward a target, applied only when H ≤ target), as summarised in "
      + "literature.md §11; the PR's code was not read here",
    status: .secondary)
  public static let details = [
    "Each step, after the rollout: α ← α + δ if H_t < H*, else max(0, α − δ), with H_t the mean over the",
    "rollout's responses of H(π(·|s)) under the pre-update policy; then the bonus −α·(token-mean H) as",
    "'entropybonus'. gate on (default): no bonus while H_t > H*. α starts at coef when switched on or set.",
  ]
  public static let parameters = [
    ControlParameter(name: "coef", symbol: "α₀", defaultValue: 0, allowed: "a number ≥ 0") { $0 >= 0 && $0.isFinite },
    ControlParameter(name: "target", symbol: "H*", defaultValue: 0.5, allowed: "a number ≥ 0", unit: "nats") {
      $0 >= 0 && $0.isFinite
    },
    ControlParameter(name: "delta", symbol: "δ", defaultValue: 1e-3, allowed: "a number ≥ 0") {
      $0 >= 0 && $0.isFinite
    },
    ControlParameter(name: "gate", choices: ["on", "off"], defaultChoice: "on"),
  ]
  public static let activity = [
    ActivityMeasure(key: "adaptive_alpha", heading: "α", summary: "the coefficient this step used", kind: .level),
    ActivityMeasure(key: "adaptive_h", heading: "H_t", summary: "the rollout entropy it compared", kind: .level),
  ]

  /// The coefficient at the start (and after a reset).
  public var start: Double
  /// H*.
  public var target: Double
  /// δ.
  public var delta: Double
  /// Whether the bonus is applied only while H_t ≤ H*.
  public var gated: Bool
  /// The current α (nil until the first step).
  public var alpha: Double?
  /// Whether this step applies the bonus.
  var active = true

  public init(values: [Double]) {
    start = values[0]
    target = values[1]
    delta = values[2]
    gated = values[3] == 0
  }

  /// α, carried between steps.
  public var memory: [Double] {
    get { alpha.map { [$0] } ?? [] }
    set { alpha = newValue.first }
  }

  /// The next α from the current one and the rollout entropy.
  public static func next(alpha: Double, entropy: Double, target: Double, delta: Double) -> Double {
    entropy < target ? alpha + delta : max(0, alpha - delta)
  }

  public mutating func prepare(_ rollout: inout ControlRollout, using generator: inout SplitMix64) {
    let a = Self.next(alpha: alpha ?? start, entropy: rollout.entropy, target: target, delta: delta)
    alpha = a
    active = !gated || rollout.entropy <= target
    rollout.activity.level("adaptive_alpha", active ? a : 0)
    rollout.activity.level("adaptive_h", rollout.entropy)
  }

  public func extraLogitGradient(probabilities: [Double], entropy: Double, weight: Double) -> [Double]? {
    guard active, let a = alpha, a > 0 else { return nil }
    return EntropyBonus(values: [a]).extraLogitGradient(probabilities: probabilities, entropy: entropy, weight: weight)
  }
}
