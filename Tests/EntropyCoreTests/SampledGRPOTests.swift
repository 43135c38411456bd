import Foundation
import Testing

@testable import EntropyCore

/// GRPO rollouts and the sampled trainer (spec §4.5, §5, §7 item 10).
@Suite("Sampled GRPO: advantages, filtering, rewards, KL-Cov on-policy")
struct SampledGRPOTests {
  @Test("advantages: (r − mean)/(unbiased std + 1e-6); spec §7 item 10: 1 of 8 → +2.4749 / −0.3536")
  func advantages() {
    let a = Rollout.groupAdvantages([0, 0, 1, 0, 0, 0, 0, 0])
    let plus = SpecNumber("2.4749")
    let minus = SpecNumber("−0.3536")
    expectClose(a[2], plus.value, tolerance: plus.tolerance, "correct sample")
    for i in [0, 1, 3, 4, 5, 6, 7] { expectClose(a[i], minus.value, tolerance: minus.tolerance, "sample \(i)") }
    // By hand: mean 1/8, unbiased variance (1·(7/8)² + 7·(1/8)²)/7 = 1/8.
    let std = (1.0 / 8).squareRoot()
    expectClose(a[2], (7.0 / 8) / (std + 1e-6), tolerance: 1e-15, "A+")
    expectClose(a[0], (-1.0 / 8) / (std + 1e-6), tolerance: 1e-15, "A−")

    // Any group: the unbiased (n − 1) std, not the population one.
    let r = [0.3, 1.7, -0.4, 2.2, 0.9]
    let mean = r.reduce(0, +) / 5
    let sd = (r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 4).squareRoot()
    expectClose(Rollout.groupAdvantages(r), r.map { ($0 - mean) / (sd + 1e-6) }, tolerance: 1e-14, "A")
    // Equal rewards: std 0, A = 0/(0 + 1e-6) = 0. One sample: mean 0, std 1.
    #expect(Rollout.groupAdvantages([1, 1, 1]) == [0, 0, 0])
    expectClose(Rollout.groupAdvantages([0.7]), [0.7 / (1 + 1e-6)], tolerance: 1e-16, "G = 1")
  }

  static func mixedBandit() throws -> (Policy, Bandit) {
    // States 0 and 1 always give the same reward (μ ≡ 1, μ ≡ 0); states 2–5 are mixed.
    var bandit = Bandit(states: 6, arms: 4)
    try bandit.setRewards([1, 1, 1, 1], state: 0)
    try bandit.setRewards([0, 0, 0, 0], state: 1)
    for s in 2..<6 { try bandit.setRewards([0.5, 0.2, 0.9, 0.4], state: s) }
    return (try Policy(states: 6, arms: 4), bandit)
  }

  @Test("filter on drops exactly the groups whose rewards are all equal; off keeps them with A = 0")
  func filter() throws {
    let (policy, bandit) = try Self.mixedBandit()
    var dropped = 0
    for seed: UInt64 in 0..<50 {
      var g = SplitMix64(seed: seed)
      var gOff = g
      let on = try Rollout.sample(
        policy: policy, bandit: bandit, groupSize: 8, noise: .bernoulli, filter: true, using: &g)
      let off = try Rollout.sample(
        policy: policy, bandit: bandit, groupSize: 8, noise: .bernoulli, filter: false, using: &gOff)
      #expect(g == gOff, "the filter draws nothing")
      #expect(on.sampledTokens == 48 && off.sampledTokens == 48 && off.tokens.count == 48)
      // Same draws: the kept groups are the unfiltered groups with unequal rewards.
      let groups = Dictionary(grouping: off.tokens, by: \.group)
      let mixed = groups.filter { Set($0.value.map(\.reward)).count > 1 }
      #expect(Set(on.tokens.map(\.group)) == Set(mixed.keys), "seed \(seed)")
      #expect(on.filteredGroups == 6 - mixed.count)
      #expect(on.tokens.count == 8 * mixed.count)
      #expect(!on.tokens.contains { $0.state < 2 })
      for (_, group) in groups where Set(group.map(\.reward)).count == 1 {
        #expect(group.allSatisfy { $0.advantage == 0 })
      }
      for t in on.tokens {
        #expect(t.reward == 0 || t.reward == 1)
        #expect(t.oldLogProb == policy.logProbabilities(state: t.state)[t.arm])
      }
      dropped += on.filteredGroups
    }
    #expect(dropped >= 100, "states 0 and 1 are always dropped: \(dropped)")
  }

