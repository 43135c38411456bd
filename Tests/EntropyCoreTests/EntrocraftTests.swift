import Foundation
import Testing

@testable import EntropyCore

/// Entrocraft's band, its two variants and the repository's `entropic`
/// controller against literature.md §2's vectors, plus the sign trap: the
/// first-order entropy change of a RAFT++ or NSR step checked by the
/// kernel and by the exact change of the step.
///
/// Tolerances: spec values printed to 10 decimals → 5e-11; α to 4 decimals
/// → 5e-5 (they are exact to 1e-15 here: 0.3, 0.203, 0.105, −0.044).
@Suite("Entrocraft and entropic (literature §2)")
struct EntrocraftTests {
  static let rewards = [1.0, -1, -1, 1, -1, -1, -1, -1]

  @Test("RAFT++, NSR and GRPO advantages of the spec's rewards")
  func advantages() {
    #expect(Entrocraft.advantages(rewards: Self.rewards, branch: .raft) == [1, 0, 0, 1, 0, 0, 0, 0])
    #expect(Entrocraft.advantages(rewards: Self.rewards, branch: .nsr) == [0, -1, -1, 0, -1, -1, -1, -1])
    let g = Entrocraft.advantages(rewards: Self.rewards, branch: .grpo)
    for (r, a) in zip(Self.rewards, g) {
      expectClose(a, r > 0 ? 1.6201834246 : -0.5400611415, tolerance: 5e-11, "GRPO A at R = \(r)")
    }
    // Bernoulli 0/1 rewards on the code's ±1 scale.
    #expect([0.0, 1].map(Entrocraft.signed) == [-1, 1])
  }

  @Test("the code's branch by H against the band, and the paper's keep rule")
  func branchAndKeep() {
    #expect(Entrocraft.branch(entropy: 0.8, low: 0.6, high: 0.7) == .raft)
    #expect(Entrocraft.branch(entropy: 0.5, low: 0.6, high: 0.7) == .nsr)
    #expect(Entrocraft.branch(entropy: 0.65, low: 0.6, high: 0.7) == .grpo)
    // The bounds themselves are in the band (strict comparisons in the code).
    #expect(Entrocraft.branch(entropy: 0.7, low: 0.6, high: 0.7) == .grpo)
    #expect(Entrocraft.branch(entropy: 0.6, low: 0.6, high: 0.7) == .grpo)
    #expect(Entrocraft.direction(entropy: 0.8, low: 0.6, high: 0.7) == 1)
    #expect(Entrocraft.direction(entropy: 0.5, low: 0.6, high: 0.7) == -1)
    #expect(Entrocraft.direction(entropy: 0.65, low: 0.6, high: 0.7) == 0)
    // Too high: negatives dropped; too low: positives dropped; in range: all kept.
    #expect(Entrocraft.keeps(advantage: 1.2, direction: 1) && !Entrocraft.keeps(advantage: -0.5, direction: 1))
    #expect(!Entrocraft.keeps(advantage: 1.2, direction: -1) && Entrocraft.keeps(advantage: -0.5, direction: -1))
    #expect(Entrocraft.keeps(advantage: 1.2, direction: 0) && Entrocraft.keeps(advantage: -0.5, direction: 0))
    #expect(Entrocraft.keeps(advantage: 0, direction: 1) && Entrocraft.keeps(advantage: 0, direction: -1))
  }

