import Foundation

/// One sampled action ("token"): an arm drawn at a state, its reward and
/// its GRPO advantage.
public struct SampledToken: Sendable, Equatable {
  /// The state (prompt) it was sampled at.
  public var state: Int
  /// The arm (token) drawn from π(·|state).
  public var arm: Int
  /// The group it belongs to (one group per state per rollout pass).
  public var group: Int
  /// The sampled reward (shared by every token of its response).
  public var reward: Double
  /// The GRPO advantage (r − mean_group) / (std_group + 1e-6) of its response.
  public var advantage: Double
  /// log π_old(arm|state), frozen at rollout time.
  public var oldLogProb: Double
  /// The response it belongs to (index in the rollout); −1 for a token
  /// built by hand, which is then a response of its own.
  public var response: Int
  /// The number of tokens of its response.
  public var length: Int

  /// A token from its parts.
  public init(
    state: Int, arm: Int, group: Int, reward: Double, advantage: Double, oldLogProb: Double, response: Int = -1,
    length: Int = 1
  ) {
    self.state = state
    self.arm = arm
    self.group = group
    self.reward = reward
    self.advantage = advantage
    self.oldLogProb = oldLogProb
    self.response = response
    self.length = length
  }
}

/// A GRPO rollout: G responses per state, rewards, group-normalised
/// advantages, and the groups filtered out.
public struct Rollout: Sendable, Equatable {
  /// The tokens kept for training, state-major, a response's tokens together.
  public var tokens: [SampledToken]
  /// Groups dropped because all their rewards were equal.
  public var filteredGroups: Int
  /// Tokens sampled before filtering (every pass).
  public var sampledTokens: Int
  /// Passes over the states (1 unless refilling).
  public var passes = 1
  /// Groups drawn over every pass (kept, filtered or surplus).
  public var groupsDrawn = 0
  /// Kept groups beyond the batch size, dropped by the refill's truncation.
  public var surplusGroups = 0
  /// Responses kept for training.
  public var responses = 0

  /// A rollout from its parts.
  public init(tokens: [SampledToken], filteredGroups: Int, sampledTokens: Int) {
    self.tokens = tokens
    self.filteredGroups = filteredGroups
    self.sampledTokens = sampledTokens
  }

  /// Samples `groupSize` one-token responses per state (the paper's bandit).
  public static func sample(
    policy: Policy, bandit: Bandit, groupSize: Int, noise: RewardNoise, filter: Bool,
    using generator: inout SplitMix64
  ) throws(CoreError) -> Rollout {
    var config = GRPOConfig()
    config.groupSize = groupSize
    config.noise = noise
    config.filter = filter
    return try sample(policy: policy, bandit: bandit, config: config, using: &generator)
  }

