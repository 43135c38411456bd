import EntropyCore
import Foundation
import Testing

/// The exact identity H(z + Δz) − H(z) = −∫₀¹ Cov_{π_t}(log π_t, Δz) dt
/// (spec §9): `EntropyDynamics.predict(...).pathIntegral` must equal the
/// actual change H(after) − H(before) to 1e-12 for |Δz|∞ ≤ 10.
///
/// Why 1e-12: for K ≤ 50 the entropies are ≤ log 50 ≈ 3.9, so the
/// subtraction H(after) − H(before) is good to about 1e-15; anything above
/// 1e-12 is quadrature error in the path rule, not round-off.
@Suite("Path integral is the exact entropy change")
struct PathIntegralTests {
  /// The accepted |pathIntegral − actual| for |Δz|∞ ≤ 10 (see the suite comment).
  static let tolerance = 1e-12

  /// A random row: K arms, N(0, scale²) logits, each arm −∞ with
  /// probability `deadFraction` (at least one stays finite).
  static func randomRow(arms: Int, scale: Double, deadFraction: Double, using g: inout SplitMix64) -> [Double] {
    var z = TestRandom.normals(arms, scale: scale, using: &g)
    for i in z.indices where g.nextUnit() < deadFraction { z[i] = -.infinity }
    if !z.contains(where: \.isFinite) { z[Sampling.uniformInt(below: arms, using: &g)] = 0 }
    return z
  }

  static func check(_ z: [Double], _ d: [Double], _ label: String) throws {
    let path = Row.predict(z, d).pathIntegral
    let actual = try Row.actualChange(z, d)
    // 1e-12: quadrature error only (suite comment).
    expectClose(path, actual, tolerance: tolerance, label)
  }

  struct RandomCase: Sendable, CustomTestStringConvertible {
    let arms: Int
    let scale: Double
    var testDescription: String { "K=\(arms) logit scale \(scale)" }
  }

  static let randomCases: [RandomCase] = [1, 2, 3, 5, 8, 13, 21, 34, 50].flatMap { k in
    [0.5, 2, 6].map { RandomCase(arms: k, scale: $0) }
  }

  @Test("random rows with |Δz|∞ ≤ 10 and some −∞ logits", arguments: randomCases)
  func randomRows(_ c: RandomCase) throws {
    var g = SplitMix64(seed: UInt64(c.arms) &* 1_000 &+ UInt64(c.scale * 10))
    for trial in 0..<40 {
      let z = Self.randomRow(arms: c.arms, scale: c.scale, deadFraction: trial % 2 == 0 ? 0 : 0.3, using: &g)
      // Amplitudes from gentle to the full |Δz|∞ = 10.
      let amplitude = [0.01, 0.3, 1, 3, 10][trial % 5]
      let d = TestRandom.uniforms(c.arms, -amplitude, amplitude, using: &g)
      try Self.check(z, d, "\(c.testDescription) trial \(trial) amplitude \(amplitude)")
    }
  }

  @Test("steep two-arm swaps, the crossing anywhere in t ∈ [0, 1]")
  func steepCrossings() throws {
    // z = [c, 0], Δz = [10, −10]: π_t crosses ½ at t = −c/20, the
    // integrand's sharpest feature (width ≈ 1/20 in t).
    for i in 0...200 {
      let c = -25 + 0.25 * Double(i)
      try Self.check([c, 0], [10, -10], "c = \(c)")
      try Self.check([c, 0, -.infinity, 0.5 * c], [10, -10, 3, 0], "4 arms, c = \(c)")
    }
  }

  @Test("one arm jumps by ±10 among many", arguments: [3, 10, 50])
  func oneArmJumps(arms: Int) throws {
    var g = SplitMix64(seed: 4242 &+ UInt64(arms))
    for trial in 0..<30 {
      let z = TestRandom.normals(arms, scale: 3, using: &g)
      var d = [Double](repeating: 0, count: arms)
      d[trial % arms] = trial % 2 == 0 ? 10 : -10
      try Self.check(z, d, "K=\(arms) trial \(trial)")
    }
  }

