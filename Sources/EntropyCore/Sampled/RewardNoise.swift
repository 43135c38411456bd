/// How a sampled reward is drawn from an arm's mean reward μ.
public enum RewardNoise: Sendable, Equatable {
  /// r ∈ {0, 1} with P(r = 1) = μ: verifiable rewards, as in RLVR. Needs μ ∈ [0, 1].
  case bernoulli
  /// r = μ + σ·N(0, 1).
  case gaussian(Double)
  /// r = μ exactly.
  case none

  /// One reward for mean `mu`.
  public func draw(mean mu: Double, using generator: inout SplitMix64) -> Double {
    switch self {
    case .bernoulli: return generator.nextUnit() < mu ? 1 : 0
    case .gaussian(let sigma): return mu + sigma * Sampling.standardNormal(using: &generator)
    case .none: return mu
    }
  }
}
