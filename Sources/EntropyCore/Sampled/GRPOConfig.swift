/// The settings of a sampled GRPO step (cleanrl-style: one documented
/// value, paper names).
public struct GRPOConfig: Sendable, Equatable {
  /// G: samples per state (responses per prompt). Paper: 8.
  public var groupSize = 8
  /// How rewards are drawn from the mean rewards. Default Bernoulli (0/1).
  public var noise: RewardNoise = .bernoulli
  /// Drop groups whose rewards are all equal (DAPO dynamic sampling).
  public var filter = true
  /// M: minibatches per rollout (one update each). Default 1: on-policy.
  public var minibatches = 1
  /// E: passes over the rollout. Default 1.
  public var epochs = 1
  /// PPO clip ε_low.
  public var clipLow = 0.2
  /// PPO clip ε_high.
  public var clipHigh = 0.2
  /// Response length and reward (default T = 1, `mean`: the paper's bandit).
  public var response = ResponseModel()
  /// verl's `loss_agg_mode` (default token-mean).
  public var aggregation: LossAggregation = .tokenMean
  /// Keep each state's group in one minibatch (default false: split).
  public var keepGroups = false
  /// How minibatches are ordered (default reshuffle, as before issue 14).
  public var order: MinibatchOrder = .reshuffle
  /// m: loss calls per minibatch, gradients summed into one update.
  public var microbatches = 1
  /// With `filter`: draw more groups until the batch is full (DAPO).
  public var refill = false
  /// The most passes over the states a refilling rollout makes.
  public var refillCap = 10
  /// The optimiser (default plain SGD).
  public var optimizer: OptimizerKind = .sgd
  /// Global gradient-norm clip c (nil: none).
  public var gradientClip: Double?
  /// verl's dual-clip constant c for negative advantages (nil: off).
  public var dualClip: Double?

  /// The defaults: G = 8, Bernoulli, filter on, M = E = 1, ε = 0.2/0.2,
  /// T = 1, token-mean, groups split, reshuffle, one micro-batch, SGD.
  public init() {}
}

/// How the rollout's units (responses, or whole groups) are ordered
/// before being cut into minibatches.
public enum MinibatchOrder: String, Sendable, Equatable, CaseIterable {
  /// The rollout's order (state by state), the same split every epoch (verl).
  case fixed
  /// One random order per rollout, reused every epoch.
  case shuffle
  /// A new random order every epoch (EntropyLab's default; none when M = E = 1).
  case reshuffle
}
