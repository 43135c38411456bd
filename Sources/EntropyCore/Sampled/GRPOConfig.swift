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

  /// The defaults: G = 8, Bernoulli, filter on, M = E = 1, ε = 0.2/0.2.
  public init() {}
}
