import Foundation
import Testing

@testable import EntropyCore

/// Vocabulary dropout (literature.md §8, SECONDARY): the spec's masked V0
/// vector, the masked softmax's gradient by finite differences, protected
/// arms, α = 1 against no control, and the kept fraction's statistics.
@Suite("Vocabulary dropout: a random arm mask in sampling and training (literature §8)")
struct VocabularyDropoutTests {
  static let v0 = [1.0, 0, -1, 0.5]

  @Test("V0 with arm 1 masked: π, H and ∇ log π(2) as literature §8 prints them")
  func maskedV0() {
    let keep = [true, false, true, true]
    // Tolerance 1e-9: the spec prints 10 digits.
    expectClose(
      VocabularyMask.probabilities(logits: Self.v0, keep: keep), [0.5740969930, 0, 0.0776955791, 0.3482074279],
      tolerance: 1e-9)
    expectClose(VocabularyMask.entropy(logits: Self.v0, keep: keep), 0.8844517919, tolerance: 1e-9)
    expectClose(
      VocabularyMask.logProbabilityGradient(logits: Self.v0, keep: keep, arm: 2),
      [-0.5740969930, 0, 0.9223044209, -0.3482074279], tolerance: 1e-9)
  }

  @Test("∇ log π under the mask by central differences of log π(a) = z_a − log Σ_kept e^z, masked arms 0")
  func gradientByFiniteDifferences() {
    var g = SplitMix64(seed: 8)
    for _ in 0..<20 {
      let z = (0..<6).map { _ in 4 * g.nextUnit() - 2 }
      var keep = (0..<6).map { _ in g.nextUnit() < 0.6 }
      keep[Int(g.nextUnit() * 6)] = true
      let arm = keep.indices.filter { keep[$0] }[0]
      func logPi(_ z: [Double]) -> Double {
        z[arm] - log(z.indices.filter { keep[$0] }.map { exp(z[$0]) }.reduce(0, +))
      }
      let grad = VocabularyMask.logProbabilityGradient(logits: z, keep: keep, arm: arm)
      for j in 0..<6 {
        var up = z
        var down = z
        up[j] += 1e-6
        down[j] -= 1e-6
        // Central differences at h = 1e-6 of an O(1) smooth function:
        // error ~1e-10; a masked arm's derivative is exactly 0.
        expectClose(grad[j], (logPi(up) - logPi(down)) / 2e-6, tolerance: 1e-8)
        if !keep[j] { #expect(grad[j] == 0) }
      }
    }
  }

  /// A 16-state, 8-arm policy with distinct random logits.
  static func policy(seed: UInt64) throws -> Policy {
    var g = SplitMix64(seed: seed)
    return try Policy(states: 16, arms: 8, logits: (0..<128).map { _ in 3 * g.nextUnit() })
  }

  @Test("protected arms are never masked: the top K by probability, or arms 0…K−1", arguments: [0.0, 1])
  func protectedNeverMasked(protect: Double) throws {
    let policy = try Self.policy(seed: 3)
    var control = VocabularyDropout(values: [0.05, protect, 3])
    var g = SplitMix64(seed: 12)
    var dropped = 0
    for step in 0..<50 {
      var start = ControlStepStart(step: step, states: 16, arms: 8, logits: policy.logits)
      control.beginStep(&start, using: &g)
      for s in 0..<16 {
        let row = Array(policy.logits[(s * 8)..<(s * 8 + 8)])
        let top3 = row.indices.sorted { row[$0] > row[$1] }.prefix(3)
        let safe = protect == 0 ? Set(top3) : [0, 1, 2]
        for a in safe { #expect(start.logits[s * 8 + a] == row[a]) }
        dropped += (0..<8).filter { start.logits[s * 8 + $0] == -.infinity }.count
      }
      #expect(start.activity.count("dropout_eligible") == 16 * 5)
    }
    // At α = 0.05 almost every unprotected arm is dropped: the test can fail.
    #expect(dropped > 50 * 16 * 5 * 8 / 10)
  }

  @Test("α = 1 draws nothing: 30 steps are bit-identical to no dropout, generator included")
  func alphaOneIsNoDropout() throws {
    let bandit = try DropoutTrapBandit.make()
    var config = GRPOConfig()
    config.minibatches = 4
    var plain = try Self.policy(seed: 1)
    var dropped = plain
    var g1 = SplitMix64(seed: 5)
    var g2 = SplitMix64(seed: 5)
    var adam1 = AdamState()
    var adam2 = AdamState()
    for n in 0..<30 {
      let a = try SampledTrainer.step(
        policy: plain, bandit: bandit, config: config, controls: [], learningRate: 1, adam: &adam1, stepNumber: n,
        using: &g1)
      let b = try SampledTrainer.step(
        policy: dropped, bandit: bandit, config: config, controls: [VocabularyDropout(values: [1, 0, 1])],
        learningRate: 1, adam: &adam2, stepNumber: n, using: &g2)
      #expect(b.counts.activity.count("dropout_dropped") == 0)
      try plain.apply(a.delta)
      try dropped.apply(b.delta)
    }
    #expect(plain.logits == dropped.logits)
    #expect(g1 == g2)
    // α < 1 does change the trajectory.
    var other = try Self.policy(seed: 1)
    var g3 = SplitMix64(seed: 5)
    let c = try SampledTrainer.step(
      policy: other, bandit: bandit, config: config, controls: [VocabularyDropout(values: [0.5, 0, 1])],
      learningRate: 1, using: &g3)
    try other.apply(c.delta)
    #expect(other.logits != (try Self.policy(seed: 1)).logits)
    #expect(c.counts.activity.count("dropout_dropped") > 0)
  }

  @Test("the kept fraction over 200 steps is α within 4 binomial standard deviations", arguments: [0.3, 0.7, 0.95])
  func keptFraction(alpha: Double) throws {
    let policy = try Self.policy(seed: 2)
    var control = VocabularyDropout(values: [alpha, 0, 1])
    var g = SplitMix64(seed: 99)
    var eligible = 0
    var dropped = 0
    for step in 0..<200 {
      var start = ControlStepStart(step: step, states: 16, arms: 8, logits: policy.logits)
      control.beginStep(&start, using: &g)
      eligible += start.activity.count("dropout_eligible")
      dropped += start.activity.count("dropout_dropped")
      #expect(start.activity.count("dropout_dropped") == start.logits.filter { $0 == -.infinity }.count)
    }
    #expect(eligible == 200 * 16 * 7)
    // n = 22,400 independent Bernoulli(α) keeps: sd of the fraction is
    // √(α(1 − α)/n) ≤ 0.0034; 4 sd is a 6e-5 two-sided chance for a fair
    // generator, and a fixed seed makes the test deterministic anyway.
    let n = Double(eligible)
    let kept = 1 - Double(dropped) / n
    let sd = (alpha * (1 - alpha) / n).squareRoot()
    #expect(abs(kept - alpha) <= 4 * sd, "kept \(kept) vs α \(alpha), sd \(sd)")
  }

  @Test("the mask comes from the step's generator: same seed same mask; the rollout never samples a masked arm")
  func reproducibleMask() throws {
    let policy = try Self.policy(seed: 4)
    func mask(seed: UInt64) -> [Double] {
      var control = VocabularyDropout(values: [0.5, 0, 1])
      var g = SplitMix64(seed: seed)
      var start = ControlStepStart(step: 0, states: 16, arms: 8, logits: policy.logits)
      control.beginStep(&start, using: &g)
      return start.logits
    }
    #expect(mask(seed: 7) == mask(seed: 7))
    #expect(mask(seed: 7) != mask(seed: 8))
    // The trainer draws the mask first from its generator: the same mask.
    let masked = mask(seed: 7)
    let bandit = try DropoutTrapBandit.make()
    var config = GRPOConfig()
    config.filter = false
    var g = SplitMix64(seed: 7)
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [VocabularyDropout(values: [0.5, 0, 1])],
      learningRate: 1, using: &g)
    #expect(step.tokens.allSatisfy { masked[$0.token.state * 8 + $0.token.arm] > -.infinity })
    for i in masked.indices where masked[i] == -.infinity { #expect(step.delta[i] == 0) }
    #expect(step.counts.activity.count("dropout_dropped") == masked.filter { $0 == -.infinity }.count)
  }
}

/// The trap bandit of lesson 8: 16 states × 8 arms, arm 0 a decoy at 0.6,
/// arm 1 always right, the rest 0.1.
enum DropoutTrapBandit {
  static func make() throws -> Bandit {
    var bandit = Bandit(states: 16, arms: 8)
    for s in 0..<16 { try bandit.setRewards([0.6, 1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], state: s) }
    return bandit
  }
}
