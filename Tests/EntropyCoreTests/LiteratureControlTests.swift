import Foundation
import Testing

@testable import EntropyCore

/// The registry controls built on the literature's math (literature.md
/// §2, §4, §5): OPEFO, entropy polarity, Entrocraft (paper and code) and
/// `entropic`, driven through their hooks and through `SampledTrainer`.
///
/// Tolerances: spec values printed to 10 decimals are compared to 5e-11;
/// values the controls copy or multiply exactly are compared with `==`.
@Suite("Literature controls in the trainer (OPEFO, polarity, Entrocraft, entropic)")
struct LiteratureControlTests {
  /// V0 of literature.md §0.
  static let z = [1.0, 0, -1, 0.5]

  static func tokens(arms: [Int], rewards: [Double], advantages: [Double]) -> [SampledToken] {
    arms.indices.map { i in
      SampledToken(
        state: 0, arm: arms[i], group: 0, reward: rewards[i], advantage: advantages[i],
        oldLogProb: Reference.logSoftmax(z)[arms[i]], response: i)
    }
  }

  /// Runs a control's hooks on one loss call over `tokens` at V0 (one state).
  static func applied<C: EntropyControl>(_ control: C, _ tokens: [SampledToken]) -> (C, MinibatchTerms) {
    var c = control
    var g = SplitMix64(seed: 0)
    var start = ControlStepStart(step: 0, states: 1, arms: 4, logits: z)
    c.beginStep(&start, using: &g)
    var terms = SampledTrainer.lossTerms(tokens, logits: z, arms: 4, clip: (0.2, 0.2))
    c.apply(to: &terms, using: &g)
    return (c, terms)
  }

  // MARK: OPEFO

  static let opefoArms = [0, 0, 0, 1, 2, 3, 3, 0]
  static let opefoRewards = [1.0, 0, 1, 0, 1, 0, 0, 0]

  @Test("OPEFO in a loss call: λ of literature §5 (full 0.1771872670, sampled 0.1711528693), gradients −A·(1 ± λ)")
  func opefoSpecVector() {
    let a = Rollout.groupAdvantages(Self.opefoRewards)
    let tokens = Self.tokens(arms: Self.opefoArms, rewards: Self.opefoRewards, advantages: a)
    let (_, full) = Self.applied(OPEFO(values: [0, 1]), tokens)
    expectClose(full.activity["opefo_lambda"] ?? .nan, 0.1771872670, tolerance: 5e-11, "λ full")
    #expect(full.activity.count("opefo_reweighted") == 8)
    #expect(full.chosen["opefo"] == Array(0..<8))
    // The spec's flows: ΔH_t > 0 for tokens 1, 4, 7 → weight 1 + λ; the rest 1 − λ.
    let lambda = 0.1771872670
    let expected = a.indices.map { i in -a[i] * ([1, 4, 7].contains(i) ? 1 + lambda : 1 - lambda) }
    expectClose(full.lossGradient, expected, tolerance: 1e-10, "gradients")
    let (_, sampled) = Self.applied(OPEFO(values: [1, 1]), tokens)
    expectClose(sampled.activity["opefo_lambda"] ?? .nan, 0.1711528693, tolerance: 5e-11, "λ sampled")
    // strength 0 reports λ but changes nothing.
    let (_, off) = Self.applied(OPEFO(values: [0, 0]), tokens)
    #expect(off.lossGradient == a.map { -$0 })
    #expect(off.activity.count("opefo_reweighted") == 0)
  }

  /// A 3-state policy and bandit for trainer-level checks.
  static func setup() throws -> (Policy, Bandit, GRPOConfig) {
    let policy = try Policy(
      states: 3, arms: 4, logits: [1, 0, -1, 0.5, 0.2, 1.5, -0.4, 0, -0.5, 0.3, 0.9, -1.2])
    var bandit = Bandit(states: 3, arms: 4)
    try bandit.setRewards([0.9, 0.5, 0.1, 0.3], state: 0)
    try bandit.setRewards([0.2, 0.8, 0.4, 0.6], state: 1)
    try bandit.setRewards([0.7, 0.1, 0.5, 0.3], state: 2)
    var config = GRPOConfig()
    config.filter = false
    config.groupSize = 16
    return (policy, bandit, config)
  }

