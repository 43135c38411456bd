import EntropyCore
import Foundation
import Testing

/// The exact PG and NPG logit steps (spec §2.2–§2.3) against their
/// definitions: PG is η·∇J (checked by central differences of the expected
/// reward), NPG solves the Fisher system F·Δz = η·∇J with F = diag π − ππᵀ,
/// both ignore a constant added to the advantages, and arms with π = 0 do
/// not move.
@Suite("Exact PG and NPG steps")
struct UpdateRuleTests {
  static func randomCase(seed: UInt64) throws -> (Policy, Bandit) {
    var g = SplitMix64(seed: seed)
    let states = TestRandom.int(1, 4, using: &g)
    let arms = TestRandom.int(2, 10, using: &g)
    let policy = try Policy(
      states: states, arms: arms, logits: TestRandom.normals(states * arms, scale: 1.5, using: &g))
    var bandit = Bandit(states: states, arms: arms)
    for s in 0..<states { try bandit.setRewards(TestRandom.uniforms(arms, 0, 1, using: &g), state: s) }
    return (policy, bandit)
  }

  /// J_s(z) = Σ_a softmax(z)_a μ_a for one state, computed plainly.
  static func reward(_ z: [Double], _ mu: [Double]) -> Double {
    Reference.mean(Reference.softmax(z), mu)
  }

  @Test("PG step / η is the gradient of the per-state expected reward", arguments: 0..<15)
  func pgIsGradient(seed: UInt64) throws {
    let (policy, bandit) = try Self.randomCase(seed: seed)
    let eta = 0.3
    let step = try UpdateRule.pg.step(policy: policy, advantages: bandit.advantages(under: policy), learningRate: eta)
    for s in 0..<policy.states {
      let r = policy.rowRange(s)
      let z = Array(policy.logits[r])
      let mu = Array(bandit.meanRewards[r])
      for b in 0..<policy.arms {
        var (up, down) = (z, z)
        up[b] += 1e-5
        down[b] -= 1e-5
        let fd = (Self.reward(up, mu) - Self.reward(down, mu)) / 2e-5
        // Central difference, h = 1e-5, |μ| ≤ 1: truncation ≈ 1e-11, round-off
        // ≈ 1e-11; 1e-9 leaves a 100× margin.
        expectClose(step.delta[r.lowerBound + b] / eta, fd, tolerance: 1e-9, "seed \(seed) state \(s) arm \(b)")
      }
    }
  }

  @Test("NPG step solves the Fisher system F·Δz = PG step", arguments: 0..<15)
  func npgSolvesFisher(seed: UInt64) throws {
    let (policy, bandit) = try Self.randomCase(seed: seed)
    let a = bandit.advantages(under: policy)
    let npg = try UpdateRule.npg.step(policy: policy, advantages: a, learningRate: 0.7).delta
    let pg = try UpdateRule.pg.step(policy: policy, advantages: a, learningRate: 0.7).delta
    for s in 0..<policy.states {
      let r = policy.rowRange(s)
      let p = Reference.softmax(Array(policy.logits[r]))
      let d = Array(npg[r])
      let pd = Reference.mean(p, d)
      // (diag π − ππᵀ)·d = π ⊙ (d − E_π d).
      let fisher = p.indices.map { p[$0] * (d[$0] - pd) }
      // Entries ≤ 0.7 built from O(1) terms: a few ulps.
      expectClose(fisher, Array(pg[r]), tolerance: 1e-15, "seed \(seed) state \(s)")
      // The NPG direction is centred under π.
      expectClose(pd, 0, tolerance: 1e-15, "E_π Δz, seed \(seed) state \(s)")
    }
  }

  @Test("a constant added to A changes neither step, and is reported", arguments: UpdateRule.allCases)
  func centring(rule: UpdateRule) throws {
    let (policy, bandit) = try Self.randomCase(seed: 3)
    let exact = bandit.advantages(under: policy)
    // Raw rewards as advantages: A + V(s) per state.
    let raw = try rule.step(policy: policy, advantages: bandit.meanRewards, learningRate: 0.5)
    let centred = try rule.step(policy: policy, advantages: exact, learningRate: 0.5)
    // Centring r or A = r − V gives the same deviations up to a few ulps of 1.
    expectClose(raw.delta, centred.delta, tolerance: 1e-15, "Δz")
    // E_π r = V(s); E_π A = 0 up to the rounding of V.
    expectClose(raw.meanAdvantage, bandit.values(under: policy), tolerance: 1e-15, "E_π r")
    expectClose(centred.meanAdvantage, [Double](repeating: 0, count: policy.states), tolerance: 1e-15, "E_π A")
  }

  @Test("steps scale linearly in η and leave dead arms still", arguments: UpdateRule.allCases)
  func linearityAndDeadArms(rule: UpdateRule) throws {
    var policy = try Policy(states: 1, arms: 4)
    try policy.setProbabilities([0.5, 0, 0.2, 0.3], state: 0)
    let a = [1.0, 9, -1, 0.5]
    let one = try rule.step(policy: policy, advantages: a, learningRate: 0.25).delta
    let two = try rule.step(policy: policy, advantages: a, learningRate: 0.5).delta
    // Doubling η is an exact scaling by 2 in floating point.
    #expect(two == one.map { 2 * $0 })
    #expect(one[1] == 0)
    // E_π A over the live arms only: 0.5 − 0.2 + 0.15 = 0.45.
    let centred = [0.55, 0, -1.45, 0.05]
    let w = rule == .pg ? [0.5, 0, 0.2, 0.3] : [1.0, 0, 1, 1]
    // A few ulps of 0.25 × O(1).
    expectClose(one, zip(w, centred).map { 0.25 * $0 * $1 }, tolerance: 1e-16, "Δz")
  }

  @Test("the rules are pg and npg")
  func cases() {
    #expect(UpdateRule.allCases == [.pg, .npg])
    #expect(UpdateRule(rawValue: "npg") == .npg)
  }
}
