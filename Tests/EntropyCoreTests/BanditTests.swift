import EntropyCore
import Foundation
import Testing

/// The bandit's values, expected reward and exact advantages against the
/// definitions V(s) = Σ_a π(a|s) μ(s,a), R = mean_s V(s), A = μ − V, and
/// the identity E_π A = 0 (spec §1, Lemma 3).
@Suite("Bandit values and advantages")
struct BanditTests {
  static func randomCase(seed: UInt64) throws -> (Policy, Bandit) {
    var g = SplitMix64(seed: seed)
    let states = TestRandom.int(1, 5, using: &g)
    let arms = TestRandom.int(1, 12, using: &g)
    var logits = TestRandom.normals(states * arms, scale: 2, using: &g)
    // Kill some arms, keeping arm 0 of each state alive.
    for i in logits.indices where i % arms != 0 && g.nextUnit() < 0.2 { logits[i] = -.infinity }
    let policy = try Policy(states: states, arms: arms, logits: logits)
    var bandit = Bandit(states: states, arms: arms)
    for s in 0..<states { try bandit.setRewards(TestRandom.uniforms(arms, -1, 2, using: &g), state: s) }
    return (policy, bandit)
  }

  @Test("V, R and A match the definitions", arguments: 0..<20)
  func definitions(seed: UInt64) throws {
    let (policy, bandit) = try Self.randomCase(seed: seed)
    let values = bandit.values(under: policy)
    let advantages = bandit.advantages(under: policy)
    var total = 0.0
    for s in 0..<policy.states {
      let r = policy.rowRange(s)
      let p = Reference.softmax(Array(policy.logits[r]))
      let mu = Array(bandit.meanRewards[r])
      let v = Reference.mean(p, mu)
      total += v
      // Σ of ≤ 12 products with |μ| ≤ 2: a few ulps of 2.
      expectClose(values[s], v, tolerance: 2e-15, "V(\(s)), seed \(seed)")
      expectClose(Array(advantages[r]), mu.map { $0 - v }, tolerance: 4e-15, "A(\(s)), seed \(seed)")
      // E_π A = 0 up to the rounding of V: a few ulps of 2.
      expectClose(Reference.mean(p, Array(advantages[r])), 0, tolerance: 4e-15, "E_π A (\(s)), seed \(seed)")
    }
    // The mean of the per-state values, summed in a different order.
    expectClose(bandit.expectedReward(under: policy), total / Double(policy.states), tolerance: 4e-15, "R")
  }

  @Test("a new bandit has zero rewards and zero advantages")
  func zeroBandit() throws {
    let policy = try Policy(states: 2, arms: 3, logits: [0, 1, 2, -1, 0, 1])
    let bandit = Bandit(states: 2, arms: 3)
    #expect(bandit.meanRewards == [Double](repeating: 0, count: 6))
    #expect(bandit.values(under: policy) == [0, 0])
    #expect(bandit.advantages(under: policy) == [Double](repeating: 0, count: 6))
    #expect(bandit.expectedReward(under: policy) == 0)
  }

  @Test("a deterministic policy earns its arm's reward; dead arms do not count")
  func oneHot() throws {
    var policy = try Policy(states: 1, arms: 3)
    try policy.setProbabilities([0, 1, 0], state: 0)
    var bandit = Bandit(states: 1, arms: 3)
    try bandit.setRewards([5, 0.25, -7], state: 0)
    // V = 1·μ₁ exactly: the other arms have π = 0 and are skipped.
    #expect(bandit.values(under: policy) == [0.25])
    #expect(bandit.advantages(under: policy) == [4.75, 0, -7.25])
  }

  @Test("setRewards replaces only its own state")
  func setRewardsIsLocal() throws {
    var bandit = Bandit(states: 3, arms: 2)
    try bandit.setRewards([1, 2], state: 1)
    #expect(bandit.meanRewards == [0, 0, 1, 2, 0, 0])
  }
}
