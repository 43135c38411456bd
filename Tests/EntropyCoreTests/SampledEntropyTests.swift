import Foundation
import Testing

@testable import EntropyCore

/// Entropy in sampled training: the entropy bonus's gradient, and the
/// entropy change of a sampled step against Lemma 1 (first order) and the
/// exact path integral (spec §2.1, §5, §9).
@Suite("Sampled GRPO: entropy bonus gradient and ΔH predictions")
struct SampledEntropyTests {
  static func problem() throws -> (Policy, Bandit) {
    try GRPORunner.randomProblem(states: 6, arms: 5, seed: 23)
  }

  /// Per-state entropy from flat logits, written out.
  static func entropy(_ z: [Double], state s: Int, arms k: Int) -> Double {
    HandGRPO.softmax(z[(s * k)..<((s + 1) * k)]).reduce(0) { $1 > 0 ? $0 - $1 * log($1) : $0 }
  }

  /// Central difference (h = 1e-5) of f at every coordinate of z. Error:
  /// truncation h²/6·|f'''| ≈ 1e-11 plus rounding ε·|f|/h ≈ 1e-11 for
  /// |f| ≈ 1, so 1e-8 is a safe tolerance for gradients of size 0.01–1.
  static func centralDifference(_ z: [Double], _ f: ([Double]) -> Double) -> [Double] {
    let h = 1e-5
    return z.indices.map { j in
      var plus = z
      var minus = z
      plus[j] += h
      minus[j] -= h
      return (f(plus) - f(minus)) / (2 * h)
    }
  }

  @Test("entropy bonus: extraLogitGradient = ∇(−α·w·H) by central differences")
  func bonusRowGradient() throws {
    let alpha = 0.3
    var g = SplitMix64(seed: 4)
    for _ in 0..<20 {
      let z = TestRandom.normals(7, scale: 2, using: &g)
      let w = TestRandom.uniform(0.05, 1, using: &g)
      let p = HandGRPO.softmax(z[...])
      let h = Self.entropy(z, state: 0, arms: 7)
      let analytic = EntropyBonus(values: [alpha]).extraLogitGradient(probabilities: p, entropy: h, weight: w) ?? []
      let numeric = Self.centralDifference(z) { -alpha * w * Self.entropy($0, state: 0, arms: 7) }
      expectClose(analytic, numeric, tolerance: 1e-8, "∇(−αwH)")
    }
  }

  @Test("entropy bonus in a step: Δz(bonus) − Δz(plain) = −η·∇_z of −α·(token-mean entropy)")
  func bonusStepGradient() throws {
    let (policy, bandit) = try Self.problem()
    let alpha = 0.5
    let eta = 0.7
    for seed: UInt64 in [1, 2, 3] {
      var g = SplitMix64(seed: seed)
      let rollout = try Rollout.sample(
        policy: policy, bandit: bandit, groupSize: 8, noise: .bernoulli, filter: true, using: &g)
      #expect(rollout.tokens.count > 0)
      // The token-mean entropy objective of this batch, −α·(1/N)·Σ_i H(π(·|s_i)).
      let n = Double(rollout.tokens.count)
      let objective: ([Double]) -> Double = { z in
        -alpha * rollout.tokens.reduce(0) { $0 + Self.entropy(z, state: $1.state, arms: policy.arms) } / n
      }
      let numeric = Self.centralDifference(policy.logits, objective)
      g = SplitMix64(seed: seed)
      let plain = try SampledTrainer.step(
        policy: policy, bandit: bandit, config: GRPOConfig(), controls: [], learningRate: eta, using: &g)
      g = SplitMix64(seed: seed)
      let bonus = try SampledTrainer.step(
        policy: policy, bandit: bandit, config: GRPOConfig(), controls: [EntropyBonus(values: [alpha])],
        learningRate: eta,
        using: &g)
      let implied = zip(bonus.delta, plain.delta).map { -($0 - $1) / eta }
      expectClose(implied, numeric, tolerance: 1e-8, "seed \(seed): bonus gradient")
      // States without tokens (filtered) get no bonus.
      let trained = Set(rollout.tokens.map(\.state))
      for s in 0..<policy.states where !trained.contains(s) {
        #expect(bonus.delta[policy.rowRange(s)].allSatisfy { $0 == 0 })
      }
    }
  }

