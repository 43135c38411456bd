import Foundation
import Testing

@testable import EntropyCore

/// OPEFO's balance (EntropyLab's reading of a secondary source) against
/// literature.md §5's hand-worked batch, and its defining property checked
/// independently: after reweighting with the full kernel, the step's
/// first-order entropy change is zero (by `Reference.taylorCoefficients`,
/// a second implementation of the Taylor expansion of H along the step)
/// and the exact change shrinks as η² (ratios over η, 2η, 4η).
///
/// Tolerances: the spec prints 10 decimals (5e-11) for flows, P, N and λ;
/// the exact ΔH to 6 significant digits (half a unit); the reweighted
/// first-order flow is a sum of 8 terms of size 1e-2, whose rounding is
/// ~1e-17 (numpy gives −1.7e-17), so 1e-16.
@Suite("OPEFO balance (secondary source, literature §5)")
struct OPEFOTests {
  static let z = [1.0, 0, -1, 0.5]
  static let pi = Reference.softmax(z)
  static let arms = [0, 0, 0, 1, 2, 3, 3, 0]
  static let rewards = [1.0, 0, 1, 0, 1, 0, 0, 0]
  static var advantages: [Double] { Rollout.groupAdvantages(rewards) }

  static func balance(_ kernel: OPEFOBalance.Kernel, eta: Double = 0.1) -> OPEFOBalance {
    let k = TokenEntropyKernel(probabilities: pi)
    return OPEFOBalance(
      kernels: Array(repeating: k, count: arms.count), arms: arms, advantages: advantages, kernel: kernel,
      learningRate: eta)
  }

  /// Δz/η = Σ_i w_i·A_i·(e_{k_i} − π).
  static func direction(weights: [Double]) -> [Double] {
    var d = [Double](repeating: 0, count: pi.count)
    for (i, a) in arms.enumerated() {
      for b in pi.indices { d[b] += weights[i] * advantages[i] * ((b == a ? 1 : 0) - pi[b]) }
    }
    return d
  }

  static func exactChange(_ d: [Double], eta: Double) -> Double {
    Reference.entropy(zip(z, d).map { $0 + eta * $1 }) - Reference.entropy(z)
  }

  @Test("the spec's advantages, flows, P, N and λ (full kernel)")
  func specVector() {
    expectClose(Self.advantages[0], 1.2076123955, tolerance: 5e-11, "A+")
    expectClose(Self.advantages[1], -0.7245674373, tolerance: 5e-11, "A−")
    let b = Self.balance(.full)
    expectClose(
      b.flows,
      [
        -0.0167803828, 0.0100682297, -0.0167803828, -0.0122575131, 0.0208070619, -0.0063795371, -0.0063795371,
        0.0100682297,
      ], tolerance: 5e-11, "ΔH_t")
    expectClose(b.positive, 0.0409435213, tolerance: 5e-11, "P")
    expectClose(b.negative, 0.0585773530, tolerance: 5e-11, "N")
    expectClose(b.lambda, 0.1771872670, tolerance: 5e-11, "λ")
    #expect(b.weights == b.flows.map { $0 > 0 ? 1 + b.lambda : 1 - b.lambda })
  }

  @Test("the sampled-only kernel: λ = 0.1711528693, and with GRPO the same net flow as the full kernel")
  func sampledKernel() {
    let s = Self.balance(.sampled)
    expectClose(s.lambda, 0.1711528693, tolerance: 5e-11, "λ sampled")
    // ΣA = 0 in the group, so the C·ΣA part of the net flow vanishes.
    expectClose(s.netFlow, Self.balance(.full).netFlow, tolerance: 1e-15, "net flow")
  }

  @Test("plain update: first-order −0.0176338317, exact −0.0234015584")
  func plainUpdate() {
    let b = Self.balance(.full)
    expectClose(b.netFlow, -0.0176338317, tolerance: 5e-11, "first order")
    let d = Self.direction(weights: Array(repeating: 1, count: Self.arms.count))
    expectClose(Reference.taylorCoefficients(Self.z, d).c1 * 0.1, -0.0176338317, tolerance: 5e-11, "c₁·η")
    expectClose(Self.exactChange(d, eta: 0.1), -0.0234015584, tolerance: 5e-11, "exact")
  }

