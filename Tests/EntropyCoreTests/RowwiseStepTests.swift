import EntropyCore
import Foundation
import Testing

/// The shell's vocabulary-scale paths against the array-at-a-time ones:
/// - the parallel fills against sequential draws of the same generator,
///   bit for bit (tolerance 0: they promise the same values, so that
///   recorded notebooks still check);
/// - the row-by-row exact step (`RowwiseExactStep`, fused kernels with the
///   row maximum known) against `UpdateRule.step`,
///   `EntropyDynamics.predict` and `Policy.apply` (online sums): two
///   implementations of the same formulas, compared within a few hundred
///   ulp (their sums of ~11,000 terms round differently); and, bit for
///   bit, that applying a plan writes exactly the Δz the plan checked.
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

  /// |x − y| ≤ rel·|y| + abs, NaN only with NaN.
  static func close(_ x: Double, _ y: Double, rel: Double, abs a: Double = 0) -> Bool {
    if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
    if x == y { return true }  // also ±∞ (dead arms)
    return Swift.abs(x - y) <= rel * Swift.abs(y) + a
  }

  static func close(_ p: EntropyPrediction, _ q: EntropyPrediction, rel: Double, abs a: Double) -> Bool {
    close(p.firstOrder, q.firstOrder, rel: rel, abs: a) && close(p.secondOrder, q.secondOrder, rel: rel, abs: a)
      && close(p.pathIntegral, q.pathIntegral, rel: rel, abs: a)
  }

  /// Tolerances: each row's sums have ~11,000 terms; the two paths take
  /// them with a different shift (known maximum vs online), so Σe and the
  /// moments differ by a few ulp of their size and the predictions, which
  /// are differences of such sums, by a few ulp of the largest term —
  /// 1e-12 relative with 1e-17 absolute is a factor ~100 above what was
  /// seen and far below any real error (a wrong term, a missing π, a
  /// wrong node: ≥ 1e-6 relative). The path integral with the cached e
  /// (span ≤ 2⁻⁸) multiplies e^(z − m) by a 5-FMA polynomial instead of
  /// one exp: 2–3 ulp per term, inside the same bound.
  @Test(
    "the row-by-row step agrees with A, Δz, predict and apply over whole arrays",
    arguments: [(UpdateRule.pg, 3.0), (.pg, 0.02), (.npg, 0.05), (.npg, 1e-3)], [false, true])
  func rowwiseAgreesWithWholeArrays(step rule: (UpdateRule, Double), manual: Bool) throws {
    let (rule, eta) = rule
    let (s, k) = (6, 11_003)
    let (policy, bandit, hand) = try Self.model(states: s, arms: k)
    let advantages = manual ? hand : bandit.advantages(under: policy)
    let source: StepAdvantages = manual ? .manual(hand) : .exact(bandit)

    // The array-at-a-time path.
    let step = try rule.step(policy: policy, advantages: advantages, learningRate: eta)
    let whole = try EntropyDynamics.predict(policy: policy, change: step.delta)
    var applied = policy
    try applied.apply(step.delta)
    let largestDelta = step.delta.map(abs).max() ?? 0
    // η = 0.02 under PG and 1e-3 under NPG keep the span within 2⁻⁸: the
    // path integral's cached branch runs.
    if eta <= 0.02 && rule == .pg || eta <= 1e-3 { #expect(2 * largestDelta <= 0x1p-8) }

    var delta = [Double](repeating: .nan, count: s * k)
    let plan = delta.withUnsafeMutableBufferPointer { d in
      RowwiseExactStep.plan(policy, rule: rule, advantages: source, learningRate: eta, pathIntegral: true, delta: d)
    }
    #expect(plan.applicable && plan.deltaFinite)
    #expect(Self.close(plan.mean, whole.mean, rel: 1e-12, abs: 1e-17))
    for (p, q) in zip(plan.predictions, whole.perState) { #expect(Self.close(p, q, rel: 1e-12, abs: 1e-17)) }
    for (x, y) in zip(plan.meanAdvantage, step.meanAdvantage) { #expect(Self.close(x, y, rel: 1e-12, abs: 1e-15)) }
    #expect(Self.close(plan.meanEntropyBefore, policy.meanEntropy, rel: 1e-14))
    for (x, y) in zip(delta, step.delta) { #expect(Self.close(x, y, rel: 1e-13, abs: 1e-13 * largestDelta)) }
    if !manual {
      for (x, y) in zip(plan.values, bandit.values(under: policy)) { #expect(Self.close(x, y, rel: 1e-14)) }
    }

    var inPlace = policy
    let after = RowwiseExactStep.apply(
      &inPlace, plan: plan, advantages: source, rewards: bandit)
    // Bit for bit: apply wrote z + Δz with the Δz plan checked.
    let expected = zip(policy.logits, delta).map { $0 == -.infinity ? $0 : $0 + $1 }
    #expect(Self.bits(inPlace.logits) == Self.bits(expected))
    for (x, y) in zip(inPlace.logits, applied.logits) {
      #expect(Self.close(x, y, rel: 4e-16, abs: 1e-13 * largestDelta))
    }
    for (x, y) in zip(after.entropies, applied.entropies) { #expect(Self.close(x, y, rel: 1e-13)) }
    for (x, y) in zip(after.values, bandit.values(under: inPlace)) { #expect(Self.close(x, y, rel: 1e-14)) }
    #expect(Self.close(after.expectedReward, bandit.expectedReward(under: inPlace), rel: 1e-14))

    // One row alone, as `show` asks for it: the plan's own Δz, bit for bit.
    let row = RowwiseExactStep.row(4, of: policy, rule: rule, advantages: source, learningRate: eta)
    #expect(Self.bits(row.delta) == Self.bits(Array(delta[4 * k..<5 * k])))
    for (x, y) in zip(row.advantages, advantages[4 * k..<5 * k]) { #expect(Self.close(x, y, rel: 1e-14, abs: 1e-15)) }

    // Without the path integral: the same first and second order, bit for bit.
    let quick = RowwiseExactStep.plan(policy, rule: rule, advantages: source, learningRate: eta, pathIntegral: false)
    #expect(Self.bits(quick.predictions.map(\.firstOrder)) == Self.bits(plan.predictions.map(\.firstOrder)))
    #expect(Self.bits(quick.predictions.map(\.secondOrder)) == Self.bits(plan.predictions.map(\.secondOrder)))
  }

  @Test("plan refuses a finite Δz that takes a live logit past the largest double, and a NaN Δz")
  func finiteDeltaThatOverflowsTheLogit() throws {
    let k = 70_000
    // Two arms at 1.7e308 (π = 1/2 each) with advantages +1 and −1, so
    // E_π A = 0: NPG's Δz there is ±η = ±1e308 (finite), and 1.7e308 +
    // 1e308 = +∞ on the first.
    var logits = [Double](repeating: 0, count: k)
    logits[5] = 1.7e308
    logits[6] = 1.7e308
    let policy = try Policy(states: 1, arms: k, logits: logits)
    var advantages = [Double](repeating: 0, count: k)
    advantages[5] = 1
    advantages[6] = -1
    let plan = RowwiseExactStep.plan(
      policy, rule: .npg, advantages: .manual(advantages), learningRate: 1e308, pathIntegral: false)
    #expect(plan.deltaFinite)
    #expect(!plan.applicable)
    // Policy.apply agrees.
    let step = try UpdateRule.npg.step(policy: policy, advantages: advantages, learningRate: 1e308)
    var p = policy
    #expect(throws: CoreError.nonFiniteUpdate) { try p.apply(step.delta) }
  }

  @Test("a dead arm stays dead under PG even with an infinite advantage on it, and its Δz is 0")
  func deadArmWithInfiniteAdvantage() throws {
    // Review finding: (η/Σe)·e·(A − ē) with e = 0 and A = +∞ is NaN unless
    // the dead arm is masked; plan and apply must both give Δz = 0 there.
    let k = 40_000
    var logits = (0..<k).map { Double($0 % 7) * 0.1 }
    logits[k - 1] = -.infinity
    logits[3] = -.infinity
    let policy = try Policy(states: 1, arms: k, logits: logits)
    var advantages = (0..<k).map { Double($0 % 5) - 2 }
    advantages[k - 1] = .infinity
    advantages[3] = -.infinity
    var delta = [Double](repeating: .nan, count: k)
    let plan = delta.withUnsafeMutableBufferPointer { d in
      RowwiseExactStep.plan(
        policy, rule: .pg, advantages: .manual(advantages), learningRate: 0.5, pathIntegral: true, delta: d)
    }
    #expect(plan.deltaFinite && plan.applicable)
    #expect(delta[k - 1] == 0 && delta[3] == 0)
    var p = policy
    _ = RowwiseExactStep.apply(&p, plan: plan, advantages: .manual(advantages), rewards: Bandit(states: 1, arms: k))
    #expect(p.logits[k - 1] == -.infinity && p.logits[3] == -.infinity)
    #expect(p.logits.allSatisfy { !$0.isNaN })
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
