/// One step of a trajectory: what the entropy and reward did, and what the
/// covariance term predicted. Means over states throughout.
public struct StepRecord: Sendable, Equatable {
  /// The step's number in the session (1-based).
  public var step: Int
  /// Mean entropy before the step.
  public var entropyBefore: Double
  /// Mean entropy after the step.
  public var entropyAfter: Double
  /// The predictions of ΔH from the step's logit change.
  public var prediction: EntropyPrediction
  /// Expected reward R of the policy after the step.
  public var expectedReward: Double
  /// Counts of a sampled step (nil for exact steps).
  public var sampled: SampledCounts?
  /// The update rule that took the step (`pg`, `npg`, `grpo`).
  public var rule: String

  /// The actual change H(after) − H(before).
  public var entropyChange: Double { entropyAfter - entropyBefore }
  /// Actual change minus the first-order prediction.
  public var firstOrderResidual: Double { entropyChange - prediction.firstOrder }

  /// A record from its parts.
  public init(
    step: Int, entropyBefore: Double, entropyAfter: Double, prediction: EntropyPrediction,
    expectedReward: Double, sampled: SampledCounts? = nil, rule: String = ""
  ) {
    self.rule = rule
    self.step = step
    self.entropyBefore = entropyBefore
    self.entropyAfter = entropyAfter
    self.prediction = prediction
    self.expectedReward = expectedReward
    self.sampled = sampled
  }
}

/// What a sampled (GRPO) step trained on and what the controls touched,
/// summed over the step's updates.
public struct SampledCounts: Sendable, Equatable {
  /// Tokens trained on, after filtering.
  public var tokens: Int
  /// Clip-Cov candidates (inside the covariance band, not PPO-clipped).
  public var candidates: Int
  /// Tokens whose gradient Clip-Cov detached.
  public var clipped: Int
  /// Tokens KL-Cov penalised.
  public var penalized: Int
  /// Tokens whose PPO ratio was clipped.
  public var ppoClipped: Int
  /// The population term −η·Cov(log π, A) of the exact NPG-form prediction.
  public var populationTerm: Double

  /// Counts from their parts.
  public init(tokens: Int, candidates: Int, clipped: Int, penalized: Int, ppoClipped: Int, populationTerm: Double) {
    self.tokens = tokens
    self.candidates = candidates
    self.clipped = clipped
    self.penalized = penalized
    self.ppoClipped = ppoClipped
    self.populationTerm = populationTerm
  }
}
