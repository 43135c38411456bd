import EntropyCore
import Foundation
import Testing

/// Degenerate and boundary policies: one arm, one-hot rows with −∞ logits,
/// uniform rows, shift invariance, normalisation of probabilities, and the
/// re-centring of large logits.
@Suite("Edge cases of the softmax policy")
struct EdgeCaseTests {
  @Test("K = 1: π = 1, H = 0, every prediction 0")
  func singleArm() throws {
    let policy = try Policy(states: 3, arms: 1, logits: [5, -2, 0])
    let d = [3.0, -7, 1e3]
    let (perState, mean) = try EntropyDynamics.predict(policy: policy, change: d)
    for s in 0..<3 {
      // One arm: no other outcome, so these are exact.
      #expect(policy.probabilities(state: s) == [1])
      #expect(policy.entropy(state: s) == 0)
      #expect(perState[s] == .zero)
      #expect(EntropyDynamics.entropyGradient(policy: policy, state: s) == [0])
    }
    #expect(mean == .zero)
    for rule in UpdateRule.allCases {
      #expect(try rule.step(policy: policy, advantages: [1, 2, 3], learningRate: 1).delta == [0, 0, 0])
    }
    var after = policy
    try after.apply(d)
    #expect(after.entropies == [0, 0, 0])
  }

  @Test("one-hot from probabilities [1, 0, 0]: −∞ logits, H = 0, predictions 0")
  func oneHot() throws {
    var policy = try Policy(states: 1, arms: 3)
    try policy.setProbabilities([1, 0, 0], state: 0)
    #expect(policy.logits == [0, -.infinity, -.infinity])
    #expect(policy.probabilities(state: 0) == [1, 0, 0])
    #expect(policy.logProbabilities(state: 0) == [0, -.infinity, -.infinity])
    #expect(policy.entropy(state: 0) == 0)
    #expect(EntropyDynamics.entropyGradient(policy: policy, state: 0) == [0, 0, 0])
    let d = [0.7, -3, 9]
    #expect(Row.predict(policy.logits, d) == .zero)
    #expect(EntropyDynamics.contributions(policy: policy, change: d, state: 0).map(\.covarianceShare) == [0, 0, 0])
    var after = policy
    try after.apply(d)
    #expect(after.logits == [0.7, -.infinity, -.infinity])
    #expect(after.entropy(state: 0) == 0)
    for rule in UpdateRule.allCases {
      let step = try rule.step(policy: policy, advantages: [1, 5, -5], learningRate: 1)
      // Only arm 0 is live, so the centred advantage there is 0.
      #expect(step.delta == [0, 0, 0])
      #expect(step.meanAdvantage == [1])
    }
  }

  @Test("zero probabilities drop out: [0.5, 0, 0.5] has H = log 2")
  func partlyDead() throws {
    var policy = try Policy(states: 1, arms: 3)
    try policy.setProbabilities([0.5, 0, 0.5], state: 0)
    // Two terms of size 0.35: a few ulps of log 2.
    expectClose(policy.entropy(state: 0), log(2), tolerance: 4e-16, "H")
    #expect(policy.probabilities(state: 0) == [0.5, 0, 0.5])
  }

  @Test("uniform rows have H = log K", arguments: [1, 2, 3, 7, 10, 100, 1000, 151_936])
  func uniform(arms: Int) throws {
    let policy = try Policy(states: 2, arms: arms)
    let h = log(Double(arms))
    // K equal terms summed in order: the error grows at most like K·ε·H.
    let tolerance = Double(arms) * Double.ulpOfOne * max(h, 1)
    expectClose(policy.entropy(state: 1), h, tolerance: tolerance, "H")
    expectClose(policy.meanEntropy, h, tolerance: tolerance, "mean H")
  }

  struct Shift: Sendable, CustomTestStringConvertible {
    let constant: Double
    var testDescription: String { "c = \(constant)" }
  }

