import EntropyCore
import Foundation
import Testing

/// Per-arm shares π_a(f_a − E f)(d_a − E d) of Cov_π(log π, Δz): they sum
/// to the covariance, and their signs carry the paper's intuition (§2.4):
/// pushing up an already likely arm lowers entropy, pushing up a rare arm
/// raises it.
@Suite("Per-arm contributions")
struct ContributionTests {
  static func randomCase(seed: UInt64) throws -> (Policy, [Double]) {
    var g = SplitMix64(seed: seed)
    let states = TestRandom.int(1, 3, using: &g)
    let arms = TestRandom.int(2, 20, using: &g)
    let policy = try Policy(
      states: states, arms: arms, logits: TestRandom.normals(states * arms, scale: 2, using: &g))
    return (policy, TestRandom.normals(states * arms, scale: 1, using: &g))
  }

  @Test("shares sum to the covariance −firstOrder", arguments: 0..<20)
  func sumToCovariance(seed: UInt64) throws {
    let (policy, d) = try Self.randomCase(seed: seed)
    let predictions = try EntropyDynamics.predict(policy: policy, change: d).perState
    for s in 0..<policy.states {
      let shares = EntropyDynamics.contributions(policy: policy, change: d, state: s).map(\.covarianceShare)
      let size = shares.reduce(0) { $0 + $1.magnitude }
      // Two summations of K terms, with log π rounded along two paths: each
      // within K·ε·Σ|share| (the textbook summation bound), so 2K·ε·Σ|share|.
      let tolerance = 2 * Double(policy.arms) * Double.ulpOfOne * max(size, 1)
      expectClose(shares.reduce(0, +), -predictions[s].firstOrder, tolerance: tolerance, "seed \(seed)")
    }
  }

  @Test("each share is the plain π_a(f_a − E f)(d_a − E d)", arguments: 0..<20)
  func plainShares(seed: UInt64) throws {
    let (policy, d) = try Self.randomCase(seed: seed)
    for s in 0..<policy.states {
      let z = Array(policy.logits(state: s))
      let row = Array(d[policy.rowRange(s)])
      let p = Reference.softmax(z)
      let f = p.map { log($0) }
      let (ef, ed) = (Reference.mean(p, f), Reference.mean(p, row))
      let expected = p.indices.map { p[$0] * (f[$0] - ef) * (row[$0] - ed) }
      let contributions = EntropyDynamics.contributions(policy: policy, change: d, state: s)
      // Products of O(1) factors from independently computed π: a few ulps of 1.
      expectClose(contributions.map(\.covarianceShare), expected, tolerance: 2e-15, "seed \(seed) state \(s)")
      #expect(contributions.allSatisfy { $0.entropyEffect == -$0.covarianceShare })
    }
  }

  @Test("raising a likely arm lowers entropy; raising a rare arm raises it")
  func signSemantics() throws {
    let z = [2.0, 0, 0]
    let policy = try Row.policy(z)
    for (arm, entropyFalls) in [(0, true), (1, false)] {
      var d = [0.0, 0, 0]
      d[arm] = 1e-3
      let share = EntropyDynamics.contributions(policy: policy, change: d, state: 0)[arm]
      let actual = try Row.actualChange(z, d)
      #expect((share.covarianceShare > 0) == entropyFalls, "arm \(arm) share \(share.covarianceShare)")
      #expect((share.entropyEffect < 0) == entropyFalls, "arm \(arm) effect \(share.entropyEffect)")
      #expect((actual < 0) == entropyFalls, "arm \(arm) actual ΔH \(actual)")
    }
  }

  @Test("PG: π and A positively correlated lowers H, negatively raises it (§2.4)")
  func paperIntuition() throws {
    let policy = try Row.policy([2.0, 0, 0])
    // Reward on the likely arm (positive correlation), then on a rare arm.
    for (rewards, entropyFalls) in [([1.0, 0, 0], true), ([0.0, 1, 0], false)] {
      var bandit = Bandit(states: 1, arms: 3)
      try bandit.setRewards(rewards, state: 0)
      let delta = try UpdateRule.pg.step(
        policy: policy, advantages: bandit.advantages(under: policy), learningRate: 0.01
      )
      .delta
      let predicted = try EntropyDynamics.predict(policy: policy, change: delta).mean.firstOrder
      let actual = try Row.actualChange(policy, delta)
      #expect((predicted < 0) == entropyFalls, "rewards \(rewards): predicted \(predicted)")
      #expect((actual < 0) == entropyFalls, "rewards \(rewards): actual \(actual)")
    }
  }

  @Test("arms with π = 0 have share 0")
  func deadArms() throws {
    var policy = try Policy(states: 2, arms: 4)
    try policy.setProbabilities([0.6, 0, 0.4, 0], state: 1)
    let d = [1.0, 2, 3, 4, 1, 2, 3, 4]
    let shares = EntropyDynamics.contributions(policy: policy, change: d, state: 1).map(\.covarianceShare)
    #expect(shares[1] == 0 && shares[3] == 0)
    // Two live arms: Cov = π₀π₂(f₀ − f₂)(d₀ − d₂) = 0.24·log(1.5)·(−2).
    let expected = 0.24 * log(1.5) * -2
    // A few ulps of the O(1) result.
    expectClose(shares.reduce(0, +), expected, tolerance: 1e-15, "two-arm covariance")
  }
}