  @Test("exact PG and NPG steps scaled to |Δz|∞ = 10", arguments: UpdateRule.allCases)
  func exactSteps(rule: UpdateRule) throws {
    var g = SplitMix64(seed: 99)
    for trial in 0..<30 {
      let arms = TestRandom.int(2, 50, using: &g)
      let policy = try Row.policy(TestRandom.normals(arms, scale: 2, using: &g))
      var bandit = Bandit(states: 1, arms: arms)
      try bandit.setRewards(TestRandom.uniforms(arms, 0, 1, using: &g), state: 0)
      let a = bandit.advantages(under: policy)
      let unit = try rule.step(policy: policy, advantages: a, learningRate: 1).delta
      let largest = unit.map(\.magnitude).max() ?? 0
      guard largest > 0 else { continue }
      let delta = try rule.step(policy: policy, advantages: a, learningRate: 10 / largest).delta
      try Self.check(Array(policy.logits), delta, "\(rule.rawValue) trial \(trial) K=\(arms)")
    }
  }

  @Test("a constant shift of every live logit changes nothing")
  func constantShift() throws {
    let z = [0.3, -1.2, -.infinity, 2.0]
    let p = Row.predict(z, [5, 5, 1, 5])
    #expect(p.pathIntegral == 0)
    // Shift invariance of H: the only change is the rounding of z + 5.
    expectClose(try Row.actualChange(z, [5, 5, 1, 5]), 0, tolerance: 1e-15, "actual")
    // First and second orders are −Cov and −½Var of a constant: zero up to ulps.
    expectClose(p.firstOrder, 0, tolerance: 1e-15, "first order")
    expectClose(p.secondOrder, 0, tolerance: 1e-15, "second order")
  }

  @Test("multi-state mean is the mean of the per-state actual changes")
  func multiStateMean() throws {
    var g = SplitMix64(seed: 7)
    let (states, arms) = (6, 9)
    let policy = try Policy(states: states, arms: arms, logits: TestRandom.normals(states * arms, scale: 2, using: &g))
    let d = TestRandom.uniforms(states * arms, -5, 5, using: &g)
    let (perState, mean) = try EntropyDynamics.predict(policy: policy, change: d)
    var after = policy
    try after.apply(d)
    for s in 0..<states {
      let actual = after.entropy(state: s) - policy.entropy(state: s)
      // Per state: the suite's bound.
      expectClose(perState[s].pathIntegral, actual, tolerance: Self.tolerance, "state \(s)")
    }
    // The mean of 6 values within 1e-12 each is within 1e-12.
    expectClose(mean.pathIntegral, after.meanEntropy - policy.meanEntropy, tolerance: Self.tolerance, "mean")
  }

  @Test("matches an independent Simpson quadrature of the plain integrand")
  func independentQuadrature() throws {
    var g = SplitMix64(seed: 2024)
    for trial in 0..<6 {
      let z = Self.randomRow(arms: 7, scale: 2, deadFraction: 0.2, using: &g)
      let d = TestRandom.uniforms(7, -4, 4, using: &g)
      let simpson = Reference.pathIntegral(z, d, intervals: 4000)
      // Simpson with h = 2.5e-4 on an integrand with derivatives ≈ range⁴ ≈ 4e3:
      // error ≈ h⁴·4e3/180 ≈ 1e-13; 1e-10 is a safe bound.
      expectClose(Row.predict(z, d).pathIntegral, simpson, tolerance: 1e-10, "trial \(trial)")
    }
  }

  @Test("a huge but finite change does not trap and gives a finite value")
  func hugeChangeDoesNotTrap() {
    // Range 2e20: beyond the resolved span the path integral is NaN (not a
    // wrong number), and computing that must not overflow Int.
    let p = Row.predict([0, 0], [1e20, -1e20])
    #expect(p.pathIntegral.isNaN)
    #expect(p.firstOrder.isFinite)
    // Just inside the span it is computed, and exact.
    let q = Row.predict([0, 0], [1000, -1000])
    #expect(abs(q.pathIntegral - (0 - log(2.0))) < 1e-12)
  }
}
