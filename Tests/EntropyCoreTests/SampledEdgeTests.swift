import Foundation
import Testing

@testable import EntropyCore

/// A second implementation of a whole sampled step's minibatch descent,
/// replayed from the step's own token records (which tokens each update
/// saw, in order, and which a control detached): for every update it
/// recomputes log π, ρ, the PPO clip and the SGD step from the definitions
/// (`HandGRPO`), plus the entropy bonus −α·(n_s/|M|)·∇_z H on each touched
/// state. It shares no code with `MinibatchDescent`.
enum HandDescent {
  static func delta(
    policy: Policy, records: [TokenRecord], eta: Double, clip: Double = 0.2, bonus alpha: Double = 0
  ) -> [Double] {
    let k = policy.arms
    var z = policy.logits
    let updates = (records.map(\.update).max() ?? -1) + 1
    for u in 0..<updates {
      let batch = records.filter { $0.update == u }
      let c = batch.map { r -> Double in
        let rho = exp(HandGRPO.logProb(z, state: r.token.state, arm: r.token.arm, arms: k) - r.token.oldLogProb)
        let a = r.token.advantage
        let clipped = -a * min(max(rho, 1 - clip), 1 + clip) > -a * rho
        return clipped || r.chosenBy.contains(ClipCov.name) ? 0 : -a * rho
      }
      var d = HandGRPO.sgdDelta(
        logits: z, arms: k, tokens: batch.map { ($0.token.state, $0.token.arm) }, c: c, eta: eta)
      if alpha != 0 {
        for s in Set(batch.map(\.token.state)) {
          let p = HandGRPO.softmax(z[(s * k)..<((s + 1) * k)])
          var h = 0.0
          for x in p where x > 0 { h -= x * log(x) }
          let weight = Double(batch.filter { $0.token.state == s }.count) / Double(batch.count)
          // ∂(−α·w·H)/∂z_b = α·w·π_b·(log π_b + H); SGD subtracts η × it.
          for a in 0..<k where p[a] > 0 { d[s * k + a] -= eta * alpha * weight * p[a] * (log(p[a]) + h) }
        }
      }
      for i in z.indices where z[i] > -Double.infinity { z[i] += d[i] }
    }
    return z.indices.map { policy.logits[$0] > -Double.infinity ? z[$0] - policy.logits[$0] : 0 }
  }
}

/// Sampled steps on rows where some arm has π = 0 (a dead −∞ logit, or a
/// finite logit whose probability underflows), and the entropy bonus's
/// weight per state.
@Suite("Sampled steps: zero-probability arms and the bonus weight")
struct SampledEdgeTests {
  /// Two states of three arms: π = [½, ½, 0] with a dead arm, and a row
  /// whose middle arm has π = e^−801 / Σ = 0 in double precision.
  static func problem() throws -> (Policy, Bandit) {
    let policy = try Policy(states: 2, arms: 3, logits: [0, 0, -.infinity, 1, -800, 0])
    var bandit = Bandit(states: 2, arms: 3)
    try bandit.setRewards([0.9, 0.2, 0.5], state: 0)
    try bandit.setRewards([0.1, 0.7, 0.8], state: 1)
    return (policy, bandit)
  }

  static func config(minibatches: Int = 1, epochs: Int = 1) -> GRPOConfig {
    var config = GRPOConfig()
    config.groupSize = 6
    config.noise = .gaussian(0.3)
    config.filter = false
    config.minibatches = minibatches
    config.epochs = epochs
    return config
  }

