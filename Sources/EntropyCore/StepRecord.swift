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
  /// Tokens whose PPO ratio was clipped.
  public var ppoClipped: Int
  /// The population term −η·Cov(log π, A) of the exact NPG-form prediction.
  public var populationTerm: Double
  /// Tokens whose gradient verl's dual-clip zeroed.
  public var dualClipped = 0
  /// Responses trained on (equal to `tokens` at T = 1).
  public var responses = 0
  /// Passes over the states the rollout made (1 unless refilling).
  public var passes = 1
  /// Groups drawn over every pass.
  public var groupsDrawn = 0
  /// Optimiser updates taken.
  public var updates = 0
  /// The paper's Fig. 8 measure: per prompt, the covariance over its
  /// responses of the length-normalised log π_old and the advantage,
  /// averaged over the prompts.
  public var responseCovariance = 0.0
  /// The token-level covariance of log π_old and A over the rollout.
  public var tokenCovariance = 0.0
  /// What the controls that were on reported, by measure key, in registry
  /// order (e.g. Clip-Cov's `candidates` and `clipped`): counts summed over
  /// the step's updates, levels as last set.
  public var activity = ControlActivity()

  /// Counts from their parts.
  public init(tokens: Int, ppoClipped: Int, populationTerm: Double) {
    self.tokens = tokens
    self.ppoClipped = ppoClipped
    self.populationTerm = populationTerm
  }
}
