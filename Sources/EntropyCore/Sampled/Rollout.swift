import Foundation

/// One sampled action ("token"): an arm drawn at a state, its reward and
/// its GRPO advantage.
public struct SampledToken: Sendable, Equatable {
  /// The state (prompt) it was sampled at.
  public var state: Int
  /// The arm (token) drawn from π(·|state).
  public var arm: Int
  /// The group it belongs to (one group per state per step).
  public var group: Int
  /// The sampled reward.
  public var reward: Double
  /// The GRPO advantage (r − mean_group) / (std_group + 1e-6).
  public var advantage: Double
  /// log π_old(arm|state), frozen at rollout time.
  public var oldLogProb: Double

  /// A token from its parts.
  public init(state: Int, arm: Int, group: Int, reward: Double, advantage: Double, oldLogProb: Double) {
    self.state = state
    self.arm = arm
    self.group = group
    self.reward = reward
    self.advantage = advantage
    self.oldLogProb = oldLogProb
  }
}

/// A GRPO rollout: G samples per state, rewards, group-normalised
/// advantages, and the groups filtered out.
public struct Rollout: Sendable, Equatable {
  /// The tokens kept for training, state-major.
  public var tokens: [SampledToken]
  /// Groups dropped because all their rewards were equal.
  public var filteredGroups: Int
  /// Tokens sampled before filtering.
  public var sampledTokens: Int

  /// Samples `groupSize` arms per state from the policy and scores them.
  ///
  /// GRPO advantage (paper Eq. 3; verl `compute_grpo_outcome_advantage`):
  /// A = (r − mean) / (std + 1e-6) with the unbiased (n − 1) std; a group
  /// of one sample gets mean 0 and std 1. With `filter`, groups whose
  /// rewards are all equal (all right or all wrong) are dropped.
  ///
  /// - Throws: `CoreError.shapeMismatch` if the bandit is not the
  ///   policy's size; `CoreError.rewardOutOfRange` when Bernoulli noise
  ///   meets a mean reward outside [0, 1].
  public static func sample(
    policy: Policy, bandit: Bandit, groupSize: Int, noise: RewardNoise, filter: Bool,
    using generator: inout SplitMix64
  ) throws(CoreError) -> Rollout {
    guard bandit.states == policy.states, bandit.arms == policy.arms else {
      throw .shapeMismatch(expected: policy.logits.count, got: bandit.meanRewards.count)
    }
    if noise == .bernoulli, let bad = bandit.meanRewards.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
      throw .rewardOutOfRange(state: bad / bandit.arms, arm: bad % bandit.arms, value: bandit.meanRewards[bad])
    }
    var tokens: [SampledToken] = []
    tokens.reserveCapacity(policy.states * groupSize)
    var filtered = 0
    let k = policy.arms
    // One row of π, and one group's arms and rewards, reused per state.
    var p = [Double](repeating: 0, count: k)
    var arms = [Int](repeating: 0, count: groupSize)
    var rewards = [Double](repeating: 0, count: groupSize)
    for s in 0..<policy.states {
      let r = policy.rowRange(s)
      // The same forms as `Policy.probabilities` and `logProbabilities`.
      let (shift, logSum) = policy.logits.withUnsafeBufferPointer { all in
        let row = UnsafeBufferPointer(rebasing: all[r])
        p.withUnsafeMutableBufferPointer { RowKernels.softmax(row, into: $0) }
        return RowKernels.logProbabilityShift(row)
      }
      for i in 0..<groupSize {
        let a = p.withUnsafeBufferPointer { Sampling.categorical($0, using: &generator) }
        arms[i] = a
        rewards[i] = noise.draw(mean: bandit.meanRewards[s * k + a], using: &generator)
      }
      if filter, let first = rewards.first, rewards.allSatisfy({ $0 == first }) {
        filtered += 1
        continue
      }
      let advantages = groupAdvantages(rewards)
      for i in 0..<groupSize {
        let logProb = (policy.logits[r.lowerBound + arms[i]] - shift) - logSum
        tokens.append(
          SampledToken(
            state: s, arm: arms[i], group: s, reward: rewards[i], advantage: advantages[i], oldLogProb: logProb))
      }
    }
    return Rollout(tokens: tokens, filteredGroups: filtered, sampledTokens: policy.states * groupSize)
  }

  /// GRPO advantages of one group: (r − mean) / (unbiased std + 1e-6).
  public static func groupAdvantages(_ rewards: [Double]) -> [Double] {
    let n = Double(rewards.count)
    guard rewards.count > 1 else { return rewards.map { ($0 - 0) / (1 + 1e-6) } }
    let mean = rewards.reduce(0, +) / n
    let variance = rewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    let std = variance.squareRoot()
    return rewards.map { ($0 - mean) / (std + 1e-6) }
  }
}