  /// First order and exact ΔH summed over the states, for a step's delta.
  static func changes(_ policy: Policy, delta: [Double]) -> (first: Double, exact: Double, scale: Double) {
    var first = 0.0
    var exact = 0.0
    var scale = 0.0
    for s in 0..<policy.states {
      let zs = Array(policy.logits[(s * 4)..<(s * 4 + 4)])
      let d = Array(delta[(s * 4)..<(s * 4 + 4)])
      let g = Reference.entropyGradient(zs)
      let terms = zip(g, d).map { $0 * $1 }
      first += terms.reduce(0, +)
      scale += terms.map(abs).reduce(0, +)
      exact += Reference.entropy(zip(zs, d).map { $0 + $1 }) - Reference.entropy(zs)
    }
    return (first, exact, scale)
  }

  @Test("OPEFO's defining property: full kernel, one update: first-order ΔH = 0 and the actual ΔH shrinks as η²")
  func opefoZeroNetFlow() throws {
    let (policy, bandit, config) = try Self.setup()
    var exact: [Double] = []
    var plainExact: [Double] = []
    for eta in [0.02, 0.01, 0.005] {
      var g = SplitMix64(seed: 11)
      let step = try SampledTrainer.step(
        policy: policy, bandit: bandit, config: config, controls: [OPEFO(values: [0, 1])], learningRate: eta,
        using: &g)
      let c = Self.changes(policy, delta: step.delta)
      // The first-order flow cancels up to rounding. The step's Δz is read
      // back as z_after − z_before (logits of size ~1), so each of its 12
      // entries carries an absolute error up to ~2.2e-16, times |∂H/∂z| ≤ 1:
      // |first| ≤ 12·2.2e-16 < 1e-14, while the gross flow is ≥ 1e-4.
      #expect(c.scale > 1e-4, "the step moved the policy")
      #expect(abs(c.first) <= 1e-14, "first order \(c.first) against gross \(c.scale) at η \(eta)")
      exact.append(c.exact)
      var g2 = SplitMix64(seed: 11)
      let plain = try SampledTrainer.step(
        policy: policy, bandit: bandit, config: config, controls: [], learningRate: eta, using: &g2)
      let p = Self.changes(policy, delta: plain.delta)
      #expect(abs(p.first) > 100 * abs(c.exact), "plain GRPO's first order dominates OPEFO's residual")
      plainExact.append(p.exact)
    }
    // η² scaling: halving η divides OPEFO's ΔH by ≈ 4 (third-order terms
    // change the ratio by O(η): at η ≤ 0.02 within 0.2), plain GRPO's by ≈ 2.
    for i in 0..<2 {
      let r = exact[i] / exact[i + 1]
      #expect(abs(r - 4) < 0.2, "OPEFO ratio \(r)")
      let q = plainExact[i] / plainExact[i + 1]
      #expect(abs(q - 2) < 0.1, "plain ratio \(q)")
    }
  }