  /// Samples `groupSize` responses per state from the policy and scores them.
  ///
  /// A response is T tokens drawn i.i.d. from π(·|s) (T = `response`'s
  /// length, uniform in T1…T2 when they differ: drawn before the tokens),
  /// scored by one reward drawn from its success probability.
  ///
  /// GRPO advantage (paper Eq. 3; verl `compute_grpo_outcome_advantage`):
  /// A = (r − mean) / (std + 1e-6) with the unbiased (n − 1) std; a group
  /// of one sample gets mean 0 and std 1. With `filter`, groups whose
  /// rewards are all equal (all right or all wrong) are dropped; with
  /// `refill` too, further passes over the states (in order) draw new
  /// groups until S groups are kept or `refillCap` passes were made, and
  /// the kept groups are cut to the first S (DAPO's trainer).
  ///
  /// - Throws: `CoreError.rewardOutOfRange` when Bernoulli noise meets a
  ///   mean reward outside [0, 1].
  public static func sample(
    policy: Policy, bandit: Bandit, config: GRPOConfig, using generator: inout SplitMix64
  ) throws(CoreError) -> Rollout {
    let noise = config.noise
    let groupSize = config.groupSize
    let model = config.response
    guard bandit.states == policy.states, bandit.arms == policy.arms else {
      throw .shapeMismatch(expected: policy.logits.count, got: bandit.meanRewards.count)
    }
    if noise == .bernoulli, let bad = bandit.meanRewards.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
      throw .rewardOutOfRange(state: bad / bandit.arms, arm: bad % bandit.arms, value: bandit.meanRewards[bad])
    }
    var tokens: [SampledToken] = []
    tokens.reserveCapacity(policy.states * groupSize * model.minLength)
    var filtered = 0
    let k = policy.arms
    // One row of π, and one group's arms and rewards, reused per state.
    var p = [Double](repeating: 0, count: k)
    var arms = [[Int]](repeating: [], count: groupSize)
    var rewards = [Double](repeating: 0, count: groupSize)
    var mus: [Double] = []
    var sampled = 0
    var kept = 0
    var drawn = 0
    var surplus = 0
    var responses = 0
    var pass = 0
    let target = policy.states
    let refill = config.filter && config.refill
    repeat {
      for s in 0..<policy.states {
        let r = policy.rowRange(s)
        // The same forms as `Policy.probabilities` and `logProbabilities`.
        let (shift, logSum) = policy.logits.withUnsafeBufferPointer { all in
          let row = UnsafeBufferPointer(rebasing: all[r])
          p.withUnsafeMutableBufferPointer { RowKernels.softmax(row, into: $0) }
          return RowKernels.logProbabilityShift(row)
        }
        for i in 0..<groupSize {
          let t =
            model.minLength == model.maxLength
            ? model.minLength
            : model.minLength + Sampling.uniformInt(below: model.maxLength - model.minLength + 1, using: &generator)
          arms[i].removeAll(keepingCapacity: true)
          mus.removeAll(keepingCapacity: true)
          for _ in 0..<t {
            let a = p.withUnsafeBufferPointer { Sampling.categorical($0, using: &generator) }
            arms[i].append(a)
            mus.append(bandit.meanRewards[s * k + a])
          }
          sampled += t
          rewards[i] = noise.draw(mean: model.successProbability(mus), using: &generator)
        }
        drawn += 1
        if config.filter, let first = rewards.first, rewards.allSatisfy({ $0 == first }) {
          filtered += 1
          continue
        }
        if refill && kept >= target {
          surplus += 1
          continue
        }
        kept += 1
        let advantages = groupAdvantages(rewards)
        for i in 0..<groupSize {
          for a in arms[i] {
            let logProb = (policy.logits[r.lowerBound + a] - shift) - logSum
            tokens.append(
              SampledToken(
                state: s, arm: a, group: pass * policy.states + s, reward: rewards[i], advantage: advantages[i],
                oldLogProb: logProb, response: responses, length: arms[i].count))
          }
          responses += 1
        }
      }
      pass += 1
    } while refill && kept < target && pass < config.refillCap
    var rollout = Rollout(tokens: tokens, filteredGroups: filtered, sampledTokens: sampled)
    rollout.passes = pass
    rollout.groupsDrawn = drawn
    rollout.surplusGroups = surplus
    rollout.responses = responses
    return rollout
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

  /// The paper's Fig. 8 measure: per group (prompt), the covariance over
  /// its responses of the length-normalised log-probability (mean of the
  /// response's log π_old per token) and the advantage, dividing by the
  /// number of responses; then the mean over groups. 0 for no groups.
  public static func responseCovariance(_ tokens: [SampledToken]) -> (mean: Double, perGroup: [Int: Double]) {
    // Per response: (group, sum of log π, token count, advantage), in order.
    var order: [Int] = []
    var rows: [Int: (group: Int, sum: Double, count: Int, advantage: Double)] = [:]
    for t in tokens {
      let key = t.response >= 0 ? t.response : -1 - order.count
      if rows[key] == nil {
        order.append(key)
        rows[key] = (t.group, 0, 0, t.advantage)
      }
      rows[key]?.sum += t.oldLogProb
      rows[key]?.count += 1
    }
    var groups: [Int: [(x: Double, a: Double)]] = [:]
    var groupOrder: [Int] = []
    for key in order {
      guard let r = rows[key] else { continue }
      if groups[r.group] == nil { groupOrder.append(r.group) }
      groups[r.group, default: []].append((r.sum / Double(r.count), r.advantage))
    }
    var perGroup: [Int: Double] = [:]
    var total = 0.0
    for g in groupOrder {
      let rs = groups[g] ?? []
      let n = Double(rs.count)
      let mx = rs.reduce(0) { $0 + $1.x } / n
      let ma = rs.reduce(0) { $0 + $1.a } / n
      let cov = rs.reduce(0) { $0 + ($1.x - mx) * ($1.a - ma) } / n
      perGroup[g] = cov
      total += cov
    }
    return (groupOrder.isEmpty ? 0 : total / Double(groupOrder.count), perGroup)
  }

  /// The token-level companion of `responseCovariance`: the covariance over
  /// all the rollout's tokens of log π_old and A (dividing by N).
  public static func tokenCovariance(_ tokens: [SampledToken]) -> Double {
    guard !tokens.isEmpty else { return 0 }
    let n = Double(tokens.count)
    let ml = tokens.reduce(0) { $0 + $1.oldLogProb } / n
    let ma = tokens.reduce(0) { $0 + $1.advantage } / n
    return tokens.reduce(0) { $0 + ($1.oldLogProb - ml) * ($1.advantage - ma) } / n
  }
}
