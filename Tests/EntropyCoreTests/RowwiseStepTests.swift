import EntropyCore
import Foundation
import Testing

/// The shell's vocabulary-scale paths against the array-at-a-time ones
/// they replace, bit for bit (tolerance 0: they promise the same values,
/// so that recorded notebooks still check):
/// - the parallel fills against sequential draws of the same generator;
/// - the row-by-row exact step (`RowwiseExactStep`) against
///   `UpdateRule.step`, `EntropyDynamics.predict` and `Policy.apply`.
///
/// Sizes are above `ParallelRows.serialWork`, so the parallel paths run.
@Suite struct RowwiseStepTests {
  /// Bit patterns, so that −0 ≠ 0 and NaN = NaN are compared exactly.
  static func bits(_ x: [Double]) -> [UInt64] { x.map(\.bitPattern) }

  static func bits(_ p: EntropyPrediction) -> [UInt64] {
    [p.firstOrder.bitPattern, p.secondOrder.bitPattern, p.pathIntegral.bitPattern]
  }

  @Test("output(at:), unit(at:) and skip follow the sequential stream")
  func counterAccess() {
    var g = SplitMix64(seed: 12345)
    let start = g
    for k in 0..<1000 as Range<UInt64> {
      #expect(start.output(at: k) == g.next())
    }
    var skipped = start
    skipped.skip(1000)
    #expect(skipped == g)
    var h = start
    for k in 0..<10 as Range<UInt64> { #expect(start.unit(at: k) == h.nextUnit()) }
  }

  @Test("policy random's parallel fill equals sequential Box–Muller draws, and moves the stream as far")
  func normalFill() throws {
    let (s, k) = (7, 10_007)  // 70,049 logits: parallel, ranges not row-aligned
    var sequential = SplitMix64(seed: 99)
    let expected = (0..<(s * k)).map { _ in 2.5 * Sampling.standardNormal(using: &sequential) }
    var policy = try Policy(states: s, arms: k)
    var g = SplitMix64(seed: 99)
    policy.fillNormal(scale: 2.5, using: &g)
    #expect(Self.bits(policy.logits) == Self.bits(expected))
    #expect(g == sequential)
  }

  @Test("rewards random's parallel fill equals sequential nextUnit draws in row-major order")
  func uniformFill() {
    let (s, k) = (5, 14_009)
    var sequential = SplitMix64(seed: 7)
    let expected = (0..<(s * k)).map { _ in sequential.nextUnit() }
    var bandit = Bandit(states: s, arms: k)
    var g = SplitMix64(seed: 7)
    bandit.fillUniform(using: &g)
    #expect(Self.bits(bandit.meanRewards) == Self.bits(expected))
    #expect(g == sequential)
  }

  /// A policy with spread logits (and a dead arm per row), random rewards
  /// and random hand-set advantages.
  static func model(states s: Int, arms k: Int) throws -> (Policy, Bandit, [Double]) {
    var g = SplitMix64(seed: 3)
    var policy = try Policy(states: s, arms: k)
    policy.fillNormal(scale: 2, using: &g)
    var logits = policy.logits
    for row in 0..<s { logits[row * k + (row * 31) % k] = -.infinity }
    policy = try Policy(states: s, arms: k, logits: logits)
    var bandit = Bandit(states: s, arms: k)
    bandit.fillUniform(using: &g)
    let manual = (0..<(s * k)).map { _ in 2 * g.nextUnit() - 0.7 }  // not centred under π
    return (policy, bandit, manual)
  }

  @Test(
    "the row-by-row step equals A, Δz, predict and apply over whole arrays, bit for bit",
    arguments: [UpdateRule.pg, .npg], [false, true])
  func rowwiseEqualsWholeArrays(rule: UpdateRule, manual: Bool) throws {
    let (s, k) = (6, 11_003)
    let (policy, bandit, hand) = try Self.model(states: s, arms: k)
    let eta = rule == .npg ? 0.05 : 3.0
    let advantages = manual ? hand : bandit.advantages(under: policy)
    let source: StepAdvantages = manual ? .manual(hand) : .exact(bandit)

    // The array-at-a-time path the shell used before.
    let step = try rule.step(policy: policy, advantages: advantages, learningRate: eta)
    let whole = try EntropyDynamics.predict(policy: policy, change: step.delta)
    var applied = policy
    try applied.apply(step.delta)

    // Without a Δz buffer (recomputed in apply) and with one.
    for keep in [false, true] {
      var delta = [Double](repeating: .nan, count: s * k)
      let plan = delta.withUnsafeMutableBufferPointer { d in
        RowwiseExactStep.plan(
          policy, rule: rule, advantages: source, learningRate: eta, pathIntegral: true, delta: keep ? d : nil)
      }
      #expect(plan.applicable && plan.deltaFinite)
      #expect(Self.bits(plan.mean) == Self.bits(whole.mean))
      #expect(plan.predictions.map(Self.bits) == whole.perState.map(Self.bits))
      #expect(Self.bits(plan.meanAdvantage) == Self.bits(step.meanAdvantage))
      #expect(plan.meanEntropyBefore.bitPattern == policy.meanEntropy.bitPattern)
      if keep { #expect(Self.bits(delta) == Self.bits(step.delta)) }
      var inPlace = policy
      let after = delta.withUnsafeBufferPointer { d in
        RowwiseExactStep.apply(&inPlace, rule: rule, advantages: source, learningRate: eta, delta: keep ? d : nil)
      }
      #expect(Self.bits(inPlace.logits) == Self.bits(applied.logits))
      #expect(Self.bits(after) == Self.bits(applied.entropies))
      // One row alone, as `show` asks for it.
      let row = RowwiseExactStep.row(4, of: policy, rule: rule, advantages: source, learningRate: eta)
      #expect(Self.bits(row.delta) == Self.bits(Array(step.delta[4 * k..<5 * k])))
      #expect(Self.bits(row.advantages) == Self.bits(Array(advantages[4 * k..<5 * k])))
    }
    // Without the path integral: the same first and second order.
    let quick = RowwiseExactStep.plan(policy, rule: rule, advantages: source, learningRate: eta, pathIntegral: false)
    #expect(Self.bits(quick.predictions.map(\.firstOrder)) == Self.bits(whole.perState.map(\.firstOrder)))
    #expect(Self.bits(quick.predictions.map(\.secondOrder)) == Self.bits(whole.perState.map(\.secondOrder)))
  }

  @Test("a step that overflows in the last row only is found by plan, which writes nothing")
  func overflowInLastRow() throws {
    let (s, k) = (4, 17_000)
    // Every row gets Δz = ±1e308 (finite: η·(A − E_π A) with E_π A = 0
    // under the uniform rows) except the last, whose one-hot π makes
    // E_π A = 1e298 and Δz = −2e308 = −∞ on half its arms.
    var logits = [Double](repeating: 0, count: s * k)
    logits[(s - 1) * k] = 1.7e308
    let policy = try Policy(states: s, arms: k, logits: logits)
    var advantages = [Double](repeating: 0, count: s * k)
    for i in 0..<(s * k) { advantages[i] = i % 2 == 0 ? 1e298 : -1e298 }
    let plan = RowwiseExactStep.plan(
      policy, rule: .npg, advantages: .manual(advantages), learningRate: 1e10, pathIntegral: true)
    #expect(!plan.applicable)
    // The first rows alone would be applied.
    let firstRows = try Policy(states: s - 1, arms: k, logits: Array(logits[0..<((s - 1) * k)]))
    let good = RowwiseExactStep.plan(
      firstRows, rule: .npg, advantages: .manual(Array(advantages[0..<((s - 1) * k)])), learningRate: 1e10,
      pathIntegral: false)
    #expect(good.applicable)
    // Policy.apply agrees that the step is refused.
    let step = try UpdateRule.npg.step(policy: policy, advantages: advantages, learningRate: 1e10)
    var p = policy
    #expect(throws: CoreError.nonFiniteUpdate) { try p.apply(step.delta) }
  }
}