  @Test("OPEFO off-policy: warned; with strength 0 the step is plain GRPO bit for bit")
  func opefoStrengthZero() throws {
    let (policy, bandit, config) = try Self.setup()
    var g1 = SplitMix64(seed: 5)
    let a = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [OPEFO(values: [0, 0])], learningRate: 0.5,
      using: &g1)
    var g2 = SplitMix64(seed: 5)
    let b = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [], learningRate: 0.5, using: &g2)
    #expect(a.delta == b.delta)
    let setup = ControlSetup(minibatches: 2, epochs: 1, tokensPerUpdate: 8, responseLength: 1)
    #expect(!OPEFO.warnings(values: [0, 1], setup: setup).isEmpty)
  }

  // MARK: Entropy polarity

  @Test("polarity: P = A·T of literature §4 (k 0 → −0.0972685277, k 2 → +0.1206094221); branch weights applied")
  func polaritySpecVector() {
    let tokens = Self.tokens(arms: [0, 2], rewards: [1, 1], advantages: [0.7, 0.7])
    var c = EntropyPolarityControl(values: [3, 0.5])
    var g = SplitMix64(seed: 0)
    var start = ControlStepStart(step: 0, states: 1, arms: 4, logits: Self.z)
    c.beginStep(&start, using: &g)
    expectClose(c.polarities(of: tokens), [-0.0972685277, 0.1206094221], tolerance: 5e-11, "P")
    let (_, terms) = Self.applied(EntropyPolarityControl(values: [3, 0.5]), tokens)
    #expect(terms.lossGradient == [-0.7 * 0.5, -0.7 * 3])
    #expect(terms.activity.count("polarity_expanding") == 1 && terms.activity.count("polarity_contracting") == 1)
    #expect(terms.chosen["polarity"] == [0, 1])
    // Weights 1 and 1: nothing reweighted, the branches still counted.
    let (_, same) = Self.applied(EntropyPolarityControl(values: [1, 1]), tokens)
    #expect(same.lossGradient == [-0.7, -0.7] && same.chosen["polarity"] == [])
  }

  @Test("polarity in a step: only expanding tokens raise H to first order, only contracting ones lower it")
  func polarityBranches() throws {
    let (policy, bandit, config) = try Self.setup()
    func first(_ controls: [any EntropyControl]) throws -> Double {
      var g = SplitMix64(seed: 8)
      let step = try SampledTrainer.step(
        policy: policy, bandit: bandit, config: config, controls: controls, learningRate: 0.1, using: &g)
      return Self.changes(policy, delta: step.delta).first
    }
    // Independent of the control's own kernel: the first-order change is
    // ∇H·Δz by `Reference.entropyGradient`.
    #expect(try first([EntropyPolarityControl(values: [1, 0])]) > 0)
    #expect(try first([EntropyPolarityControl(values: [0, 1])]) < 0)
    let plain = try first([])
    let both = try first([EntropyPolarityControl(values: [1, 1])])
    #expect(plain == both)
  }

  // MARK: Entrocraft

  static let craftRewards = [1.0, 0, 0, 1, 0, 0, 0, 0]  // ±1: [1, −1, −1, 1, −1, −1, −1, −1]

  static func rollout(entropy: Double) -> ControlRollout {
    let a = Rollout.groupAdvantages(craftRewards)
    return ControlRollout(
      step: 0, tokens: tokens(arms: [0, 0, 1, 3, 0, 2, 1, 0], rewards: craftRewards, advantages: a), entropy: entropy)
  }

  @Test("Entrocraft code: RAFT++ above the band, NSR below, GRPO inside (literature §2 vectors)")
  func entrocraftCode() {
    var g = SplitMix64(seed: 0)
    var c = EntrocraftControl(values: [0, 0, 0.6, 0.7, 0.4, 0.5, 200])
    var above = Self.rollout(entropy: 0.8)
    c.prepare(&above, using: &g)
    #expect(above.tokens.map(\.advantage) == [1, 0, 0, 1, 0, 0, 0, 0])
    #expect(above.activity["entrocraft_branch"] == 1 && above.activity.count("entrocraft_dropped") == 6)
    var below = Self.rollout(entropy: 0.5)
    c.prepare(&below, using: &g)
    #expect(below.tokens.map(\.advantage) == [0, -1, -1, 0, -1, -1, -1, -1])
    #expect(below.activity["entrocraft_branch"] == -1 && below.activity.count("entrocraft_dropped") == 2)
    var inside = Self.rollout(entropy: 0.65)
    c.prepare(&inside, using: &g)
    expectClose(inside.tokens[0].advantage, 1.6201834246, tolerance: 5e-6, "GRPO + (0/1 rewards: eps 1e-6 scale)")
    expectClose(inside.tokens[1].advantage, -0.5400611415, tolerance: 5e-6, "GRPO −")
    #expect(inside.activity["entrocraft_branch"] == 0 && inside.activity.count("entrocraft_dropped") == 0)
    #expect(c.memory == [3])
  }

  @Test("Entrocraft code, sign trap (literature §2): the control's RAFT++ and NSR steps both lower H at V0")
  func entrocraftSignTrap() {
    // Arms [0, 0, 1, 3, 0, 2, 1, 0], correct arms {0, 3}; η = 0.1, token-mean.
    let arms = [0, 0, 1, 3, 0, 2, 1, 0]
    let rewards = arms.map { $0 == 0 || $0 == 3 ? 1.0 : 0 }
    let pi = Reference.softmax(Self.z)
    let grad = Reference.entropyGradient(Self.z)
    var g = SplitMix64(seed: 0)
    for (entropy, expected) in [(0.9, -0.0058471751), (0.1, -0.0063829917)] {
      var c = EntrocraftControl(values: [0, 0, 0.6, 0.7, 0.4, 0.5, 200])
      var r = ControlRollout(
        step: 0,
        tokens: Self.tokens(arms: arms, rewards: rewards, advantages: Rollout.groupAdvantages(rewards)),
        entropy: entropy)
      c.prepare(&r, using: &g)
      var dz = [Double](repeating: 0, count: 4)
      for t in r.tokens {
        for b in 0..<4 { dz[b] += 0.1 / 8 * t.advantage * ((b == t.arm ? 1 : 0) - pi[b]) }
      }
      // First order by an independent ∇H; the spec prints 10 decimals.
      expectClose(zip(grad, dz).reduce(0) { $0 + $1.0 * $1.1 }, expected, tolerance: 5e-11, "H_t \(entropy)")
    }
  }

  @Test("Entrocraft paper: keep only m·Â ≥ 0 (above: the positives; below: the negatives; inside: all)")
  func entrocraftPaper() {
    var g = SplitMix64(seed: 0)
    var c = EntrocraftControl(values: [1, 0, 0.6, 0.7, 0.4, 0.5, 200])
    var above = Self.rollout(entropy: 0.8)
    c.prepare(&above, using: &g)
    #expect(above.tokens.map(\.reward) == [1, 1] && above.activity.count("entrocraft_dropped") == 6)
    var below = Self.rollout(entropy: 0.1)
    c.prepare(&below, using: &g)
    #expect(below.tokens.allSatisfy { $0.reward == 0 } && below.tokens.count == 6)
    var inside = Self.rollout(entropy: 0.65)
    c.prepare(&inside, using: &g)
    #expect(inside.tokens.count == 8 && inside.activity.count("entrocraft_dropped") == 0)
  }

  @Test("Entrocraft band schedule at t = 50 of 200: linear 0.55/0.65, cos 0.5707106781/0.6707106781")
  func entrocraftSchedule() {
    var g = SplitMix64(seed: 0)
    for (shape, low, high) in [(1.0, 0.55, 0.65), (2.0, 0.5707106781, 0.6707106781), (0.0, 0.6, 0.7)] {
      var c = EntrocraftControl(values: [0, shape, 0.6, 0.7, 0.4, 0.5, 200])
      c.memory = [50]
      var r = Self.rollout(entropy: 0.6)
      c.prepare(&r, using: &g)
      expectClose(r.activity["entrocraft_low"] ?? .nan, low, tolerance: 5e-11, "lb")
      expectClose(r.activity["entrocraft_high"] ?? .nan, high, tolerance: 5e-11, "ub")
      #expect(c.memory == [51])
    }
  }

  // MARK: entropic

  @Test("entropic: H* 0.5, H = 0.8, 0.7, 0.6, 0.45 → α 0.3, 0.203, 0.105, −0.044; A = R(1 ± α)")
  func entropicSequence() throws {
    var g = SplitMix64(seed: 0)
    var c = Entropic(values: [0.5, 0.01])
    c.memory = []
    for (h, alpha) in [(0.8, 0.3), (0.7, 0.203), (0.6, 0.105), (0.45, -0.044)] {
      var r = Self.rollout(entropy: h)
      c.prepare(&r, using: &g)
      let a = try #require(r.activity["entropic_alpha"])
      expectClose(a, alpha, tolerance: 1e-12, "α at H \(h)")
      #expect(r.tokens.map(\.advantage) == Self.craftRewards.map { $0 > 0 ? 1 + a : -(1 - a) })
    }
    // The integral is carried in memory: 0.01·(0.3 + 0.2 + 0.1 − 0.05).
    expectClose(c.memory[0], 0.0055, tolerance: 1e-15, "I")
  }

  @Test("entropic and Entrocraft carry their state through SampledTrainer's memory")
  func memoryThroughTheTrainer() throws {
    let (policy, bandit, config) = try Self.setup()
    var g = SplitMix64(seed: 2)
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config,
      controls: [EntrocraftControl(values: [0, 0, 0.6, 0.7, 0.4, 0.5, 200]), Entropic(values: [0.5, 0.01])],
      learningRate: 0.1, using: &g)
    #expect(step.memory["entrocraft"] == [1])
    let integral = try #require(step.memory["entropic"]?.first)
    let alpha = try #require(step.counts.activity["entropic_alpha"])
    // I = 0.01·e and α = e on the first step.
    expectClose(integral, 0.01 * alpha, tolerance: 1e-15, "I = gain·α on the first step")
  }
}