  /// One step (fixed seed) at learning rate η with M minibatches. The
  /// rollout and the minibatch shuffle do not depend on η; with M = 1,
  /// ρ ≡ 1 and Δz is exactly linear in η; with M > 1 later minibatches see
  /// the earlier updates, so Δz = η·g + O(η²).
  static func sampledStep(eta: Double, minibatches: Int) throws -> (
    delta: [Double], actual: Double, predicted: EntropyPrediction
  ) {
    let (policy, bandit) = try Self.problem()
    var config = GRPOConfig()
    config.minibatches = minibatches
    var g = SplitMix64(seed: 31)
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [], learningRate: eta, using: &g)
    var after = policy
    try after.apply(step.delta)
    let prediction = try EntropyDynamics.predict(policy: policy, change: step.delta).mean
    return (step.delta, after.meanEntropy - policy.meanEntropy, prediction)
  }

  @Test("first-order prediction of a sampled step: residual O(η²) (×100 per decade of η)", arguments: [1, 4])
  func firstOrderResidual(minibatches: Int) throws {
    let big = try Self.sampledStep(eta: 1e-2, minibatches: minibatches)
    let small = try Self.sampledStep(eta: 1e-3, minibatches: minibatches)
    if minibatches == 1 {
      // Δz is linear in η on-policy; each Δz = (z − η·g) − z carries a
      // rounding of ~ulp(z) ≈ 4e-16 (|z| ≤ 2.7 here), hence 1e-13.
      expectClose(big.delta, small.delta.map { $0 * 10 }, tolerance: 1e-13, "Δz(1e-2) = 10·Δz(1e-3)")
    }
    let rBig = big.actual - big.predicted.firstOrder
    let rSmall = small.actual - small.predicted.firstOrder
    // With M = 1, ΔH ≈ 6.06e-6 at η = 1e-3 with first-order residual
    // ≈ −2.87e-10 (−2.87e-8 at η = 1e-2), far above the subtraction's
    // rounding (~1e-16); the ratio of residuals is 100·(1 + O(η)) (observed
    // 100.04). The band [90, 111] allows the O(η) correction at η = 1e-2.
    #expect(abs(small.actual) > 1e-6, "the step must move entropy: \(small.actual)")
    #expect(abs(rSmall) < 1e-3 * abs(small.actual), "first order captures ΔH: residual \(rSmall), ΔH \(small.actual)")
    let ratio = rBig / rSmall
    #expect(ratio > 90 && ratio < 111, "residual ratio \(ratio) (\(rBig) / \(rSmall))")
    // The second-order prediction's residual is smaller still.
    #expect(abs(small.actual - small.predicted.secondOrder) < 0.01 * abs(rSmall))
  }

  @Test(
    "the path integral of the step's Δz equals H(after) − H(before) within 1e-12",
    arguments: [
      "plain", "M4E2", "clipcov", "klcov", "cliphigher", "entropybonus",
    ])
  func pathIntegralExact(setting: String) throws {
    let (policy0, bandit) = try Self.problem()
    var config = GRPOConfig()
    var controls: [any EntropyControl] = []
    switch setting {
    case "M4E2":
      config.minibatches = 4
      config.epochs = 2
    case "clipcov":
      config.minibatches = 2
      controls = [ClipCov(values: [0.2, 0.05, 5])]
    case "klcov":
      config.minibatches = 4
      controls = [KLCov(values: [0.2, 1])]
    case "cliphigher":
      config.minibatches = 2
      controls = [ClipHigher(values: [0.28])]
    case "entropybonus":
      controls = [EntropyBonus(values: [0.05])]
    default: break
    }
    var policy = policy0
    var g = SplitMix64(seed: 12)
    var largest = 0.0
    for stepIndex in 0..<15 {
      // Large steps (η = 3) so Δz spans several units and higher orders matter.
      let step = try SampledTrainer.step(
        policy: policy, bandit: bandit, config: config, controls: controls, learningRate: 3, using: &g)
      var after = policy
      try after.apply(step.delta)
      let actual = after.meanEntropy - policy.meanEntropy
      let predicted = try EntropyDynamics.predict(policy: policy, change: step.delta).mean
      expectClose(predicted.pathIntegral, actual, tolerance: 1e-12, "\(setting) step \(stepIndex)")
      largest = max(largest, abs(actual - predicted.firstOrder))
      policy = after
    }
    // The steps are big enough that first order is visibly off.
    #expect(largest > 1e-4, "\(setting): largest first-order residual \(largest)")
  }
}
