/// Entropy polarity as a control — the lab's reading of entropy polarity
/// (literature.md §0 and §4, DERIVED: no primary source of the PAPO paper
/// was found, so the weights are the user's and no schedule is PAPO's).
///
/// Each token's polarity is P = A·T_k (`EntropyPolarity`), with T_k the
/// token kernel of its state under the rollout policy, so that its step
/// changes the entropy by ≈ η·P. The loss gradient of an expanding token
/// (P > 0) is multiplied by `expand`, of a contracting one (P < 0) by
/// `contract`; both 1 change nothing.
public struct EntropyPolarityControl: EntropyControl {
  public static let name = "polarity"
  public static let summary =
    "Entropy polarity (the lab's reading): weight tokens that expand (P = A·T > 0) or contract (P < 0) entropy"
  public static let source = ControlSource(
    "the lab's reading of entropy polarity: P = A·T_k with the token kernel of literature.md §0 (DERIVED), after "
      + "secondary digests of PAPO (arXiv 2605.11775) — its text and code were not found, so the branch weights are "
      + "the user's and no schedule is PAPO's — literature.md §4",
    status: .labReading)
  public static let details = [
    "Each token's polarity P = A·T_k, T_k = −(S_k − C) from the rollout policy (S_k = π_k(log π_k + H) the sampled",
    "part, C = Σ π_a·S_a the state-wise correction), so a step changes H by ≈ η·P: P > 0 expands entropy, P < 0",
    "contracts it (with A > 0 a token contracts iff S_k > C). The loss gradient of an expanding token is multiplied",
    "by 'expand', of a contracting token by 'contract' (a token with P = 0 keeps 1). The weights are the user's",
    "settings, not the paper's; a schedule on them is EntropyLab's, not PAPO's.",
  ]
  public static let parameters = [
    ControlParameter(
      name: "expand", symbol: "w₊", defaultValue: 1, allowed: "a number ≥ 0", unit: "weight of tokens with P > 0"
    ) { $0 >= 0 && $0.isFinite },
    ControlParameter(
      name: "contract", symbol: "w₋", defaultValue: 1, allowed: "a number ≥ 0", unit: "weight of tokens with P < 0"
    ) { $0 >= 0 && $0.isFinite },
  ]
  public static let activity = [
    ActivityMeasure(key: "polarity_expanding", heading: "expand", summary: "tokens with P > 0 (weighted by expand)"),
    ActivityMeasure(
      key: "polarity_contracting", heading: "contract", summary: "tokens with P < 0 (weighted by contract)"),
  ]

  /// The branch weights.
  public var weights: EntropyPolarity
  /// The rollout policy's logits (S × K) and K, recorded at the step's start.
  var logits: [Double] = []
  var arms = 0

  public init(values: [Double]) {
    weights = EntropyPolarity(expanding: values[0], contracting: values[1])
  }

  public mutating func beginStep(_ start: inout ControlStepStart, using generator: inout SplitMix64) {
    logits = start.logits
    arms = start.arms
  }

  /// Each token's polarity A·T_k under the recorded rollout policy.
  public func polarities(of tokens: [SampledToken]) -> [Double] {
    let kernels = TokenEntropyKernel.kernels(of: tokens, logits: logits, arms: arms)
    return tokens.indices.map {
      EntropyPolarity.polarity(kernel: kernels[$0], arm: tokens[$0].arm, advantage: tokens[$0].advantage)
    }
  }

  public func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64) {
    let p = polarities(of: terms.tokens)
    var chosen: [Int] = []
    var expanding = 0
    var contracting = 0
    for i in 0..<terms.count where p[i] != 0 {
      if p[i] > 0 { expanding += 1 } else { contracting += 1 }
      let w = weights.weight(polarity: p[i])
      guard w != 1 else { continue }
      terms.lossGradient[i] *= w
      chosen.append(i)
    }
    terms.chosen[Self.name] = chosen
    terms.activity.count("polarity_expanding", expanding)
    terms.activity.count("polarity_contracting", contracting)
  }
}
