import Foundation
import Testing

@testable import EntropyCore

// Issue 14: AdamW and the global-norm gradient clip against plain
// reimplementations, exact response rewards against Monte-Carlo, and the
// path integral against the actual ΔH for multi-token and AdamW steps.

@Suite("AdamW and gradient clipping against plain reimplementations")
struct SampledOptimizerTests {
  /// Textbook AdamW (Loshchilov & Hutter, PyTorch's placement of ε):
  /// m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t), z ← z(1 − ηλ) − η·m̂/(√v̂ + ε).
  struct PlainAdamW {
    var m: [Double]
    var v: [Double]
    var t = 0
    init(count: Int) {
      m = [Double](repeating: 0, count: count)
      v = m
    }
    mutating func step(_ z: inout [Double], _ g: [Double], eta: Double, b1: Double, b2: Double, eps: Double, wd: Double)
    {
      t += 1
      for i in z.indices where z[i] > -Double.infinity {
        m[i] = b1 * m[i] + (1 - b1) * g[i]
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
        let mHat = m[i] / (1 - pow(b1, Double(t)))
        let vHat = v[i] / (1 - pow(b2, Double(t)))
        z[i] = z[i] * (1 - eta * wd) - eta * mHat / (vHat.squareRoot() + eps)
      }
    }
  }

  /// The on-policy GRPO gradient of one update from its token records:
  /// on state s, Σ_i (−A_i·ρ_i, 0 if clipped)/N·(e_a − π_s), π from `z`.
  static func gradient(_ records: [TokenRecord], logits z: [Double], arms k: Int) -> [Double] {
    var g = [Double](repeating: 0, count: z.count)
    let n = Double(records.count)
    for r in records {
      let s = r.token.state
      let p = HandGRPO.softmax(z[(s * k)..<((s + 1) * k)])
      let c = r.ppoClipped ? 0 : -r.token.advantage * r.ratio
      for a in 0..<k { g[s * k + a] += c / n * ((a == r.token.arm ? 1 : 0) - p[a]) }
    }
    return g
  }

  @Test("AdamState: 10 updates on given gradients equal a plain AdamW within 1e-14")
  func adamStateMatchesPlain() {
    // The two differ only in rounding order (lerp vs. weighted sum, bias
    // correction on m vs. on the step): a few ulps of O(1) logits per step,
    // 1e-14 after 10. Gradients: random, one exact zero, one tiny entry,
    // and a masked (−∞) logit that must stay put.
    var g = SplitMix64(seed: 17)
    var z = TestRandom.normals(6, scale: 1, using: &g)
    z[5] = -.infinity
    var mirror = z
    var adam = AdamState()
    var plain = PlainAdamW(count: 6)
    for step in 0..<10 {
      var grad = TestRandom.normals(6, scale: 0.3, using: &g)
      grad[1] = 0
      grad[2] *= 1e-9
      grad[5] = 0
      #expect(adam.update(&z, gradient: grad, learningRate: 0.05, beta1: 0.9, beta2: 0.95, eps: 1e-8, decay: 0.01))
      plain.step(&mirror, grad, eta: 0.05, b1: 0.9, b2: 0.95, eps: 1e-8, wd: 0.01)
      for i in 0..<5 { expectClose(z[i], mirror[i], tolerance: 1e-14, "step \(step) z[\(i)]") }
      #expect(z[5] == -.infinity)
    }
    #expect(adam.step == 10)
  }

  @Test("10 AdamW steps of the trainer (moments carried across steps) follow a plain AdamW of the GRPO gradient")
  func adamwTrainerMatchesPlain() throws {
    // The test's gradient is summed in another order than the trainer's, and
    // Adam divides by √v: a rounding δg in a component near 0 moves its
    // step by up to η·δg/ε. Observed differences ~1e-12; tolerance 1e-10.
    let (start, bandit) = try GRPORunner.randomProblem(states: 3, arms: 5, seed: 21)
    var config = GRPOConfig()
    config.optimizer = .adamw(beta1: 0.9, beta2: 0.95, eps: 1e-8, decay: 0.01)
    config.noise = .gaussian(0.5)
    config.filter = false
    var policy = start
    var adam = AdamState()
    var plain = PlainAdamW(count: start.logits.count)
    var mirror = start.logits
    var g = SplitMix64(seed: 3)
    for step in 0..<10 {
      let s = try SampledTrainer.step(
        policy: policy, bandit: bandit, config: config, controls: [], learningRate: 0.05, adam: &adam, using: &g)
      let grad = Self.gradient(s.tokens, logits: policy.logits, arms: 5)
      plain.step(&mirror, grad, eta: 0.05, b1: 0.9, b2: 0.95, eps: 1e-8, wd: 0.01)
      try policy.apply(s.delta)
      for i in mirror.indices { expectClose(policy.logits[i], mirror[i], tolerance: 1e-10, "step \(step) z[\(i)]") }
    }
    #expect(adam.step == 10)
  }

