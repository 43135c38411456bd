import Foundation
import Testing

@testable import EntropyCore

// Issue 14: multi-token responses, loss aggregation, minibatch formation,
// micro-batches, refill, dual-clip and the Fig. 8 per-response covariance.

/// Hand-built tokens: `responses` lists (state, group, advantage, log π_old
/// of each token, arm of each token).
enum HandResponses {
  static func tokens(_ responses: [(state: Int, group: Int, advantage: Double, logProbs: [Double], arms: [Int])])
    -> [SampledToken]
  {
    var out: [SampledToken] = []
    for (r, resp) in responses.enumerated() {
      for (lp, arm) in zip(resp.logProbs, resp.arms) {
        out.append(
          SampledToken(
            state: resp.state, arm: arm, group: resp.group, reward: 0, advantage: resp.advantage, oldLogProb: lp,
            response: r, length: resp.logProbs.count))
      }
    }
    return out
  }

  /// Three responses of lengths 1, 2, 3 (six tokens) at one state.
  static let mixed = tokens([
    (0, 0, 1.0, [-0.5], [0]), (0, 0, -0.5, [-1.0, -2.0], [1, 2]), (0, 0, -0.5, [-0.3, -0.4, -0.6], [0, 0, 1]),
  ])
}

@Suite("Loss aggregation: verl's agg_loss denominators")
struct LossAggregationTests {
  // Expected weights written out by hand (num/den, printed with Python):
  // token-mean 1/6; seq-mean-token-mean 1/((T_i + 1e-8)·3) =
  // 0.33333333000000004, 0.16666666583333334, 0.11111111074074075;
  // seq-mean-token-sum 1/3; token-sum 1. Exact up to one rounding of the
  // division each way: tolerance 2 ulps (4e-17 at these sizes).
  @Test("each mode's per-token weight on responses of lengths 1, 2, 3")
  func weightsOnMixedLengths() {
    let expected: [LossAggregation: [Double]] = [
      .tokenMean: [Double](repeating: 1.0 / 6, count: 6),
      .seqMeanTokenMean: [
        0.33333333000000004, 0.16666666583333334, 0.16666666583333334, 0.11111111074074075, 0.11111111074074075,
        0.11111111074074075,
      ],
      .seqMeanTokenSum: [Double](repeating: 1.0 / 3, count: 6),
      .tokenSum: [Double](repeating: 1, count: 6),
    ]
    for mode in LossAggregation.allCases {
      let w = mode.weights(HandResponses.mixed)
      for i in 0..<6 {
        expectClose(w.numerators[i] / w.denominator, expected[mode]?[i] ?? .nan, tolerance: 4e-17, "\(mode) token \(i)")
      }
    }
  }

  @Test("zeroed tokens stay in the denominator: one SGD step on a hand batch, every mode")
  func zeroedTokensStayInDenominator() throws {
    // One state, K = 3 arms, logits z; token 1's gradient zeroed (as a
    // clip would), the others c_i = −A_i. The hand Δz: −η Σ_i c_i w_i (e_a − π).
    let z = [0.2, -0.1, 0.4]
    let p = HandGRPO.softmax(z[0..<3])
    let tokens = HandResponses.mixed
    var c = tokens.map { -$0.advantage }
    c[1] = 0
    for mode in LossAggregation.allCases {
      let terms = MinibatchTerms(
        tokens: tokens, logProbs: tokens.map(\.oldLogProb), logRatios: [Double](repeating: 0, count: 6),
        ratios: [Double](repeating: 1, count: 6), covariances: [Double](repeating: 0, count: 6),
        clipRange: (0.2, 0.2), ppoClipped: [false, true, false, false, false, false], lossGradient: c)
      let w = mode.weights(tokens)
      var descent = MinibatchDescent(states: 1, arms: 3)
      descent.accumulate(z, terms: terms, numerators: w.numerators, denominator: w.denominator, scale: 1, controls: [])
      var zz = z
      var adam = AdamState()
      #expect(descent.apply(&zz, optimizer: .sgd, gradientClip: nil, adam: &adam, learningRate: 0.5))
      // The hand weights: the denominators count all six tokens / three responses.
      let lengths = [1.0, 2, 2, 3, 3, 3]
      let hand: [Double] = (0..<6).map { i in
        switch mode {
        case .tokenMean: return 1.0 / 6
        case .seqMeanTokenMean: return 1 / (lengths[i] + 1e-8) / 3
        case .seqMeanTokenSum: return 1.0 / 3
        case .tokenSum: return 1
        }
      }
      for a in 0..<3 {
        var g = 0.0
        for (i, t) in tokens.enumerated() { g += c[i] * hand[i] * ((t.arm == a ? 1 : 0) - p[a]) }
        // A few roundings of O(1) terms: 1e-15.
        expectClose(zz[a] - z[a], -0.5 * g, tolerance: 1e-15, "\(mode) Δz[\(a)]")
      }
    }
  }
}