  @Test(
    "adding a constant changes π, H and the predictions only by rounding",
    arguments: [0.25, -0.75, 1, 37.5, -1000].map(Shift.init))
  func shiftInvariance(_ shift: Shift) throws {
    var g = SplitMix64(seed: 31)
    let c = shift.constant
    for trial in 0..<20 {
      let arms = TestRandom.int(2, 30, using: &g)
      let z = TestRandom.uniforms(arms, -3, 3, using: &g)
      let zc = z.map { $0 + c }
      let d = TestRandom.uniforms(arms, -2, 2, using: &g)
      let (a, b) = (try Row.policy(z), try Row.policy(zc))
      // Rounding z + c and log-sum-exp moves log π by a few ulps of |c| + 3 + log K.
      let logUlp = (abs(c) + 3 + log(Double(arms))).ulp
      let rel = 4 * logUlp
      let label = "c \(c) trial \(trial)"
      // π changes by a relative e^{δ} − 1 ≈ δ for a log-error δ.
      for (x, y) in zip(a.probabilities(state: 0), b.probabilities(state: 0)) {
        expectClose(y, x, tolerance: rel * x, "\(label) π")
      }
      // H = −Σ π log π: relative π error times log K, plus the log error itself.
      expectClose(b.entropy(state: 0), a.entropy(state: 0), tolerance: rel * 8, "\(label) H")
      let (pa, pb) = (Row.predict(z, d), Row.predict(zc, d))
      // The moments are linear in log π errors, with |d| ≤ 2 and K ≤ 30.
      let scale = rel * 2 * 8
      expectClose(pb.firstOrder, pa.firstOrder, tolerance: scale, "\(label) first")
      expectClose(pb.secondOrder, pa.secondOrder, tolerance: scale, "\(label) second")
      expectClose(pb.pathIntegral, pa.pathIntegral, tolerance: scale, "\(label) path")
    }
  }

  @Test("setProbabilities normalises any positive scale without overflow")
  func normalisation() throws {
    var policy = try Policy(states: 1, arms: 3)
    // Subnormal inputs are exact multiples of 2⁻¹⁰⁷², so their ratios are exact.
    let tiny: Double = 0x1p-1072
    let third: Double = 1.0 / 3
    let cases: [(p: [Double], expected: [Double])] = [
      ([2, 6, 2], [0.2, 0.6, 0.2]),
      ([1e308, 1e308, 0], [0.5, 0.5, 0]),
      ([tiny, 3 * tiny, 0], [0.25, 0.75, 0]),
      ([0.1, 0.1, 0.1], [third, third, third]),
    ]
    for (p, expected) in cases {
      try policy.setProbabilities(p, state: 0)
      // exp(log-ratio) round trip: a few ulps of each probability.
      expectClose(policy.probabilities(state: 0), expected, tolerance: 1e-15, "p = \(p)")
    }
  }

  @Test("apply re-centres rows beyond ±2²⁰ without changing π")
  func recentring() throws {
    let threshold = Policy.recentreThreshold
    let z = [threshold - 1, threshold - 3, -.infinity]
    var policy = try Row.policy(z)
    // Even before re-centring, log π = (z − m) − log Σe with z − m exact
    // ([0, −2]: `RowKernels.logProbabilityShift` shifts by the maximum
    // itself beyond |m| = 512), so π carries only the rounding of Σe, log
    // and exp: under one ulp (1.1e-16) of the reference's 0.88 and 0.12.
    let exact = Reference.softmax([0, -2, -.infinity])
    let before = policy.probabilities(state: 0)
    expectClose(before, exact, tolerance: 1e-16, "π before")
    try policy.apply([2, 2, 2])
    // Δz is exactly representable at this magnitude, so the shifted row is exact.
    #expect(policy.logits == [0, -2, -.infinity])
    // The re-centred row has the same z − m, so π is the same to the bit.
    #expect(policy.probabilities(state: 0) == before)
    // Below the threshold nothing is re-centred.
    var small = try Row.policy([10, 5])
    try small.apply([1, 1])
    #expect(small.logits == [11, 6])
  }

  @Test("apply re-centres rows whose maximum falls below −2²⁰")
  func recentringNegative() throws {
    let threshold = Policy.recentreThreshold
    var policy = try Row.policy([-threshold + 1, -threshold - 1, -.infinity])
    let before = policy.probabilities(state: 0)
    // Every value here is an integer below 2²¹: exact.
    try policy.apply([-2, -2, -2])
    #expect(policy.logits == [0, -2, -.infinity])
    #expect(policy.probabilities(state: 0) == before)
    // At exactly −2²⁰ the row is left alone (the threshold is strict).
    var edge = try Row.policy([-threshold + 1, -threshold - 1])
    try edge.apply([-1, -1])
    #expect(edge.logits == [-threshold, -threshold - 2])
  }
}
