/// KL-Cov (paper §4.2, Eqs. 13–14; PRIME-RL `compute_policy_loss_kl_cov`).
///
/// The max(⌊k·N⌋, 1) tokens with the largest covariance (no band, sign not
/// checked) get the penalty β·|log π_θ − log π_old| added to their loss; no
/// PPO clipping at all in this mode. The penalty's gradient with respect to
/// log π is β·sign(ℓ), with sign(0) = 0 as in PyTorch: on the first
/// on-policy update ℓ = 0 exactly, so KL-Cov does nothing there.
public struct KLCov: EntropyControl {
  public static let name = "klcov"
  public static let summary = "KL-Cov: penalise β·|log π − log π_old| on the top-k tokens by covariance (no PPO clip)"
  public static let source = ControlSource(
    "Cui et al. 2025 §4.2, Eqs. 13–14; PRIME-RL `compute_policy_loss_kl_cov` (spec paper.md §4.2–4.3)",
    status: .verified)
  public static let details = [
    "Defaults: paper §4.3 for the 7B model (the 32B runs use k = 2e-4; PRIME-RL's k_percent 0.2 is in percent; "
      + "verl's yaml default β is 0.1).",
    "With one minibatch and one epoch every update is on-policy (ℓ = 0), so KL-Cov changes nothing there.",
  ]
  public static let activity = [
    ActivityMeasure(key: "penalized", heading: "penal", summary: "tokens KL-Cov penalised (top-k by covariance)")
  ]
  public static let keepsDualClip = false
  public static let isClassic = true
  public static let parameters: [ControlParameter] = [
    ControlParameter(
      name: "ratio", symbol: "k", defaultValue: 2e-3, allowed: "in (0, 1]", unit: "fraction of the tokens"
    ) { $0 > 0 && $0 <= 1 },
    ControlParameter(name: "coef", symbol: "β", defaultValue: 1, allowed: "a number ≥ 0") { $0 >= 0 && $0.isFinite },
  ]

  /// The fraction k of tokens penalised.
  public var ratio: Double
  /// The penalty coefficient β.
  public var coef: Double

  public init(values: [Double]) {
    ratio = values[0]
    coef = values[1]
  }

  /// On-policy it does nothing; a ratio may touch one token per update.
  public static func warnings(values: [Double], setup: ControlSetup) -> [String] {
    var out: [String] = []
    if setup.minibatches == 1 && setup.epochs == 1 {
      out.append(
        "with one minibatch and one epoch every update is on-policy: log π_θ = log π_old, so the penalty "
          + "β·|log π_θ − log π_old| has zero gradient and KL-Cov changes nothing (set 'minibatches' or 'epochs' above 1)"
      )
    }
    return out + ClipCov.ratioWarning(values.first ?? 0, setup)
  }

  /// KL-Cov replaces the PPO clip: none at all in this mode.
  public func adjustClip(_ range: inout (low: Double, high: Double)?) {
    range = nil
  }

  public func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64) {
    let n = min(ClipCov.count(ratio: ratio, tokens: terms.count), terms.count)
    // Largest covariance first; ties by index so the choice is deterministic.
    let order = terms.tokens.indices.sorted {
      terms.covariances[$0] != terms.covariances[$1] ? terms.covariances[$0] > terms.covariances[$1] : $0 < $1
    }
    let chosen = Array(order.prefix(n))
    for i in chosen {
      let l = terms.logRatios[i]
      let sign: Double = l > 0 ? 1 : l < 0 ? -1 : 0
      terms.lossGradient[i] += coef * sign
    }
    terms.chosen[KLCov.name] = chosen.sorted()
    terms.activity.count("penalized", chosen.count)
    terms.candidates[KLCov.name] = terms.count
  }
}
