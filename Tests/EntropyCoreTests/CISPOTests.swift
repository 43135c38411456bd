import Foundation
import Testing

@testable import EntropyCore

/// CISPO against literature.md §3's hand-worked vector: π_old = softmax([0, −1, −2]),
/// π_θ = softmax([−0.3, −0.6, −2.1]). Tolerance 1e-9: the spec prints 10 digits.
@Suite("CISPO: clipped detached importance weights (literature §3)")
struct CISPOTests {
  static let zOld = [0.0, -1, -2]
  static let z = [-0.3, -0.6, -2.1]

  static func logSoftmax(_ z: [Double]) -> [Double] {
    let lse = log(z.map { exp($0) }.reduce(0, +))
    return z.map { $0 - lse }
  }

  /// The ascent direction on the logits of one token: −c·(e_a − π_θ).
  static func direction(arm: Int, advantage: Double, control: CISPO) -> (direction: [Double], terms: MinibatchTerms) {
    let token = SampledToken(
      state: 0, arm: arm, group: 0, reward: 0, advantage: advantage, oldLogProb: logSoftmax(zOld)[arm])
    var clip: (low: Double, high: Double)? = (0.2, 0.2)
    control.adjustClip(&clip)
    var terms = SampledTrainer.lossTerms([token], logits: z, arms: 3, clip: clip)
    var g = SplitMix64(seed: 0)
    control.apply(to: &terms, using: &g)
    let pi = logSoftmax(z).map { exp($0) }
    let c = terms.lossGradient[0]
    return ((0..<3).map { -c * ((($0 == arm) ? 1 : 0) - pi[$0]) }, terms)
  }

  @Test("a = 1, A = +1: r = 1.588099; PPO gives 0, CISPO cap 5 (absolute) the full weight, cap 1.2 (relative 0.2) 1.2")
  func positiveAdvantage() {
    let absolute = CISPO(values: [1, 0.2, 5, 1])
    let (d5, t5) = Self.direction(arm: 1, advantage: 1, control: absolute)
    expectClose(t5.ratios[0], 1.588099, tolerance: 1e-6)
    expectClose(d5, [-0.8331592099, 0.9708795010, -0.1377202911], tolerance: 1e-9)
    #expect(t5.activity.count("cispo_capped") == 0 && t5.clipRange == nil)
    let relative = CISPO(values: [0, 0.2, 5, 1])
    let (d12, t12) = Self.direction(arm: 1, advantage: 1, control: relative)
    expectClose(d12, [-0.6295520849, 0.7336163446, -0.1040642597], tolerance: 1e-9)
    #expect(t12.activity.count("cispo_capped") == 1 && t12.chosen["cispo"] == [0])
    // PPO (ε = 0.2) zeroes this token: A > 0 and ρ > 1.2.
    let token = SampledToken(
      state: 0, arm: 1, group: 0, reward: 0, advantage: 1, oldLogProb: Self.logSoftmax(Self.zOld)[1])
    let ppo = SampledTrainer.lossTerms([token], logits: Self.z, arms: 3, clip: (0.2, 0.2))
    #expect(ppo.lossGradient[0] == 0 && ppo.ppoClipped[0])
  }

  @Test("a = 0, A = −1: r = 0.788627; PPO gives 0, CISPO with no lower bound the full weight; a floor raises it")
  func negativeAdvantage() {
    let (d, t) = Self.direction(arm: 0, advantage: -1, control: CISPO(values: [0, 0.2, 5, 1]))
    expectClose(t.ratios[0], 0.788627, tolerance: 1e-6)
    expectClose(d, [-0.3748920172, 0.3065021446, 0.0683898726], tolerance: 1e-9)
    // ε_low = 0.1: the weight is raised to 0.9, the direction scales by 0.9/r.
    let (f, ft) = Self.direction(arm: 0, advantage: -1, control: CISPO(values: [0, 0.2, 5, 0.1]))
    expectClose(f, d.map { $0 * 0.9 / t.ratios[0] }, tolerance: 1e-12)
    #expect(ft.activity.count("cispo_floored") == 1)
  }

  @Test("one minibatch, one epoch: a CISPO step is REINFORCE with GRPO advantages (PPO unclipped), bit for bit")
  func onPolicyIsReinforce() throws {
    let policy = try Policy(states: 2, arms: 4, logits: [1, 0, -1, 0.5, 0, 0.3, -0.2, 0.1])
    var bandit = Bandit(states: 2, arms: 4)
    try bandit.setRewards([0.9, 0.5, 0.1, 0.3], state: 0)
    try bandit.setRewards([0.2, 0.8, 0.4, 0.6], state: 1)
    var config = GRPOConfig()
    config.clipLow = 10
    config.clipHigh = 10
    var g1 = SplitMix64(seed: 11)
    let plain = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [], learningRate: 0.7, using: &g1)
    var g2 = SplitMix64(seed: 11)
    let cispo = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: GRPOConfig(), controls: [CISPO(values: [0, 0.2, 5, 1])],
      learningRate: 0.7, using: &g2)
    #expect(plain.delta == cispo.delta)
    // With M = 2 the second minibatch is off-policy: the two differ.
    config.minibatches = 2
    var c2 = GRPOConfig()
    c2.minibatches = 2
    var g3 = SplitMix64(seed: 11)
    let ppo2 = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: c2, controls: [], learningRate: 3, using: &g3)
    var g4 = SplitMix64(seed: 11)
    let cispo2 = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: c2, controls: [CISPO(values: [1, 0.2, 5, 1])], learningRate: 3,
      using: &g4)
    #expect(ppo2.delta != cispo2.delta)
  }
}
