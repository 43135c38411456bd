/// Clip-Cov (paper §4.2, Eqs. 11–12; PRIME-RL `compute_policy_loss_clip_cov`).
///
/// Over the minibatch, candidates are the tokens with ω_low < Cov_i < ω_high
/// (strict) that PPO has not already clipped; max(⌊r·N⌋, 1) of them are
/// drawn uniformly without replacement and their loss term and gradient
/// set to 0. The token-mean denominator still counts them.
public struct ClipCov: EntropyControl {
  public static let name = "clipcov"
  public static let summary =
    "Clip-Cov: detach the gradient of a few random tokens whose covariance lies in (ω_low, ω_high)"
  public static let parameters: [ControlParameter] = [
    ControlParameter(name: "ratio", symbol: "r", defaultValue: 2e-4, allowed: "in (0, 1]") { $0 > 0 && $0 <= 1 },
    ControlParameter(name: "low", symbol: "ω_low", defaultValue: 1, allowed: "a finite number") { $0.isFinite },
    ControlParameter(name: "high", symbol: "ω_high", defaultValue: 5, allowed: "a finite number") { $0.isFinite },
  ]

  /// The clip ratio r.
  public var ratio: Double
  /// The band's lower bound ω_low.
  public var low: Double
  /// The band's upper bound ω_high.
  public var high: Double

  public init(values: [Double]) {
    ratio = values[0]
    low = values[1]
    high = values[2]
  }

  /// How many tokens to detach: max(⌊r·N⌋, 1), as both reference codes do.
  public static func count(ratio: Double, tokens: Int) -> Int {
    max(Int((ratio * Double(tokens)).rounded(.down)), 1)
  }

  public func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64) {
    let candidates = terms.tokens.indices.filter { i in
      !terms.ppoClipped[i] && terms.covariances[i] > low && terms.covariances[i] < high
    }
    let n = ClipCov.count(ratio: ratio, tokens: terms.count)
    let chosen = Sampling.sampleWithoutReplacement(candidates, count: n, using: &generator)
    for i in chosen { terms.lossGradient[i] = 0 }
    terms.chosen[ClipCov.name] = chosen.sorted()
    terms.candidates[ClipCov.name] = candidates.count
  }
}