  @Test("global-norm clip: [3, 4] at c = 1 becomes [3, 4]/(5 + 1e-6); below c it is unchanged")
  func gradientClip() {
    var g = [3.0, 4.0]
    let norm = GradientClip.clip(&g, maxNorm: 1)
    #expect(norm == 5)
    let coef: Double = 1 / (5 + 1e-6)
    let expected: [Double] = [3 * coef, 4 * coef]
    #expect(g == expected)
    var h = [3.0, 4.0]
    GradientClip.clip(&h, maxNorm: 10)
    #expect(h == [3, 4])
  }

  @Test("SGD with gradclip c: the step's Δz has norm at most η·c (one update), and equals η·clip(g)")
  func clipInTrainer() throws {
    let (policy, bandit) = try GRPORunner.randomProblem(states: 4, arms: 4, seed: 12)
    var config = GRPOConfig()
    config.noise = .gaussian(1)
    config.filter = false
    config.gradientClip = 0.01
    var g = SplitMix64(seed: 4)
    let s = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [], learningRate: 2, using: &g)
    var grad = Self.gradient(s.tokens, logits: policy.logits, arms: 4)
    let norm = GradientClip.clip(&grad, maxNorm: 0.01)
    #expect(norm > 0.01, "the clip is active in this example")
    let dNorm = s.delta.reduce(0) { $0 + $1 * $1 }.squareRoot()
    #expect(dNorm <= 2 * 0.01 * (1 + 1e-12))
    for i in grad.indices { expectClose(s.delta[i], -2 * grad[i], tolerance: 1e-15, "Δz[\(i)]") }
  }
}

@Suite("Exact response rewards and advantages against Monte-Carlo")
struct ResponseRewardTests {
  /// Monte-Carlo estimates of E[r] and of E[r | first token = a] − E[r] for
  /// responses of length T at one state, written independently of
  /// `ResponseModel` (success probability computed inline).
  static func monteCarlo(pi: [Double], mu: [Double], t: Int, all: Bool, n: Int, seed: UInt64)
    -> (mean: Double, se: Double, adv: [Double], advSE: [Double])
  {
    var g = SplitMix64(seed: seed)
    var sum = 0.0
    var sums = [Double](repeating: 0, count: pi.count)
    var counts = [Double](repeating: 0, count: pi.count)
    for _ in 0..<n {
      var arms: [Int] = []
      for _ in 0..<t {
        let u = g.nextUnit()
        var acc = 0.0
        var a = pi.count - 1
        for (j, p) in pi.enumerated() {
          acc += p
          if u < acc {
            a = j
            break
          }
        }
        arms.append(a)
      }
      var prob = all ? 1.0 : 0.0
      for a in arms { if all { prob *= mu[a] } else { prob += mu[a] / Double(t) } }
      let r: Double = g.nextUnit() < prob ? 1 : 0
      sum += r
      sums[arms[0]] += r
      counts[arms[0]] += 1
    }
    let mean = sum / Double(n)
    let se = (mean * (1 - mean) / Double(n)).squareRoot()
    let adv = (0..<pi.count).map { sums[$0] / counts[$0] - mean }
    let advSE = (0..<pi.count).map { a -> Double in
      let p = sums[a] / counts[a]
      return (p * (1 - p) / counts[a]).squareRoot() + se
    }
    return (mean, se, adv, advSE)
  }

  @Test(
    "reward all|mean, noise none: each sampled response's reward is Π_t μ (all) or mean_t μ (mean) of its own tokens")
  func sampledResponsesScoredByTheirTokens() throws {
    // `reward all` means every token must succeed (P = Π μ); `reward mean`
    // averages. With `noise none` the reward is P itself, so each response
    // can be checked against its own tokens' μ. The expected value is
    // recomputed here from the token records (same multiplication order as
    // a left-to-right product, but not assumed): tolerance 4 ulps of the
    // O(1) rewards, 1e-15. For T = 3 the two rules differ by far more
    // (e.g. 0.9·0.2·0.5 = 0.09 against 0.533).
    let (policy, bandit) = try GRPORunner.randomProblem(states: 3, arms: 4, seed: 41)
    for rule in [ResponseReward.all, .mean] {
      var config = GRPOConfig()
      config.noise = .none
      config.filter = false
      config.groupSize = 6
      config.response = ResponseModel(minLength: 2, maxLength: 4, reward: rule)
      var g = SplitMix64(seed: 9)
      let rollout = try Rollout.sample(policy: policy, bandit: bandit, config: config, using: &g)
      let byResponse = Dictionary(grouping: rollout.tokens, by: \.response)
      #expect(byResponse.count == 3 * 6)
      var differs = 0
      for (id, tokens) in byResponse {
        let mus = tokens.map { bandit.meanRewards[$0.state * 4 + $0.arm] }
        let product = mus.reduce(1, *)
        let mean = mus.reduce(0, +) / Double(mus.count)
        let expected = rule == .all ? product : mean
        #expect(tokens.count >= 2 && tokens.count <= 4)
        for t in tokens { expectClose(t.reward, expected, tolerance: 1e-15, "\(rule) response \(id)") }
        if abs(product - mean) > 1e-3 { differs += 1 }
      }
      #expect(differs > 0, "the product and the mean differ in this example")
    }
  }

