import EntropyCore
import Foundation
import Testing

/// The orders of the Taylor predictions (spec §9): on exact PG and NPG
/// steps, the first-order residual H(after) − H(before) − firstOrder shrinks
/// as η² and the second-order residual as η³.
///
/// Shrinking η tenfold must shrink the residuals about 100× and 1000×. The
/// accepted bands are [70, 130] and [700, 1300]: they exclude the
/// neighbouring orders (10×, 10000×) and allow the next Taylor term. With
/// H(z + ηd) = H + c₁η + c₂η² + c₃η³ + c₄η⁴ + …, the order-n residual is
/// c_{n+1}η^{n+1}(1 + x + …) with x = η·c_{n+2}/c_{n+1}, so its tenfold
/// ratio is 10^{n+1}·(1 + x)/(1 + x/10). The band is asserted where |x| ≤ 0.15
/// (ratio within ±14%, leaving room for the η² term), computed from the
/// independent closed-form coefficients in `ReferenceMath.swift`, never from
/// the code under test. Random problems where c_{n+1} happens to nearly
/// vanish (|x| > 0.15) are counted, and at least 10 of 12 must qualify.
///
/// Round-off: η runs 0.1 → 0.01 → 0.001 for the first order (residuals
/// ≥ 4e-10) and 0.1 → 0.01 for the second (residuals ≥ 4e-13), against an
/// error of about 1e-16 in H(after) − H(before): at most a 0.1% change.
@Suite("Residual scaling of the Taylor predictions")
struct ResidualScalingTests {
  /// Residuals |actual − first| and |actual − second| of one exact step.
  static func residuals(
    policy: Policy, advantages: [Double], rule: UpdateRule, eta: Double
  ) throws -> (first: Double, second: Double) {
    let delta = try rule.step(policy: policy, advantages: advantages, learningRate: eta).delta
    let prediction = try EntropyDynamics.predict(policy: policy, change: delta).mean
    let actual = try Row.actualChange(policy, delta)
    return (abs(actual - prediction.firstOrder), abs(actual - prediction.secondOrder))
  }

  /// A random one-state bandit problem: K in 3...10 arms, N(0, 1) logits,
  /// rewards uniform in [0, 1], exact advantages.
  static func randomProblem(seed: UInt64) throws -> (Policy, [Double]) {
    var g = SplitMix64(seed: seed)
    let arms = TestRandom.int(3, 10, using: &g)
    let policy = try Row.policy(TestRandom.normals(arms, scale: 1, using: &g))
    var bandit = Bandit(states: 1, arms: arms)
    try bandit.setRewards(TestRandom.uniforms(arms, 0, 1, using: &g), state: 0)
    return (policy, bandit.advantages(under: policy))
  }

  @Test("first order shrinks ≈100×, second order ≈1000× per tenfold η", arguments: UpdateRule.allCases)
  func scaling(rule: UpdateRule) throws {
    var qualified = (first: 0, second: 0)
    let seeds: [UInt64] = Array(0..<12)
    for seed in seeds {
      let (policy, a) = try Self.randomProblem(seed: seed)
      let z = Array(policy.logits)
      // The unit step: Δz is exactly linear in η.
      let d = try rule.step(policy: policy, advantages: a, learningRate: 1).delta
      let c = Reference.taylorCoefficients(z, d)
      let c4 = Reference.fourthCoefficient(z, d)
      let r = try [0.1, 0.01, 0.001].map { try Self.residuals(policy: policy, advantages: a, rule: rule, eta: $0) }
      let label = "\(rule.rawValue) seed \(seed)"

      // First order: leading c₂η², next c₃η³.
      if abs(0.1 * c.c3 / c.c2) <= 0.15 {
        qualified.first += 1
        for (big, small, eta) in [(r[0], r[1], 0.1), (r[1], r[2], 0.01)] {
          let ratio = big.first / small.first
          // Band for η²: see the suite comment.
          #expect(
            (70...130).contains(ratio),
            "\(label) η \(eta): first-order residuals \(big.first) → \(small.first), ratio \(ratio)")
        }
      }
      // Second order: leading c₃η³, next c₄η⁴.
      if abs(0.1 * c4 / c.c3) <= 0.15 {
        qualified.second += 1
        let ratio = r[0].second / r[1].second
        // Band for η³: see the suite comment.
        #expect(
          (700...1300).contains(ratio),
          "\(label): second-order residuals \(r[0].second) → \(r[1].second), ratio \(ratio)")
      }
    }
    #expect(qualified.first >= 10, "only \(qualified.first) of 12 problems qualify for the first-order band")
    #expect(qualified.second >= 10, "only \(qualified.second) of 12 problems qualify for the second-order band")
  }

  @Test("the reference Taylor coefficients are mutually consistent", arguments: 0..<12)
  func referenceCoefficients(seed: UInt64) throws {
    let (policy, a) = try Self.randomProblem(seed: seed)
    let z = Array(policy.logits)
    let h = 1e-4
    for rule in UpdateRule.allCases {
      let d = try rule.step(policy: policy, advantages: a, learningRate: 1).delta
      let c = Reference.taylorCoefficients(z, d)
      let up = Reference.taylorCoefficients(zip(z, d).map { $0 + h * $1 }, d)
      let down = Reference.taylorCoefficients(zip(z, d).map { $0 - h * $1 }, d)
      // d c₁/dt = 2c₂ and d c₂/dt = 3c₃; central differences with h = 1e-4 on
      // O(1) coefficients: truncation ≈ h² ≈ 1e-8, round-off ≈ 1e-12.
      expectClose((up.c1 - down.c1) / (2 * h), 2 * c.c2, tolerance: 1e-7, "\(rule.rawValue) \(seed) c₂")
      expectClose((up.c2 - down.c2) / (2 * h), 3 * c.c3, tolerance: 1e-7, "\(rule.rawValue) \(seed) c₃")
    }
  }

  @Test("the second-order term is the plain formula of spec §9", arguments: 0..<12)
  func secondOrderFormula(seed: UInt64) throws {
    let (policy, a) = try Self.randomProblem(seed: seed)
    let z = Array(policy.logits(state: 0))
    for rule in UpdateRule.allCases {
      let d = try rule.step(policy: policy, advantages: a, learningRate: 0.5).delta
      let p = Row.predict(z, d)
      let expected = p.firstOrder - 0.5 * Reference.secondOrderBracket(z, d)
      // Centred versus raw moments of O(1) terms: a few ulps of 1.
      expectClose(p.secondOrder, expected, tolerance: 1e-15, "\(rule.rawValue) seed \(seed)")
    }
  }
}
