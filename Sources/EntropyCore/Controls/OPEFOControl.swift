/// OPEFO as a control (arXiv 2605.11491) — EntropyLab's reading of a
/// SECONDARY source (literature.md §5; the math is `OPEFOBalance`).
///
/// In each loss call, every token's first-order entropy flow is
/// f_i = −c_i·T_k (`kernel full`) or c_i·S_k (`kernel sampled`), with
/// c_i = ∂loss_i/∂log π_i the token's loss gradient (−A on-policy) and the
/// kernel of its state under the rollout policy, tokens counted equally
/// (token-mean). λ = (N − P)/(N + P) over the call's tokens, and each
/// token's gradient is multiplied by 1 + s·λ (flow > 0) or 1 − s·λ
/// (flow < 0), s = `strength` (1: OPEFO). With the full kernel and one
/// on-policy update, the step's first-order entropy change is then 0.
public struct OPEFO: EntropyControl {
  public static let name = "opefo"
  public static let summary =
    "OPEFO: reweight tokens 1 ± λ so that the step's first-order entropy flows cancel (zero net flow)"
  public static let source = ControlSource(
    "OPEFO (arXiv 2605.11491), from the summary in yjkim-stat/Wiki-For-Overthinking "
      + "(archive/papers/2026/local-8efebbee3585a141/summary.md); the paper's code is not released and a third-party "
      + "manuscript disputes its Eq. 6 — literature.md §5",
    status: .secondary)
  public static let details = [
    "Per loss call: each token's first-order entropy flow f = −c·T_k (kernel full: T_k = −(S_k − C), sampled part",
    "and state-wise correction) or c·S_k (kernel sampled: the sampled part only), c = ∂loss/∂log π (−A on-policy),",
    "T and S from the rollout policy, tokens weighted equally (token-mean). P = Σ f over f > 0, N = Σ |f| over f < 0,",
    "λ = (N − P)/(N + P) (0 if both are 0); the gradient of a token with f > 0 is multiplied by 1 + s·λ, with f < 0",
    "by 1 − s·λ (s = strength; s = 1 is OPEFO, s = 0 is plain GRPO). With kernel full, one minibatch and one epoch",
    "the step's first-order ΔH is 0 and what remains is O(η²). OPEFO is strictly on-policy (one update, no ratio);",
    "with several minibatches or epochs each loss call balances its own tokens (EntropyLab's extension).",
  ]
  public static let parameters = [
    ControlParameter(name: "kernel", choices: ["full", "sampled"], defaultChoice: "full"),
    ControlParameter(
      name: "strength", symbol: "s", defaultValue: 1, allowed: "a number in [0, 1]", unit: "weights 1 ± s·λ"
    ) { $0 >= 0 && $0 <= 1 },
  ]
  public static let activity = [
    ActivityMeasure(key: "opefo_reweighted", heading: "reweighted", summary: "tokens whose weight 1 ± λ was not 1"),
    ActivityMeasure(
      key: "opefo_lambda", heading: "λ", summary: "λ = (N − P)/(N + P) of the last loss call", kind: .level),
  ]
  public static let coefficient: String? = "strength"

  /// Which flow the balance uses.
  public var kernel: OPEFOBalance.Kernel
  /// s: the weights are 1 ± s·λ.
  public var strength: Double
  /// The rollout policy's logits (S × K) and K, recorded at the step's start.
  var logits: [Double] = []
  var arms = 0

  public init(values: [Double]) {
    kernel = values[0] == 1 ? .sampled : .full
    strength = values[1]
  }

  public mutating func beginStep(_ start: inout ControlStepStart, using generator: inout SplitMix64) {
    logits = start.logits
    arms = start.arms
  }

  /// The balance of a loss call's tokens, whose loss gradients are `gradients`.
  public func balance(tokens: [SampledToken], gradients: [Double]) -> OPEFOBalance {
    let kernels = TokenEntropyKernel.kernels(of: tokens, logits: logits, arms: arms)
    let flows = tokens.indices.map { i in
      switch kernel {
      case .full: return -gradients[i] * kernels[i].kernel(arm: tokens[i].arm)
      case .sampled:
        let s = kernels[i].sampledPart
        return s.indices.contains(tokens[i].arm) ? gradients[i] * s[tokens[i].arm] : 0
      }
    }
    return OPEFOBalance(flows: flows)
  }

  public func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64) {
    let b = balance(tokens: terms.tokens, gradients: terms.lossGradient)
    let lambda = strength * b.lambda
    var chosen: [Int] = []
    for i in 0..<terms.count {
      let f = b.flows[i]
      guard f != 0, lambda != 0 else { continue }
      terms.lossGradient[i] *= f > 0 ? 1 + lambda : 1 - lambda
      chosen.append(i)
    }
    terms.chosen[Self.name] = chosen
    terms.activity.count("opefo_reweighted", chosen.count)
    terms.activity.level("opefo_lambda", b.lambda)
  }

  /// OPEFO is strictly on-policy.
  public static func warnings(values: [Double], setup: ControlSetup) -> [String] {
    guard setup.minibatches > 1 || setup.epochs > 1 else { return [] }
    return [
      "OPEFO is strictly on-policy (one update per rollout): with several minibatches or epochs each loss call "
        + "balances its own tokens, so the step's first-order ΔH is no longer exactly 0"
    ]
  }
}