  @Test("reward mean|all, T = 1, 3, 5: exact E[r] and token advantages within 5 standard errors of 200,000 draws")
  func exactAgainstMonteCarlo() throws {
    let pi = [0.4739908463, 0.1743714876, 0.0641476854, 0.2874899807]
    let logits = pi.map { log($0) }
    let policy = try Policy(states: 1, arms: 4, logits: logits)
    var bandit = Bandit(states: 1, arms: 4)
    let mu = [0.9, 0.2, 0.5, 0.7]
    try bandit.setRewards(mu, state: 0)
    let probs = policy.probabilities(state: 0)
    for all in [false, true] {
      for t in [1, 3, 5] {
        let model = ResponseModel(minLength: t, maxLength: t, reward: all ? .all : .mean)
        let mc = Self.monteCarlo(pi: probs, mu: mu, t: t, all: all, n: 200_000, seed: UInt64(t) &+ (all ? 100 : 0))
        let exact = model.expectedReward(policy: policy, bandit: bandit)
        expectClose(mc.mean, exact, tolerance: 5 * mc.se, "E[r], \(all ? "all" : "mean"), T = \(t)")
        let adv = model.tokenAdvantages(policy: policy, bandit: bandit, length: t)
        for a in 0..<4 {
          expectClose(mc.adv[a], adv[a], tolerance: 5 * mc.advSE[a], "A(arm \(a)), \(all ? "all" : "mean"), T = \(t)")
        }
      }
    }
    // `mean` keeps the one-token R for every T; lengths T1..T2 average E[r | T].
    let v = bandit.values(under: policy)[0]
    #expect(ResponseModel(minLength: 4, maxLength: 4).expectedReward(policy: policy, bandit: bandit) == v)
    expectClose(
      ResponseModel(minLength: 2, maxLength: 3, reward: .all).expectedReward(value: v), (v * v + v * v * v) / 2,
      tolerance: 1e-16, "T = 2..3, all")
  }
}

@Suite("The path integral equals the actual ΔH for multi-token and AdamW steps")
struct SampledPathIntegralTests {
  @Test("T = 2..4 responses, seq-mean-token-mean, M = 2, E = 2, m = 2; and AdamW with gradclip: |path − ΔH| ≤ 1e-12")
  func pathIntegralExact() throws {
    // The path integral of the Δz actually applied is exact up to quadrature
    // and rounding: 1e-12 (issue 14), far below the first-order residual.
    let (start, bandit) = try GRPORunner.randomProblem(states: 4, arms: 5, seed: 31)
    var configs: [GRPOConfig] = []
    var a = GRPOConfig()
    a.response = ResponseModel(minLength: 2, maxLength: 4, reward: .mean)
    a.aggregation = .seqMeanTokenMean
    a.minibatches = 2
    a.epochs = 2
    a.microbatches = 2
    a.keepGroups = true
    configs.append(a)
    var b = GRPOConfig()
    b.optimizer = .adamwDefaults
    b.gradientClip = 1
    b.response = ResponseModel(minLength: 3, maxLength: 3, reward: .all)
    b.minibatches = 2
    configs.append(b)
    for (n, config) in configs.enumerated() {
      var policy = start
      var adam = AdamState()
      var g = SplitMix64(seed: 77)
      var residuals: [Double] = []
      for _ in 0..<8 {
        let s = try SampledTrainer.step(
          policy: policy, bandit: bandit, config: config, controls: [], learningRate: n == 0 ? 2 : 0.3, adam: &adam,
          using: &g)
        let prediction = try EntropyDynamics.predict(policy: policy, change: s.delta).mean
        let before = policy.meanEntropy
        try policy.apply(s.delta)
        let actual = policy.meanEntropy - before
        expectClose(prediction.pathIntegral, actual, tolerance: 1e-12, "config \(n)")
        residuals.append(abs(actual - prediction.firstOrder))
      }
      #expect(residuals.max() ?? 0 > 1e-9, "config \(n): the steps are large enough that first order is not exact")
    }
  }
}
