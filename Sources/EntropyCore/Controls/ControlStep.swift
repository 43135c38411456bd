/// What a control sees at the start of a sampled step, before the rollout:
/// the policy's logits, which it may mask (set to −∞) for the whole step.
public struct ControlStepStart: Sendable {
  /// The session's step number (0-based: steps taken before this one).
  public var step: Int
  /// States S and arms K.
  public var states: Int
  /// Arms per state.
  public var arms: Int
  /// The logits the step samples and trains under, S × K row-major. A
  /// control may set entries to −∞ to mask arms for this step; the
  /// masked arms' logits are left unchanged by the step.
  public var logits: [Double]
  /// What the controls report (counts and levels by measure key).
  public var activity = ControlActivity()

  /// A start from its parts.
  public init(step: Int, states: Int, arms: Int, logits: [Double]) {
    self.step = step
    self.states = states
    self.arms = arms
    self.logits = logits
  }
}

/// What a control sees after the rollout, before the updates: the tokens,
/// whose advantages it may change, and the rollout's entropy.
public struct ControlRollout: Sendable {
  /// The session's step number (0-based).
  public var step: Int
  /// The tokens kept for training; a control may change their advantages
  /// (or drop tokens by setting their advantage to 0).
  public var tokens: [SampledToken]
  /// H_t: the mean over the rollout's responses of H(π(·|s_i)), under the
  /// pre-update (masked) policy — Entrocraft's and TRL's measure.
  public var entropy: Double
  /// What the controls report.
  public var activity = ControlActivity()

  /// A rollout view from its parts.
  public init(step: Int, tokens: [SampledToken], entropy: Double) {
    self.step = step
    self.tokens = tokens
    self.entropy = entropy
  }
}
