import Foundation
import Testing

@testable import EntropyCore

@Suite("Adaptive entropy coefficient (TRL style)")
struct AdaptiveEntropyTests {
  @Test("α moves by δ toward the target each step and never below 0")
  func update() {
    #expect(AdaptiveEntropy.next(alpha: 0.01, entropy: 0.3, target: 0.5, delta: 0.002) == 0.012)
    #expect(AdaptiveEntropy.next(alpha: 0.01, entropy: 0.7, target: 0.5, delta: 0.002) == 0.008)
    #expect(AdaptiveEntropy.next(alpha: 0.001, entropy: 0.7, target: 0.5, delta: 0.002) == 0)
  }

  @Test("in a step: α carried in memory; below the target it is the entropy bonus at the new α, bit for bit")
  func stepEqualsBonus() throws {
    let policy = try Policy(states: 2, arms: 4, logits: [3, 0, -1, 0.5, 2, 0.3, -0.2, 0.1])
    var bandit = Bandit(states: 2, arms: 4)
    try bandit.setRewards([0.9, 0.5, 0.1, 0.3], state: 0)
    try bandit.setRewards([0.2, 0.8, 0.4, 0.6], state: 1)
    var config = GRPOConfig()
    config.filter = false
    var adaptive = AdaptiveEntropy(values: [0.05, 5, 0.01, 0])  // target 5 nats: always below, α → 0.06
    adaptive.memory = []
    var g1 = SplitMix64(seed: 4)
    let a = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [adaptive], learningRate: 0.5, using: &g1)
    #expect(a.memory["adaptive-entropy"] == [0.060000000000000005] || a.memory["adaptive-entropy"] == [0.06])
    var g2 = SplitMix64(seed: 4)
    let b = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [EntropyBonus(values: [0.05 + 0.01])],
      learningRate: 0.5, using: &g2)
    #expect(a.delta == b.delta)
    // Above the target with the gate on: no bonus at all (plain GRPO).
    var gated = AdaptiveEntropy(values: [0.05, 0, 0.01, 0])
    gated.memory = [0.2]
    var g3 = SplitMix64(seed: 4)
    let c = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [gated], learningRate: 0.5, using: &g3)
    var g4 = SplitMix64(seed: 4)
    let plain = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [], learningRate: 0.5, using: &g4)
    #expect(c.delta == plain.delta)
    #expect(c.memory["adaptive-entropy"] == [0.19])
    #expect(c.counts.activity["adaptive_alpha"] == 0)
  }
}