  @Test("Bernoulli refuses a mean reward outside [0, 1]; Gaussian and none accept it")
  func bernoulliRange() throws {
    let policy = try Policy(states: 2, arms: 3)
    for bad in [1.5, -0.1, 1 + 1e-12] {
      var bandit = Bandit(states: 2, arms: 3)
      try bandit.setRewards([0.2, bad, 0.5], state: 1)
      var g = SplitMix64(seed: 1)
      let before = g
      let error = #expect(throws: CoreError.self, "μ = \(bad)") {
        try Rollout.sample(policy: policy, bandit: bandit, groupSize: 4, noise: .bernoulli, filter: true, using: &g)
      }
      guard case .rewardOutOfRange = error else {
        Issue.record("μ = \(bad): expected rewardOutOfRange, got \(String(describing: error))")
        continue
      }
      #expect(g == before, "nothing drawn before refusing")
      #expect(throws: CoreError.self) {
        try SampledTrainer.step(
          policy: policy, bandit: bandit, config: GRPOConfig(), controls: [], learningRate: 0.1, using: &g)
      }
      for noise in [RewardNoise.gaussian(0.1), .none] {
        #expect(throws: Never.self) {
          try Rollout.sample(policy: policy, bandit: bandit, groupSize: 4, noise: noise, filter: true, using: &g)
        }
      }
    }
    var edge = Bandit(states: 2, arms: 3)
    try edge.setRewards([0, 1, 0.5], state: 0)
    var g = SplitMix64(seed: 2)
    let rollout = try Rollout.sample(
      policy: policy, bandit: edge, groupSize: 64, noise: .bernoulli, filter: false, using: &g)
    for t in rollout.tokens where t.state == 0 && t.arm < 2 { #expect(t.reward == Double(t.arm)) }
  }

  @Test("a step is reproducible from the generator, and records every token of every update")
  func stepRecords() throws {
    let (policy, bandit) = try GRPORunner.randomProblem(states: 6, arms: 5, seed: 3)
    var config = GRPOConfig()
    config.minibatches = 3
    config.epochs = 2
    let controls: [any EntropyControl] = [ClipCov(values: [0.1, 0.05, 5])]
    var g1 = SplitMix64(seed: 11)
    var g2 = SplitMix64(seed: 11)
    let a = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: controls, learningRate: 1, using: &g1)
    let b = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: controls, learningRate: 1, using: &g2)
    #expect(a == b && g1 == g2)
    #expect(a.tokens.count == 2 * a.counts.tokens)
    #expect(Set(a.tokens.map(\.update)) == [0, 1, 2, 3, 4, 5])
    #expect(a.counts.activity.count("clipped") == a.tokens.filter { $0.chosenBy.contains(ClipCov.name) }.count)
    #expect(a.counts.ppoClipped == a.tokens.filter(\.ppoClipped).count)
    // Each epoch trains on every token once.
    for epoch in 0..<2 {
      let seen = a.tokens.filter { $0.update / 3 == epoch }.map(\.token)
      #expect(seen.count == a.counts.tokens)
    }
  }

  // MARK: - KL-Cov with M = E = 1

  /// 60 steps of KL-Cov (k = 0.2, β = 1) and of GRPO with a clip range so
  /// wide it never binds (and, if asked, GRPO with the default clip), from
  /// the same seed on a random 8 × 6 problem at η = 2.
  static func finalLogits(
    minibatches: Int, epochs: Int, withDefaultClip: Bool
  ) throws -> (klcov: [Double], wideClip: [Double], grpo: [Double]?) {
    let (policy, bandit) = try GRPORunner.randomProblem(states: 8, arms: 6, seed: 17)
    var config = GRPOConfig()
    config.minibatches = minibatches
    config.epochs = epochs
    let kl = try GRPORunner.run(
      policy: policy, bandit: bandit, config: config, controls: [KLCov(values: [0.2, 1])], eta: 2, steps: 60, seed: 99)
    let grpo =
      withDefaultClip
      ? try GRPORunner.run(policy: policy, bandit: bandit, config: config, controls: [], eta: 2, steps: 60, seed: 99)
      : nil
    config.clipLow = 1e9
    config.clipHigh = 1e9
    let wide = try GRPORunner.run(
      policy: policy, bandit: bandit, config: config, controls: [], eta: 2, steps: 60, seed: 99)
    return (kl.policy.logits, wide.policy.logits, grpo?.policy.logits)
  }

  @Test("KL-Cov with M = E = 1 leaves the trajectory bit-for-bit that of GRPO without clip (ℓ ≡ 0, sign(0) = 0)")
  func klCovOnPolicyIsGRPO() throws {
    let t = try Self.finalLogits(minibatches: 1, epochs: 1, withDefaultClip: true)
    #expect(t.klcov == t.wideClip)
    // On-policy ρ ≡ 1, so the default clip never binds either.
    #expect(t.klcov == t.grpo)
  }

  @Test("KL-Cov with M > 1 (or E > 1) departs from unclipped GRPO", arguments: [(4, 1), (1, 2)])
  func klCovOffPolicyDiffers(minibatches: Int, epochs: Int) throws {
    let t = try Self.finalLogits(minibatches: minibatches, epochs: epochs, withDefaultClip: false)
    let gap = zip(t.klcov, t.wideClip).map { abs($0 - $1) }.max() ?? 0
    #expect(gap > 0.05, "largest logit difference after 60 steps: \(gap)")
  }
}
