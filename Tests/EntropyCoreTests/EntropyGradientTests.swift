import EntropyCore
import Foundation
import Testing

/// `EntropyDynamics.entropyGradient` (∂H/∂z_b = −π_b(log π_b + H), spec
/// §2.1) against central finite differences and the plain formula, on
/// seeded random policies.
@Suite("Entropy gradient ∇_z H")
struct EntropyGradientTests {
  /// A seeded random multi-state policy with K in 2...12 and logit scale 1.5.
  static func randomPolicy(seed: UInt64) throws -> Policy {
    var g = SplitMix64(seed: seed)
    let states = TestRandom.int(1, 4, using: &g)
    let arms = TestRandom.int(2, 12, using: &g)
    return try Policy(
      states: states, arms: arms, logits: TestRandom.normals(states * arms, scale: 1.5, using: &g))
  }

  @Test("matches central finite differences", arguments: 0..<20)
  func finiteDifferences(seed: UInt64) throws {
    let policy = try Self.randomPolicy(seed: seed)
    for s in 0..<policy.states {
      let z = Array(policy.logits(state: s))
      let g = EntropyDynamics.entropyGradient(policy: policy, state: s)
      for b in 0..<policy.arms {
        let fd = Reference.entropyDerivative(z, arm: b, step: 1e-5)
        // Central difference with h = 1e-5: truncation h²|H'''|/6 ≈ 1e-11 and
        // round-off ε·H/h ≈ 1e-10; 1e-8 leaves a 100× margin (a wrong factor
        // or sign would be off by ≥ 1e-3).
        expectClose(g[b], fd, tolerance: 1e-8, "seed \(seed) state \(s) arm \(b)")
      }
    }
  }

  @Test("matches the plain closed form", arguments: 0..<20)
  func closedForm(seed: UInt64) throws {
    let policy = try Self.randomPolicy(seed: seed)
    for s in 0..<policy.states {
      let g = EntropyDynamics.entropyGradient(policy: policy, state: s)
      // Same formula from independently computed π and H: entries ≤ 1/e,
      // errors a few ulps of log K ≈ 2.5 times π.
      expectClose(g, Reference.entropyGradient(Array(policy.logits(state: s))), tolerance: 4e-15, "seed \(seed)")
    }
  }

  @Test("sums to zero: H is shift-invariant", arguments: 0..<20)
  func sumsToZero(seed: UInt64) throws {
    let policy = try Self.randomPolicy(seed: seed)
    for s in 0..<policy.states {
      let g = EntropyDynamics.entropyGradient(policy: policy, state: s)
      // Σ π_b(log π_b + H) = −H + H = 0; K terms of size ≤ 1: K ulps of 1.
      expectClose(g.reduce(0, +), 0, tolerance: Double(policy.arms) * 2.3e-16, "seed \(seed)")
    }
  }

  @Test("⟨∇H, Δz⟩ equals the first-order prediction −Cov(log π, Δz)", arguments: 0..<20)
  func directionalDerivative(seed: UInt64) throws {
    let policy = try Self.randomPolicy(seed: seed)
    var rng = SplitMix64(seed: seed &+ 1000)
    let d = TestRandom.normals(policy.logits.count, scale: 1, using: &rng)
    let predictions = try EntropyDynamics.predict(policy: policy, change: d).perState
    for s in 0..<policy.states {
      let g = EntropyDynamics.entropyGradient(policy: policy, state: s)
      let inner = zip(g, d[policy.rowRange(s)]).reduce(0) { $0 + $1.0 * $1.1 }
      // Both are Σ of K products of size ≤ |d| ≈ 3: a few ulps each, 1e-14 total.
      expectClose(inner, predictions[s].firstOrder, tolerance: 1e-14, "seed \(seed) state \(s)")
    }
  }

  @Test("is zero on arms with π = 0 and correct on the others")
  func deadArms() throws {
    var policy = try Policy(states: 1, arms: 5)
    try policy.setProbabilities([0.5, 0, 0.3, 0, 0.2], state: 0)
    let g = EntropyDynamics.entropyGradient(policy: policy, state: 0)
    #expect(g[1] == 0 && g[3] == 0)
    // The live arms behave like the 3-arm policy [0.5, 0.3, 0.2].
    let live = [log(0.5), log(0.3), log(0.2)]
    for (i, b) in [0, 2, 4].enumerated() {
      // Same central-difference bound as above.
      expectClose(g[b], Reference.entropyDerivative(live, arm: i, step: 1e-5), tolerance: 1e-8, "arm \(b)")
    }
  }

  @Test("each state's gradient depends on its own row only")
  func rowsAreIndependent() throws {
    let policy = try Self.randomPolicy(seed: 77)
    for s in 0..<policy.states {
      let alone = try Row.policy(Array(policy.logits(state: s)))
      // Bit-identical inputs through the same code: exact equality.
      #expect(
        EntropyDynamics.entropyGradient(policy: policy, state: s)
          == EntropyDynamics.entropyGradient(policy: alone, state: 0))
    }
  }
}
