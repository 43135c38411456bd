/// CW-GRPO (arXiv 2605.11538): each token's PPO loss term is multiplied by
/// a Gaussian-kernel weight of its centred covariance c_i = ℓ̃_i·Ã_i, so
/// that tokens far from the typical covariance count less
/// (`CWGRPOWeights`), computed per loss call as the authors' code does per
/// micro-batch.
///
/// Defaults are the code's (VERIFIED, literature.md §1): centring within
/// each response — which makes every weight 1, and CW-GRPO exactly GRPO,
/// at response length 1 — and weights not detached. The code is strictly
/// on-policy (ρ ≡ 1, no PPO clip); with minibatches or epochs EntropyLab
/// keeps the session's PPO clip (which never binds with M = E = 1) and
/// drops verl's dual-clip, which the code does not have.
public struct CWGRPO: EntropyControl {
  public static let name = "cwgrpo"
  public static let summary =
    "CW-GRPO: multiply each token's loss by a Gaussian kernel of its centred covariance (log π − mean)·(A − mean A)"
  public static let source = ControlSource(
    "CW-GRPO (arXiv 2605.11538; paper body not read, abstract only), code read: github.com/WangCheng0116/CW-GRPO "
      + "@4259d83, src/open_r1/trl/trainer/grpo_trainer.py compute_loss (use_ours), recipes gaussian_{1.5b,7b}.yaml "
      + "— literature.md §1",
    status: .verified)
  public static let details = [
    "Per loss call: ℓ̃ = log π − mean log π (center response: within each response, as the code; center batch:",
    "over the call, the secondary note's formula, then c is Clip-Cov's covariance); Ã = A − mean A; c = ℓ̃·Ã;",
    "σ = population std of c + 1e−8; w = exp(−c²/(2(κσ)²)), normalised to Σw = responses × longest response",
    "(the code's B·L, padding included); token loss w·(PPO term).",
    "At response length 1 'center response' gives ℓ̃ = 0, so every w = 1: CW-GRPO IS GRPO, bit for bit",
    "(set 'length' above 1, or 'center batch', to see it act).",
    "weightgrad on (default, the code's behaviour: w is not detached) sends gradient through c, σ and Σw too;",
    "'weightgrad off' detaches w (the spec's recommendation). The code is strictly on-policy (ρ ≡ 1, no clip):",
    "with minibatches or epochs the session's PPO clip is kept and verl's dual-clip dropped. With another",
    "control that changes the loss, the weight gradient sees the PPO loss values, not that control's.",
  ]
  public static let parameters = [
    ControlParameter(name: "center", choices: ["batch", "response"], defaultChoice: "response"),
    ControlParameter(name: "weightgrad", choices: ["off", "on"], defaultChoice: "on"),
    ControlParameter(
      name: "width", symbol: "κ", defaultValue: 1, allowed: "a number > 0", unit: "kernel width in units of σ"
    ) { $0 > 0 && $0.isFinite },
  ]
  public static let activity = [
    ActivityMeasure(key: "cwgrpo_reweighted", heading: "reweighted", summary: "tokens whose weight w was not 1"),
    ActivityMeasure(key: "cwgrpo_damped", heading: "w<½", summary: "tokens whose weight w was below 1/2"),
  ]
  public static let coefficient: String? = "width"
  public static let keepsDualClip = false

  /// Where log π is centred.
  public var centring: CWGRPOWeights.Centring
  /// Whether gradient flows through the weights (the code's behaviour).
  public var weightGradient: Bool
  /// κ.
  public var width: Double

  public init(values: [Double]) {
    centring = values[0] == 0 ? .batch : .response
    weightGradient = values[1] == 1
    width = values[2]
  }

  public func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64) {
    let n = terms.count
    let responses = terms.tokens.indices.map { i in
      terms.tokens[i].response >= 0 ? terms.tokens[i].response : -1 - i
    }
    let kernel = CWGRPOWeights(
      logProbs: terms.logProbs, advantages: terms.tokens.map(\.advantage), responses: responses, centring: centring,
      width: width)
    // Each token's PPO loss value: −A·ρ, or −A·clip(ρ) where the clip holds.
    var values = terms.lossGradient
    if let clip = terms.clipRange {
      for i in 0..<n where terms.ppoClipped[i] {
        values[i] = -terms.tokens[i].advantage * min(max(terms.ratios[i], 1 - clip.low), 1 + clip.high)
      }
    }
    let aggregation = terms.aggregation.count == n ? terms.aggregation : [Double](repeating: 1, count: n)
    terms.lossGradient = kernel.lossGradient(
      values: values, gradients: terms.lossGradient, aggregation: aggregation, weightGradient: weightGradient)
    let damped = (0..<n).filter { kernel.weights[$0] < 0.5 }
    terms.chosen[Self.name] = damped
    terms.activity.count("cwgrpo_reweighted", kernel.weights.filter { $0 != 1 }.count)
    terms.activity.count("cwgrpo_damped", damped.count)
  }

  /// At response length 1 with the code's centring it is GRPO.
  public static func warnings(values: [Double], setup: ControlSetup) -> [String] {
    guard values[0] == 1, setup.responseLength == 1 else { return [] }
    return [
      "with response length 1 and 'center response' (the authors' code) every weight is 1: CW-GRPO is GRPO "
        + "here (set 'length' above 1, or 'center batch')"
    ]
  }
}