@Suite("Minibatch formation: groups keep|split, order fixed|shuffle|reshuffle, micro-batches")
struct MinibatchPlanTests {
  /// 2 states × G = 2 × T = 2: responses 0, 1 (group 0) and 2, 3 (group 1).
  static let rollout = HandResponses.tokens([
    (0, 0, 1, [-1, -1], [0, 1]), (0, 0, -1, [-1, -1], [1, 1]), (1, 1, 1, [-1, -1], [0, 0]),
    (1, 1, -1, [-1, -1], [2, 1]),
  ])

  static func config(keep: Bool, order: MinibatchOrder, m: Int, e: Int = 1) -> GRPOConfig {
    var c = GRPOConfig()
    c.keepGroups = keep
    c.order = order
    c.minibatches = m
    c.epochs = e
    return c
  }

  @Test("groups keep, fixed, M = 2: one group per minibatch, the same split every epoch")
  func keepFixed() {
    var plan = MinibatchPlan(tokens: Self.rollout, config: Self.config(keep: true, order: .fixed, m: 2, e: 2))
    #expect(plan.units == [[0, 1, 2, 3], [4, 5, 6, 7]])
    var g = SplitMix64(seed: 1)
    let before = g
    for _ in 0..<2 { #expect(plan.minibatches(plan.unitOrder(using: &g)) == [[0, 1, 2, 3], [4, 5, 6, 7]]) }
    #expect(g == before, "fixed draws no random number")
  }

  @Test("groups split, fixed, M = 4: one response per minibatch, tokens of a response together")
  func splitFixed() {
    var plan = MinibatchPlan(tokens: Self.rollout, config: Self.config(keep: false, order: .fixed, m: 4))
    var g = SplitMix64(seed: 1)
    #expect(plan.minibatches(plan.unitOrder(using: &g)) == [[0, 1], [2, 3], [4, 5], [6, 7]])
  }

  @Test("shuffle: one order per rollout reused every epoch; reshuffle: a new order per epoch")
  func shuffleAndReshuffle() {
    var shuffled = MinibatchPlan(tokens: Self.rollout, config: Self.config(keep: false, order: .shuffle, m: 4, e: 3))
    var g = SplitMix64(seed: 3)
    let first = shuffled.unitOrder(using: &g)
    let after = g
    #expect(shuffled.unitOrder(using: &g) == first && shuffled.unitOrder(using: &g) == first)
    #expect(g == after, "shuffle draws only once per rollout")
    var expectedG = SplitMix64(seed: 3)
    #expect(first == Sampling.sampleWithoutReplacement([0, 1, 2, 3], count: 4, using: &expectedG))
    var re = MinibatchPlan(tokens: Self.rollout, config: Self.config(keep: false, order: .reshuffle, m: 4, e: 3))
    var g2 = SplitMix64(seed: 3)
    var orders: [[Int]] = []
    for _ in 0..<3 { orders.append(re.unitOrder(using: &g2)) }
    var h = SplitMix64(seed: 3)
    for o in orders { #expect(o == Sampling.sampleWithoutReplacement([0, 1, 2, 3], count: 4, using: &h)) }
    // M = E = 1 keeps the rollout's order and draws nothing (as before issue 14).
    var one = MinibatchPlan(tokens: Self.rollout, config: Self.config(keep: false, order: .reshuffle, m: 1))
    var g3 = SplitMix64(seed: 9)
    #expect(one.unitOrder(using: &g3) == [0, 1, 2, 3] && g3 == SplitMix64(seed: 9))
  }

  @Test("micro-batches cut a minibatch's responses in order; m larger than the responses gives one each")
  func microbatches() {
    #expect(MinibatchPlan.microbatches(Self.rollout, count: 2) == [[0, 1, 2, 3], [4, 5, 6, 7]])
    #expect(MinibatchPlan.microbatches(Self.rollout, count: 3) == [[0, 1], [2, 3], [4, 5, 6, 7]])
    #expect(MinibatchPlan.microbatches(Self.rollout, count: 9) == [[0, 1], [2, 3], [4, 5], [6, 7]])
    #expect(MinibatchPlan.microbatches(Self.rollout, count: 1) == [Array(0..<8)])
  }
}

@Suite("Micro-batches, refill, dual-clip and the Fig. 8 covariance in the trainer")
struct SampledKnobTests {
  static func problem(states: Int, arms: Int, seed: UInt64) throws -> (Policy, Bandit) {
    try GRPORunner.randomProblem(states: states, arms: arms, seed: seed)
  }

  @Test("KL-Cov selects max(⌊k·N_micro⌋, 1) per micro-batch, the top covariances of each micro-batch")
  func selectionPerMicrobatch() throws {
    // 4 states × G = 5, T = 1, no filter: N = 20 responses in one minibatch;
    // m = 3 micro-batches of ⌊b·20/3⌋ boundaries: 6, 7, 7 tokens. k = 0.3:
    // ⌊1.8⌋ = 1, ⌊2.1⌋ = 2, ⌊2.1⌋ = 2, so 5 penalised (one call would take 6).
    let (policy, bandit) = try Self.problem(states: 4, arms: 3, seed: 5)
    var config = GRPOConfig()
    config.groupSize = 5
    config.filter = false
    config.noise = .gaussian(1)
    config.microbatches = 3
    var g = SplitMix64(seed: 11)
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [KLCov(values: [0.3, 1])], learningRate: 0.5,
      using: &g)
    #expect(step.counts.activity.count("penalized") == 5)
    let sizes = (0..<3).map { j in step.tokens.filter { $0.microbatch == j }.count }
    #expect(sizes == [6, 7, 7])
    for j in 0..<3 {
      let part = step.tokens.filter { $0.microbatch == j }
      let chosen = part.filter { $0.chosenBy.contains(KLCov.name) }
      let count = [1, 2, 2][j]
      #expect(chosen.count == count, "micro-batch \(j)")
      // Chosen = the `count` largest covariances centred over this micro-batch.
      let threshold = part.map(\.covariance).sorted(by: >)[count - 1]
      #expect(chosen.allSatisfy { $0.covariance >= threshold }, "micro-batch \(j)")
      // The covariances are centred over this micro-batch's own means
      // (recomputed here from its tokens; a few roundings: 1e-14).
      let n = Double(part.count)
      let ma = part.reduce(0) { $0 + $1.token.advantage } / n
      let ml = part.reduce(0) { $0 + $1.logProb } / n
      for r in part {
        expectClose(r.covariance, (r.token.advantage - ma) * (r.logProb - ml), tolerance: 1e-14, "micro-batch \(j)")
      }
    }
  }

  @Test(
    "micro-batches sum into one update: without controls, m = 2, 3, 4 give the one-call Δz (token-mean, equal sizes)")
  func microbatchesSumToOneUpdate() throws {
    // 12 responses (3 states × G = 4) in m micro-batches of 12/m: each
    // call's token-mean (m/12) scaled by its share (1/m) gives 1/12, the
    // one-call weight. The sums are taken in another order: a few roundings
    // of O(1) terms, 1e-15. The example must move the logits: with G = 2
    // every group of this seed picked one arm twice (advantages ±A cancel),
    // so Δz was 0 both ways and the comparison could not fail.
    let (policy, bandit) = try Self.problem(states: 3, arms: 4, seed: 8)
    var config = GRPOConfig()
    config.groupSize = 4
    config.filter = false
    config.noise = .gaussian(1)
    var g1 = SplitMix64(seed: 2)
    let one = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [], learningRate: 1, using: &g1)
    #expect(one.delta.map(abs).max() ?? 0 > 0.01, "the step moves the logits: \(one.delta)")
    for m in [2, 3, 4] {
      config.microbatches = m
      var g = SplitMix64(seed: 2)
      let split = try SampledTrainer.step(
        policy: policy, bandit: bandit, config: config, controls: [], learningRate: 1, using: &g)
      #expect(Set(split.tokens.map(\.microbatch)) == Set(0..<m))
      for j in 0..<m { #expect(split.tokens.filter { $0.microbatch == j }.count == 12 / m, "m = \(m)") }
      for i in one.delta.indices { expectClose(split.delta[i], one.delta[i], tolerance: 1e-15, "m = \(m): Δz[\(i)]") }
    }
  }

  @Test("refill reaches the batch size S, or stops at the cap with a count of what was drawn")
  func refill() throws {
    // States 0, 1: every arm μ = 0 (always filtered). States 2, 3: μ = 0.5
    // (a group of 4 is all-equal with probability 1/8).
    var bandit = Bandit(states: 4, arms: 3)
    for s in 0..<4 { try bandit.setRewards([Double](repeating: s < 2 ? 0 : 0.5, count: 3), state: s) }
    let policy = try Policy(states: 4, arms: 3)
    var config = GRPOConfig()
    config.groupSize = 4
    config.refill = true
    for seed: UInt64 in 1...20 {
      var g = SplitMix64(seed: seed)
      let r = try Rollout.sample(policy: policy, bandit: bandit, config: config, using: &g)
      #expect(r.tokens.count == 4 * 4, "seed \(seed): S groups of G one-token responses")
      #expect(Set(r.tokens.map(\.group)).count == 4)
      #expect(r.groupsDrawn == r.passes * 4)
      #expect(r.filteredGroups + 4 + r.surplusGroups == r.groupsDrawn, "seed \(seed)")
      #expect(r.passes >= 2 && r.passes <= config.refillCap)
    }
    // Every state always filtered: the cap stops it with nothing kept.
    var zero = Bandit(states: 4, arms: 3)
    for s in 0..<4 { try zero.setRewards([0, 0, 0], state: s) }
    config.refillCap = 7
    var g = SplitMix64(seed: 1)
    let r = try Rollout.sample(policy: policy, bandit: zero, config: config, using: &g)
    #expect(r.tokens.isEmpty && r.passes == 7 && r.groupsDrawn == 28 && r.filteredGroups == 28)
    // Without refill, one pass, N shrinks.
    config.refill = false
    var g2 = SplitMix64(seed: 1)
    let plain = try Rollout.sample(policy: policy, bandit: bandit, config: config, using: &g2)
    #expect(plain.passes == 1 && plain.tokens.count <= 8)
  }

  @Test("dual-clip: A < 0 with max(L1, L2) > −A·c takes the constant −A·c (zero gradient); off by default")
  func dualClip() {
    // A = −1, clip 0.2, c = 3. ρ = 4: L1 = 4, L2 = 1.2, max 4 > 3: clipped.
    // ρ = 2: max 2 < 3: gradient −A·ρ = 2. A = +1, ρ = 4: L2 = −1.2 > L1 = −4:
    // PPO-clipped, never dual-clipped.
    let tokens = [(-1.0, log(4.0)), (-1.0, log(2.0)), (1.0, log(4.0))].enumerated().map { i, x in
      SampledToken(state: 0, arm: i, group: 0, reward: 0, advantage: x.0, oldLogProb: log(1.0 / 3) - x.1)
    }
    let z = [0.0, 0, 0]
    let off = SampledTrainer.lossTerms(tokens, logits: z, arms: 3, clip: (0.2, 0.2))
    #expect(off.dualClipped.isEmpty)
    expectClose(off.lossGradient[0], 4, tolerance: 1e-14, "no dual-clip: −A·ρ")
    let on = SampledTrainer.lossTerms(tokens, logits: z, arms: 3, clip: (0.2, 0.2), dualClip: 3)
    #expect(on.dualClipped == [true, false, false])
    #expect(on.lossGradient[0] == 0)
    expectClose(on.lossGradient[1], 2, tolerance: 1e-14, "ρ = 2 below c")
    #expect(on.ppoClipped[2] && on.lossGradient[2] == 0)
  }

  @Test("Fig. 8 covariance on a hand batch: per group over responses, length-normalised log π; then the mean")
  func responseCovariance() {
    // Group 0: responses (len 1, lp −0.5, A 1), (len 2, lp −1, −2, A −0.5),
    // (len 1, lp −0.25, A −0.5): x = [−0.5, −1.5, −0.25], cov = 0.375/3 = 0.125.
    // Group 1: (len 3, lp −1 ×3, A 0.7), (len 1, lp −3, A −0.7): cov = 1.4/2 = 0.7.
    let tokens = HandResponses.tokens([
      (0, 0, 1, [-0.5], [0]), (0, 0, -0.5, [-1, -2], [0, 1]), (0, 0, -0.5, [-0.25], [1]),
      (1, 1, 0.7, [-1, -1, -1], [0, 0, 0]), (1, 1, -0.7, [-3], [1]),
    ])
    let c = Rollout.responseCovariance(tokens)
    expectClose(c.perGroup[0] ?? .nan, 0.125, tolerance: 1e-16, "group 0")
    expectClose(c.perGroup[1] ?? .nan, 0.7, tolerance: 1e-15, "group 1")
    expectClose(c.mean, 0.4125, tolerance: 1e-15, "mean over groups")
    // The token-level one differs: over the 8 tokens, (1/N)Σ(lp − mean)(A − mean).
    let lp = [-0.5, -1, -2, -0.25, -1, -1, -1, -3]
    let a = [1, -0.5, -0.5, -0.5, 0.7, 0.7, 0.7, -0.7]
    let ml = lp.reduce(0, +) / 8
    let ma = a.reduce(0, +) / 8
    let tokenCov = zip(lp, a).reduce(0) { $0 + ($1.0 - ml) * ($1.1 - ma) } / 8
    expectClose(Rollout.tokenCovariance(tokens), tokenCov, tolerance: 1e-15, "token-level")
  }

  @Test("T = 3 rollout: responses of T tokens share one reward and advantage; T1..T2 lengths stay in range")
  func multiTokenRollout() throws {
    let (policy, bandit) = try Self.problem(states: 3, arms: 4, seed: 4)
    var config = GRPOConfig()
    config.groupSize = 4
    config.filter = false
    config.response = ResponseModel(minLength: 3, maxLength: 3)
    var g = SplitMix64(seed: 6)
    let r = try Rollout.sample(policy: policy, bandit: bandit, config: config, using: &g)
    #expect(r.tokens.count == 3 * 4 * 3 && r.responses == 12)
    for resp in 0..<12 {
      let ts = r.tokens.filter { $0.response == resp }
      #expect(ts.count == 3 && Set(ts.map(\.reward)).count == 1 && Set(ts.map(\.advantage)).count == 1)
      #expect(ts.allSatisfy { $0.length == 3 })
    }
    config.response = ResponseModel(minLength: 2, maxLength: 5)
    let r2 = try Rollout.sample(policy: policy, bandit: bandit, config: config, using: &g)
    let lengths = Set(r2.tokens.map(\.length))
    #expect(lengths.isSubset(of: [2, 3, 4, 5]) && lengths.count > 1)
  }
}
