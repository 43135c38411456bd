import EntropyCore

/// Where the advantages of the next step come from.
public enum AdvantageSource: Sendable, Equatable {
  /// A = μ − V under the current policy, recomputed before every step.
  case exact
  /// Advantages typed by the user, S × K row-major, kept across steps.
  case manual([Double])
}

/// Everything a session is: the model, the settings, the random stream and
/// the trajectory. A value type, so a snapshot is a copy: a failed command
/// restores it, and `checkpoint`/`restore` keep copies by name.
public struct LabState: Sendable, Equatable {
  /// The softmax policy.
  public var policy: Policy
  /// The reward model.
  public var bandit: Bandit
  /// Where advantages come from.
  public var advantages: AdvantageSource = .exact
  /// The update rule (`update pg|npg|grpo`).
  public var rule: StepRule = .pg
  /// Settings of sampled GRPO steps.
  public var grpo = GRPOConfig()
  /// Which entropy controls are on, and their values.
  public var controls = ControlSettings()
  /// The tokens of the last sampled step, for `tokens`.
  public var lastTokens: [TokenRecord] = []
  /// The step `lastTokens` came from (0 before any sampled step).
  public var lastTokensStep = 0
  /// AdamW's moments, carried across sampled steps (`optimizer adamw`);
  /// cleared with the trajectory.
  public var adam = AdamState()
  /// The policy before the last step and the Δz that step applied, for
  /// `show last` (nil before any step).
  public var lastStep: (before: Policy, delta: [Double])? {
    get { lastStepBefore.map { ($0, lastStepDelta) } }
    set {
      lastStepBefore = newValue?.before
      lastStepDelta = newValue?.delta ?? []
    }
  }
  var lastStepBefore: Policy?
  var lastStepDelta: [Double] = []
  /// Whether the last step was taken but not kept for `show last` (the
  /// policy was larger than `lastStepLimit`).
  public internal(set) var lastStepDropped = false
  /// The most logits (S × K) for which a step keeps the policy before it
  /// and its Δz (`defaultLastStepLimit`; tests lower it to reach the
  /// in-place path at small sizes).
  var lastStepLimit = LabState.defaultLastStepLimit
  /// The learning rate η.
  public var learningRate: Double = 0.1
  /// The seed last set with `seed` (or at start-up).
  public var seed: UInt64
  /// The session's random stream.
  public var generator: SplitMix64
  /// Steps taken so far.
  public var stepsTaken = 0
  /// One record per step taken.
  public var trajectory: [StepRecord] = []
  /// Where the current segment of the trajectory starts: a `policy` change
  /// starts a new one (numbered from step 1 again), so `history`, `plot`
  /// and `fit` never mix the steps of two policies.
  public var segmentStart = 0

  /// The steps since the last `policy` change.
  public var segment: ArraySlice<StepRecord> { trajectory[min(segmentStart, trajectory.count)...] }

  /// Starts a new trajectory segment (after the policy was set by hand).
  public mutating func startSegment() {
    segmentStart = trajectory.count
    stepsTaken = 0
  }

  /// A fresh state: one state × 4 arms, uniform, rewards 0.
  public init(seed: UInt64 = 0) {
    // A 1 × 4 policy always fits, so this cannot fail.
    self.policy = (try? Policy(states: 1, arms: 4)) ?? LabState.fallbackPolicy
    self.bandit = Bandit(states: 1, arms: 4)
    self.seed = seed
    self.generator = SplitMix64(seed: seed)
  }

  private static var fallbackPolicy: Policy {
    guard let p = try? Policy(states: 1, arms: 1) else { preconditionFailure("a 1 × 1 policy must fit") }
    return p
  }

  /// The advantages the next step will use, S × K.
  public var currentAdvantages: [Double] {
    switch advantages {
    case .exact: return bandit.advantages(under: policy)
    case .manual(let a): return a
    }
  }

  /// The exact rule behind the next step: the chosen one, or PG for the
  /// expected direction of a sampled GRPO step.
  public var exactRule: UpdateRule {
    switch rule {
    case .pg, .grpo: return .pg
    case .npg: return .npg
    }
  }

  /// The logit change the next exact step would make (for `grpo`, the
  /// expected PG direction with exact advantages).
  public var nextExactStep: ExactStep {
    exactRule.stepShaped(policy: policy, advantages: currentAdvantages, learningRate: learningRate)
  }

  /// Replaces the policy with a new size, resetting rewards, advantages and
  /// the trajectory (which belong to the old size).
  public mutating func resize(states: Int, arms: Int) throws(CoreError) {
    policy = try Policy(states: states, arms: arms)
    bandit = Bandit(states: states, arms: arms)
    advantages = .exact
    trajectory = []
    segmentStart = 0
    lastTokens = []
    lastTokensStep = 0
    adam = AdamState()
    lastStep = nil
    lastStepDropped = false
    stepsTaken = 0
  }
}

/// The update rule a step uses.
public enum StepRule: String, Sendable, Equatable, CaseIterable {
  /// Exact policy gradient.
  case pg
  /// Exact natural policy gradient.
  case npg
  /// Sampled GRPO with a PPO surrogate and the entropy controls.
  case grpo
}
