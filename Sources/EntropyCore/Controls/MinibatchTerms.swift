/// The per-token quantities of one minibatch update (one loss call) that
/// controls inspect and change. Index i runs over the call's tokens.
public struct MinibatchTerms: Sendable {
  /// The tokens of this minibatch.
  public var tokens: [SampledToken]
  /// log π_θ(a_i|s_i) under the current (partly updated) policy.
  public var logProbs: [Double]
  /// ℓ_i = log π_θ − log π_old.
  public var logRatios: [Double]
  /// ρ_i = exp(ℓ_i).
  public var ratios: [Double]
  /// The centred cross-product (A_i − mean A)·(log π_i − mean log π) over
  /// the minibatch (paper Eq. 10), centred across all its states.
  public var covariances: [Double]
  /// The PPO clip range (ε_low, ε_high); nil means no PPO clipping.
  public var clipRange: (low: Double, high: Double)?
  /// Whether token i's PPO term is clipped (L2 > L1: zero gradient).
  public var ppoClipped: [Bool]
  /// ∂loss_i/∂log π_i before the token-mean: −A·ρ, or 0 when clipped.
  public var lossGradient: [Double]
  /// Tokens a control treated, by control name (e.g. "clipcov": [3, 7]):
  /// `tokens` in the shell shows them.
  public var chosen: [String: [Int]] = [:]
  /// Candidates a control considered, by control name.
  public var candidates: [String: Int] = [:]
  /// Whether verl's dual-clip zeroed token i's gradient (empty when off).
  public var dualClipped: [Bool] = []
  /// Each token's aggregation numerator (the loss-call's weight of its
  /// term is aggregation_i / denominator: 1 for token-mean, 1/T_i for
  /// seq-mean-token-mean); empty for terms built by hand, read as all 1.
  public var aggregation: [Double] = []
  /// What the controls report about this call, by measure key (counts are
  /// summed over the step's calls; see `ActivityMeasure`).
  public var activity = ControlActivity()

  /// The number of tokens of this loss call (the token-mean denominator).
  public var count: Int { tokens.count }

  /// Terms from their parts.
  public init(
    tokens: [SampledToken], logProbs: [Double], logRatios: [Double], ratios: [Double], covariances: [Double],
    clipRange: (low: Double, high: Double)?, ppoClipped: [Bool], lossGradient: [Double]
  ) {
    self.tokens = tokens
    self.logProbs = logProbs
    self.logRatios = logRatios
    self.ratios = ratios
    self.covariances = covariances
    self.clipRange = clipRange
    self.ppoClipped = ppoClipped
    self.lossGradient = lossGradient
  }
}
