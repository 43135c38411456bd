/// CISPO (MiniMax-M1, arXiv 2506.13585): REINFORCE on log π with a clipped,
/// detached importance weight, ∂loss_i/∂log π_i = −clip(ρ_i, 1 − ε_low, cap)·A_i,
/// for every token (no PPO clip zeroes any token's gradient).
///
/// The cap is verl's 1 + ε_high (`cap relative`, `compute_policy_loss_cispo`)
/// or TRL's absolute ε_high (`cap absolute`, `loss_type="cispo"`). The lower
/// bound 1 − ε_low is 0 by default (ε_low = 1): none, as MiniMax uses it.
public struct CISPO: EntropyControl {
  public static let name = "cispo"
  public static let summary =
    "CISPO: REINFORCE with a clipped, detached importance weight on every token instead of PPO's clip"
  public static let source = ControlSource(
    "MiniMax-M1 (arXiv 2506.13585), objective from ≥4 consistent secondary quotes; code read: verl "
      + "`compute_policy_loss_cispo` @1dda039 (cap 1 + ε_high; its example sets ε_low 10, ε_high 0.2) and TRL "
      + "GRPOTrainer loss_type=\"cispo\" (absolute cap ε_high, docstring 5.0) — literature.md §3",
    status: .secondary)
  public static let details = [
    "With one minibatch and one epoch every ratio is 1, so CISPO is exactly REINFORCE with GRPO advantages;",
    "it differs from PPO only from the 2nd minibatch or epoch on (set 'minibatches' or 'epochs' above 1).",
    "Departures as settings: cap relative (verl: ŵ ≤ 1 + high) or absolute (TRL: ŵ ≤ max); low: the lower bound",
    "1 − low (default low = 1: no lower bound, as MiniMax; verl's yaml default would be 0.2). MiniMax's own ε_high",
    "was not found. The aggregation is the session's (token-mean by default, as verl and TRL).",
  ]
  public static let parameters = [
    ControlParameter(name: "cap", choices: ["relative", "absolute"], defaultChoice: "relative"),
    ControlParameter(
      name: "high", symbol: "ε_high", defaultValue: 0.2, allowed: "a number ≥ 0", unit: "cap 1 + ε_high (relative)"
    ) { $0 >= 0 && $0.isFinite },
    ControlParameter(name: "max", symbol: "c", defaultValue: 5, allowed: "a number > 0", unit: "cap c (absolute)") {
      $0 > 0 && $0.isFinite
    },
    ControlParameter(name: "low", symbol: "ε_low", defaultValue: 1, allowed: "a number ≥ 0", unit: "floor 1 − ε_low") {
      $0 >= 0 && $0.isFinite
    },
  ]
  public static let activity = [
    ActivityMeasure(key: "cispo_capped", heading: "capped", summary: "tokens whose weight ρ was capped"),
    ActivityMeasure(key: "cispo_floored", heading: "floored", summary: "tokens whose weight ρ was raised to the floor"),
  ]
  public static let coefficient: String? = "high"
  public static let keepsDualClip = false

  /// The largest weight.
  public var cap: Double
  /// The smallest weight (0: none).
  public var floor: Double

  public init(values: [Double]) {
    cap = values[0] == 1 ? values[2] : 1 + values[1]
    floor = max(0, 1 - values[3])
  }

  /// No PPO clip: the weight's clip replaces it.
  public func adjustClip(_ range: inout (low: Double, high: Double)?) {
    range = nil
  }

  public func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64) {
    var capped: [Int] = []
    var floored = 0
    for i in 0..<terms.count {
      let rho = terms.ratios[i]
      let w = min(max(rho, floor), cap)
      if rho > cap { capped.append(i) }
      if rho < floor { floored += 1 }
      terms.lossGradient[i] = -terms.tokens[i].advantage * w
      terms.ppoClipped[i] = false
    }
    terms.chosen[Self.name] = capped
    terms.activity.count("cispo_capped", capped.count)
    terms.activity.count("cispo_floored", floored)
  }

  /// On-policy it is REINFORCE.
  public static func warnings(values: [Double], setup: ControlSetup) -> [String] {
    guard setup.minibatches == 1 && setup.epochs == 1 else { return [] }
    return [
      "with one minibatch and one epoch every ratio is 1: CISPO is REINFORCE with GRPO advantages here "
        + "(set 'minibatches' or 'epochs' above 1 to see it differ from PPO)"
    ]
  }
}