  @Test("OPEFO update: first-order ΔH = 0; the exact change is the spec's and shrinks as η²")
  func zeroNetFlow() {
    let b = Self.balance(.full)
    #expect(abs(b.balancedFlow) < 1e-16, "Σ w·ΔH = \(b.balancedFlow)")
    let d = Self.direction(weights: b.weights)
    let taylor = Reference.taylorCoefficients(Self.z, d)
    #expect(abs(taylor.c1) < 1e-15, "c₁ = \(taylor.c1)")
    for (eta, printed) in [(0.1, "-1.74884e-3"), (1e-2, "-1.78998e-5"), (1e-3, "-1.79381e-7")] {
      let spec = SpecNumber(printed)
      expectClose(Self.exactChange(d, eta: eta), spec.value, tolerance: spec.halfUnit, "exact ΔH at η = \(eta)")
    }
    // η, 2η, 4η: each doubling multiplies the change by 4 (up to the O(η³)
    // term: c₃/c₂·η ≈ 2.5e-3 at η = 0.01).
    let h1 = Self.exactChange(d, eta: 0.01)
    let h2 = Self.exactChange(d, eta: 0.02)
    let h4 = Self.exactChange(d, eta: 0.04)
    expectClose(h2 / h1, 4, tolerance: 0.05, "ΔH(2η)/ΔH(η)")
    expectClose(h4 / h2, 4, tolerance: 0.1, "ΔH(4η)/ΔH(2η)")
    // And the η² coefficient is the Taylor c₂ of an independent expansion.
    expectClose(h1 / (0.01 * 0.01), taylor.c2, tolerance: 0.01 * abs(taylor.c2), "ΔH/η² vs c₂")
    // The plain update's change is first order: doubling η doubles it (up
    // to c₂/c₁·η ≈ 3.3e-3 at η = 1e-3, from the spec's −0.0176 and −0.0234
    // at η = 0.1).
    let plain = Self.direction(weights: Array(repeating: 1, count: Self.arms.count))
    expectClose(Self.exactChange(plain, eta: 2e-3) / Self.exactChange(plain, eta: 1e-3), 2, tolerance: 0.02, "plain")
  }

  @Test("random batches over several states: |λ| ≤ 1, weights ≥ 0, the reweighted first-order flow is zero")
  func randomBatches() {
    var g = SplitMix64(seed: 1515)
    for _ in 0..<100 {
      let states = TestRandom.int(1, 4, using: &g)
      let kernels = (0..<states).map { _ in
        TokenEntropyKernel(probabilities: Reference.softmax(TestRandom.normals(5, scale: 2, using: &g)))
      }
      let n = TestRandom.int(2, 12, using: &g)
      let owners = (0..<n).map { _ in TestRandom.int(0, states - 1, using: &g) }
      let arms = (0..<n).map { _ in TestRandom.int(0, 4, using: &g) }
      let adv = TestRandom.normals(n, scale: 1, using: &g)
      for kind in OPEFOBalance.Kernel.allCases {
        let b = OPEFOBalance(
          kernels: owners.map { kernels[$0] }, arms: arms, advantages: adv, kernel: kind, learningRate: 0.3)
        #expect(abs(b.lambda) <= 1)
        #expect(b.weights.allSatisfy { $0 >= 0 })
        expectClose(b.balancedFlow, 0, tolerance: 1e-15 * (b.positive + b.negative + 1), "\(kind) balanced flow")
      }
    }
  }

  @Test("no flow at all (every advantage 0): λ = 0 and every weight 1")
  func noFlow() {
    let k = TokenEntropyKernel(probabilities: Self.pi)
    let b = OPEFOBalance(kernels: [k, k], arms: [0, 1], advantages: [0, 0], kernel: .full)
    #expect(b.lambda == 0)
    #expect(b.weights == [1, 1])
  }
}