  /// SGD must not touch a dead arm: −∞ − η·0 would be −∞ − 0 = −∞, which is
  /// not finite, and the step must not report a non-finite update for it.
  @Test("GRPO on π = [½, ½, 0] succeeds and leaves the dead arm's Δz at 0")
  func deadArm() throws {
    let (policy, bandit) = try Self.problem()
    var g = SplitMix64(seed: 11)
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: Self.config(), controls: [], learningRate: 1, using: &g)
    #expect(step.delta[2] == 0)
    #expect(!step.tokens.contains { $0.token.state == 0 && $0.token.arm == 2 })
    // One on-policy update (ρ = 1): the hand-written SGD step, to rounding
    // of a few O(1) terms.
    expectClose(step.delta, HandDescent.delta(policy: policy, records: step.tokens, eta: 1), tolerance: 1e-14, "Δz")
    var after = policy
    try after.apply(step.delta)
    #expect(after.logits[2] == -.infinity)
  }

  /// The bonus's token-mean entropy must skip 0·log 0 (NaN), both for a
  /// dead arm and for an arm whose probability underflows to 0.
  @Test("the entropy bonus on rows with a π = 0 arm gives the hand-computed Δz", arguments: [1, 2])
  func bonusWithZeroProbabilityArm(minibatches: Int) throws {
    let (policy, bandit) = try Self.problem()
    #expect(policy.probabilities(state: 1)[1] == 0)
    let alpha = 0.5
    var g = SplitMix64(seed: 5)
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: Self.config(minibatches: minibatches, epochs: 2),
      controls: [EntropyBonus(values: [alpha])], learningRate: 1, using: &g)
    #expect(step.delta.allSatisfy { $0.isFinite })
    #expect(step.delta[2] == 0)
    let expected = HandDescent.delta(policy: policy, records: step.tokens, eta: 1, bonus: alpha)
    // A handful of updates of O(1) terms: rounding only.
    expectClose(step.delta, expected, tolerance: 1e-13, "Δz")
    // The bonus acted: without it the step differs by far more than rounding.
    let plain = HandDescent.delta(policy: policy, records: step.tokens, eta: 1)
    #expect(zip(expected, plain).contains { abs($0 - $1) > 1e-3 })
  }

  /// With M = 2 minibatches of a shuffled rollout, a minibatch holds
  /// unequal numbers of each state's tokens, so the bonus weight n_s/|M|
  /// differs from 1/states, 1/|M| and 1: only n_s/|M| matches.
  @Test("the entropy bonus weighs each state by its share of the minibatch's tokens")
  func bonusWeightPerState() throws {
    let (policy, bandit) = try GRPORunner.randomProblem(states: 3, arms: 4, seed: 21)
    let alpha = 0.8
    var g = SplitMix64(seed: 8)
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: Self.config(minibatches: 2), controls: [EntropyBonus(values: [alpha])],
      learningRate: 0.5, using: &g)
    let first = step.tokens.filter { $0.update == 0 }
    let perState = (0..<3).map { s in first.filter { $0.token.state == s }.count }
    #expect(Set(perState).count > 1, "the minibatch should hold unequal shares: \(perState)")
    let expected = HandDescent.delta(policy: policy, records: step.tokens, eta: 0.5, bonus: alpha)
    expectClose(step.delta, expected, tolerance: 1e-13, "Δz")
  }

  /// Thm. 2's population term is −η·mean_s Cov_π(log π, A) with the exact
  /// advantages A = μ − V: here recomputed from the definitions. On these
  /// rows the likely arms pay most, so Cov > 0 and the term is negative.
  @Test("the population term is −η × the mean covariance of log π and the exact advantage")
  func populationTerm() throws {
    let policy = try Policy(states: 2, arms: 3, logits: [2, 0, -1, 0.5, 1.5, -.infinity])
    var bandit = Bandit(states: 2, arms: 3)
    try bandit.setRewards([0.9, 0.3, 0.1], state: 0)
    try bandit.setRewards([0.2, 0.6, 0.4], state: 1)
    let eta = 0.7
    var expected = 0.0
    for s in 0..<2 {
      let row = Array(policy.logits(state: s))
      let p = Reference.softmax(row)
      let mu = Array(bandit.meanRewards[(s * 3)..<(s * 3 + 3)])
      let v = Reference.mean(p, mu)
      let f = p.map { $0 > 0 ? log($0) : 0 }
      expected += -eta * Reference.covariance(p, f, mu.map { $0 - v })
    }
    expected /= 2
    let term = SampledTrainer.populationTerm(policy: policy, bandit: bandit, learningRate: eta)
    #expect(expected < -0.05)
    // O(0.1) values from a handful of products: rounding only.
    expectClose(term, expected, tolerance: 1e-15, "population term")
  }

  /// Regression (issue 12): a sampled step whose groups were all filtered
  /// out trains on nothing, so it is kept even at η = 1.7e308, and its
  /// population term −η·Cov overflowed to +inf. Beyond a Double the term
  /// is NaN (no value), not ±inf; at η = 1 on the same rows it is the
  /// definition's value (checked against the reference covariance).
  @Test("the population term is NaN, not ±inf, when −η·Cov is beyond a Double; a filtered step records it so")
  func populationTermOverflow() throws {
    let policy = try Policy(states: 1, arms: 4, logits: [0, -3, -6, 1])
    var bandit = Bandit(states: 1, arms: 4)
    try bandit.setRewards([0, 10, 1000, 0], state: 0)
    let p = Reference.softmax([0, -3, -6, 1])
    let mu = [0.0, 10, 1000, 0]
    let v = Reference.mean(p, mu)
    let cov = Reference.covariance(p, p.map { log($0) }, mu.map { $0 - v })
    // The finite case: η = 1 gives −Cov (rounding only, 1e-13 relative).
    let one = SampledTrainer.populationTerm(policy: policy, bandit: bandit, learningRate: 1)
    #expect(abs(one - -cov) <= 1e-13 * abs(cov))
    // Cov ≈ −4.88 here, so −1.7e308·Cov ≈ +8.3e308: beyond the largest
    // Double (1.8e308), where the old code returned +inf.
    #expect(-1.7e308 * cov == .infinity)
    let huge = SampledTrainer.populationTerm(policy: policy, bandit: bandit, learningRate: 1.7e308)
    #expect(huge.isNaN, "got \(huge)")
    // The whole step: noiseless rewards, G = 1, so every group has equal
    // rewards and the filter drops it; the step is kept with Δz = 0.
    var config = GRPOConfig()
    config.groupSize = 1
    config.noise = .none
    var g = SplitMix64(seed: 1)
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [], learningRate: 1.7e308, using: &g)
    #expect(step.delta.allSatisfy { $0 == 0 })
    #expect(step.counts.populationTerm.isNaN, "got \(step.counts.populationTerm)")
  }

  /// Shuffling happens whenever M > 1 or E > 1: at M = 1, E = 2 the second
  /// epoch's token order, Clip-Cov's random picks and every later rollout
  /// depend on it. Recorded from the code of 2 Dec 2026 (commit 5b47010):
  /// the (state, arm) order of each update, the tokens Clip-Cov detached,
  /// and the generator's next output after the step. Only integers are
  /// recorded; Δz is checked against the hand-written descent instead.
  @Test("a sampled step with M = 1, E = 2 and Clip-Cov matches its recorded fixture")
  func shuffleAtOneMinibatchSeveralEpochs() throws {
    let (policy, bandit) = try GRPORunner.randomProblem(states: 3, arms: 3, seed: 4)
    var config = Self.config(epochs: 2)
    config.groupSize = 3
    let clipCov = ClipCov(values: [0.2, -10, 10])
    var g = SplitMix64(seed: 2026)
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [clipCov], learningRate: 1, using: &g)
    let order = step.tokens.map { [$0.update, $0.token.state, $0.token.arm] }
    let picks = step.tokens.indices.filter { step.tokens[$0].chosenBy.contains(ClipCov.name) }
    let next = g.next()
    #expect(order == Self.recordedOrder, "\(order)")
    #expect(picks == Self.recordedPicks, "\(picks)")
    #expect(next == Self.recordedNext, "\(next)")
    expectClose(step.delta, HandDescent.delta(policy: policy, records: step.tokens, eta: 1), tolerance: 1e-13, "Δz")
  }

  static let recordedOrder: [[Int]] = [
    [0, 2, 1], [0, 0, 0], [0, 2, 2], [0, 1, 1], [0, 2, 2], [0, 1, 1], [0, 0, 2], [0, 0, 0], [0, 1, 1],
    [1, 1, 1], [1, 2, 1], [1, 2, 2], [1, 1, 1], [1, 2, 2], [1, 1, 1], [1, 0, 2], [1, 0, 0], [1, 0, 0],
  ]
  static let recordedPicks = [6, 17]
  static let recordedNext: UInt64 = 12_121_527_670_108_094_070
}
