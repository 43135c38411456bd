import Foundation

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
  public static let source = ControlSource(
    "Cui et al. 2025 §4.2, Eqs. 11–12; PRIME-RL and verl `compute_policy_loss_clip_cov` (spec paper.md §4.2–4.3)",
    status: .verified)
  public static let details = [
    "Defaults: paper §4.3, PRIME-RL and verl (the same); the covariance band is in nats × advantage units.",
    "The reference Clip-Cov scripts (PRIME-RL, verl) run it with PPO ε = 1/1 ('clip clipcov'), to filter only "
      + "extreme tokens; the session's clip (default 0.2/0.2) applies until changed.",
  ]
  public static let activity = [
    ActivityMeasure(
      key: "candidates", heading: "cand", summary: "tokens in the band (ω_low, ω_high) that PPO had not clipped",
      inCompare: false),
    ActivityMeasure(key: "clipped", heading: "clipped", summary: "tokens whose gradient Clip-Cov detached"),
  ]
  public static let coefficient: String? = "ratio"
  public static let keepsDualClip = false
  public static let isClassic = true
  public static let clipPreset: (low: Double, high: Double, source: String)? = (
    1, 1, "PRIME-RL's and verl's Clip-Cov scripts: ε = 1/1, ratio clamped to [0, 2]"
  )
  public static let parameters: [ControlParameter] = [
    ControlParameter(
      name: "ratio", symbol: "r", defaultValue: 2e-4, allowed: "in (0, 1]", unit: "fraction of the tokens"
    ) { $0 > 0 && $0 <= 1 },
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

  /// A ratio that touches one token per update whatever its value.
  public static func warnings(values: [Double], setup: ControlSetup) -> [String] {
    ratioWarning(values.first ?? 0, setup)
  }

  /// The warning of a token ratio r when r·N < 1 (Clip-Cov's and KL-Cov's).
  public static func ratioWarning(_ ratio: Double, _ setup: ControlSetup) -> [String] {
    guard ratio * Double(setup.tokensPerUpdate) < 1 else { return [] }
    return [
      "ratio \(String(format: "%.6g", ratio)) × about \(setup.tokensPerUpdate) tokens per update is below 1, so "
        + "max(⌊ratio·N⌋, 1) touches exactly one token per update"
    ]
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
    terms.activity.count("candidates", candidates.count)
    terms.activity.count("clipped", chosen.count)
  }
}