  @Test("band schedules at t = 50 of T = 200, the ends, and past T")
  func schedules() {
    let linear = EntrocraftBand(schedule: .linear, start: (0.6, 0.7), end: (0.4, 0.5), steps: 200)
    let cos = EntrocraftBand(schedule: .cos, start: (0.6, 0.7), end: (0.4, 0.5), steps: 200)
    expectClose(linear.bounds(step: 50).low, 0.55, tolerance: 5e-11, "linear lb")
    expectClose(linear.bounds(step: 50).high, 0.65, tolerance: 5e-11, "linear ub")
    expectClose(cos.bounds(step: 50).low, 0.5707106781, tolerance: 5e-11, "cos lb")
    expectClose(cos.bounds(step: 50).high, 0.6707106781, tolerance: 5e-11, "cos ub")
    for band in [linear, cos] {
      expectClose(band.bounds(step: 0).low, 0.6, tolerance: 1e-15, "\(band.schedule) start")
      expectClose(band.bounds(step: 200).low, 0.4, tolerance: 1e-15, "\(band.schedule) end")
      expectClose(band.bounds(step: 500).high, 0.5, tolerance: 1e-15, "\(band.schedule) past T")
    }
    // Cos is symmetric about T/2 and slower than linear at first.
    expectClose(cos.progress(step: 50) + cos.progress(step: 150), 1, tolerance: 1e-15, "cos symmetry")
    #expect(cos.progress(step: 50) < linear.progress(step: 50))
    let fixed = EntrocraftBand.fixed(low: 0.5, high: 0.5)
    #expect(fixed.bounds(step: 123) == (0.5, 0.5))
  }

  @Test("entropic: α = 0.3000, 0.2030, 0.1050, −0.0440 at H = 0.8, 0.7, 0.6, 0.45 (H* = 0.5)")
  func entropic() {
    var c = EntropicController(target: 0.5)
    let alphas = [0.8, 0.7, 0.6, 0.45].map { c.update(entropy: $0) }
    expectClose(alphas, [0.3, 0.203, 0.105, -0.044], tolerance: 1e-12, "α")
    // The integral after four steps: 0.01·Σe = 0.01·(0.3 + 0.2 + 0.1 − 0.05).
    expectClose(c.integral, 0.0055, tolerance: 1e-15, "I")
    #expect(EntropicController.advantage(reward: 1, alpha: 0.3) == 1.3)
    #expect(EntropicController.advantage(reward: -1, alpha: 0.3) == -0.7)
    #expect(EntropicController.advantage(reward: 0, alpha: 0.3) == 0)
  }

  /// First-order and exact ΔH of a token-mean step Δz = (η/N)·Σ A_i (e_k − π).
  static func change(arms: [Int], advantages: [Double], eta: Double) -> (first: Double, exact: Double) {
    let z = [1.0, 0, -1, 0.5]
    let pi = Reference.softmax(z)
    let kernel = TokenEntropyKernel(probabilities: pi)
    let n = Double(arms.count)
    var first = 0.0
    var d = [Double](repeating: 0, count: 4)
    for (k, a) in zip(arms, advantages) {
      first += kernel.firstOrderChange(arm: k, advantage: a, weight: 1 / n, learningRate: eta)
      for b in 0..<4 { d[b] += eta / n * a * ((b == k ? 1 : 0) - pi[b]) }
    }
    // The kernel's sum against an independent expansion of H along d.
    expectClose(first, Reference.taylorCoefficients(z, d).c1, tolerance: 1e-15, "first order vs c₁")
    return (first, Reference.entropy(zip(z, d).map { $0 + $1 }) - Reference.entropy(z))
  }

  @Test(
    "sign trap: NSR lowers H when the negatives are the rare arms",
    arguments: [
      ([0, 3], Entrocraft.Branch.raft, -0.0058471751, -0.0059453288),
      ([0, 3], .nsr, -0.0063829917, -0.0064391816),
      ([1, 2], .raft, 0.0063829917, .nan),
      ([1, 2], .nsr, 0.0058471751, .nan),
    ])
  func signTrap(correct: [Int], branch: Entrocraft.Branch, first: Double, exact: Double) {
    let arms = [0, 0, 1, 3, 0, 2, 1, 0]
    let rewards = arms.map { correct.contains($0) ? 1.0 : -1 }
    let a = Entrocraft.advantages(rewards: rewards, branch: branch)
    let c = Self.change(arms: arms, advantages: a, eta: 0.1)
    expectClose(c.first, first, tolerance: 5e-11, "first order")
    if !exact.isNaN { expectClose(c.exact, exact, tolerance: 5e-11, "exact") }
    // First order and exact agree in sign at this step size.
    #expect((c.exact > 0) == (first > 0))
  }
}
