import Foundation
import Testing

@testable import EntropyCore

// The vectorised kernels against plain scalar reference code written here
// (Foundation's exp/log, one arm at a time, as the kernels were before they
// were vectorised): exp/log to a few ulp over their range, every RowKernels
// function to 1e-12 on random rows with −∞ logits and K not a multiple of
// the vector width, and the fused exact step against UpdateRule.step +
// Policy.apply + EntropyDynamics. No timing assertions here: speed is
// measured by Benchmarks/compare-numpy.sh.

/// Plain scalar reference implementations.
private enum Plain {
  static func logSumExp(_ z: [Double]) -> Double {
    let m = z.max() ?? -.infinity
    guard m.isFinite else { return m }
    var s = 0.0
    for v in z { s += Foundation.exp(v - m) }
    return m + Foundation.log(s)
  }

  static func softmax(_ z: [Double]) -> [Double] {
    let lse = logSumExp(z)
    return z.map { Foundation.exp($0 - lse) }
  }

  static func entropy(_ z: [Double]) -> Double {
    let lse = logSumExp(z)
    var h = 0.0
    for v in z where v > -.infinity { h -= Foundation.exp(v - lse) * (v - lse) }
    return max(h, 0)
  }

  /// (H, E d, Cov(f, d), Var d, E[(f − Ef)(d − Ed)²]) and the sum of the
  /// covariance terms' magnitudes (the scale its rounding error is relative to).
  static func moments(_ z: [Double], _ d: [Double]) -> (RowKernels.Moments, covScale: Double) {
    let lse = logSumExp(z)
    var ef = 0.0
    var ed = 0.0
    for i in z.indices where z[i] > -.infinity {
      let p = Foundation.exp(z[i] - lse)
      ef += p * (z[i] - lse)
      ed += p * d[i]
    }
    var cov = 0.0
    var vd = 0.0
    var third = 0.0
    var scale = 0.0
    for i in z.indices where z[i] > -.infinity {
      let f = z[i] - lse
      let p = Foundation.exp(f)
      let fc = f - ef
      let dc = d[i] - ed
      cov += p * fc * dc
      scale += abs(p * fc * dc)
      vd += p * dc * dc
      third += p * fc * dc * dc
    }
    return (
      RowKernels.Moments(entropy: max(-ef, 0), meanD: ed, covariance: cov, varianceD: vd, thirdMoment: third),
      scale
    )
  }

  static func direction(_ z: [Double], _ a: [Double], eta: Double, natural: Bool) -> (dz: [Double], ea: Double) {
    let lse = logSumExp(z)
    var ea = 0.0
    for i in z.indices where z[i] > -.infinity { ea += Foundation.exp(z[i] - lse) * a[i] }
    let dz = z.indices.map { i -> Double in
      guard z[i] > -.infinity else { return 0 }
      return eta * (natural ? 1 : Foundation.exp(z[i] - lse)) * (a[i] - ea)
    }
    return (dz, ea)
  }

  /// One exact step of one row as the NumPy peer computes it.
  static func step(_ z: [Double], _ a: [Double], eta: Double, natural: Bool)
    -> (z: [Double], h0: Double, h1: Double, firstOrder: Double, covScale: Double)
  {
    let (dz, _) = direction(z, a, eta: eta, natural: natural)
    let (m, scale) = moments(z, dz)
    let next = z.indices.map { z[$0] > -.infinity ? z[$0] + dz[$0] : -.infinity }
    return (next, entropy(z), entropy(next), -m.covariance, scale * abs(eta) + 1e-300)
  }
}

/// Seeded random rows: logits in [−spread, spread] with about a fifth −∞
/// (never all), advantages in [−1, 1].
private struct Rows {
  var rng: SplitMix64

  init(seed: UInt64) { rng = SplitMix64(seed: seed) }

  mutating func logits(_ k: Int, spread: Double = 4, deadFraction: Double = 0.2) -> [Double] {
    var z = (0..<k).map { _ in spread * (2 * rng.nextUnit() - 1) }
    for i in 0..<k where rng.nextUnit() < deadFraction { z[i] = -.infinity }
    if !z.contains(where: \.isFinite) { z[Int(rng.next() % UInt64(k))] = 0.5 }
    return z
  }

  mutating func values(_ k: Int, scale: Double = 1) -> [Double] {
    (0..<k).map { _ in scale * (2 * rng.nextUnit() - 1) }
  }
}

/// |a − b| ≤ rel·max(|a|, |b|, floor).
///
/// Entropies use floor 0.01, i.e. 1e-14 absolute for nearly deterministic
/// rows: H = log Σe − Σe·x/Σe there sums small terms onto the maximum's
/// e⁰ = 1, so its error is a few ulp of 1 (about 1e-15) whatever H is; the
/// plain reference, which computes log Σe the same way, has the same limit.
private func close(_ a: Double, _ b: Double, rel: Double = 1e-12, floor: Double = 0) -> Bool {
  if a == b { return true }
  return abs(a - b) <= rel * max(abs(a), abs(b), floor)
}

/// Units in the last place between `a` and the reference `b` (subnormal
/// spacing below the normal range).
private func ulps(_ a: Double, _ b: Double) -> Double {
  if a == b || (a.isNaN && b.isNaN) { return 0 }
  guard a.isFinite, b.isFinite else { return .infinity }
  return abs(a - b) / max(b.ulp, Double.leastNonzeroMagnitude)
}

/// The floor of entropy comparisons (see `close`).
private let hFloor = 0.01

/// Row sizes around the vector width (16) and the summation block (2,048).
private let sizes = [1, 2, 7, 15, 16, 17, 31, 33, 100, 2047, 2049, 5000]

@Suite("Vectorised kernels")
struct KernelTests {
  // MARK: exp and log

  @Test("VectorMath.exp is within 2 ulp of Foundation's over the whole range")
  func expAcrossRange() {
    var rng = SplitMix64(seed: 11)
    var worst = 0.0
    var worstAt = 0.0
    var xs = (0..<4096).map { _ in -750 + 1462 * rng.nextUnit() }  // past both ends
    xs += (0..<1024).map { _ in 2 * rng.nextUnit() - 1 }  // near 0
    xs += (0..<1024).map { _ in -745.2 + 40 * rng.nextUnit() }  // subnormal results
    xs += (0..<512).map { _ in 700 + 10 * rng.nextUnit() }  // near overflow
    for x in xs {
      let u = ulps(VectorMath.exp(x), Foundation.exp(x))
      if u > worst { (worst, worstAt) = (u, x) }
    }
    #expect(worst <= 2, "worst \(worst) ulp at x = \(worstAt)")
  }

  @Test(
    "VectorMath.exp edge values",
    arguments: [
      -Double.infinity, -1000, -745.2, -745.13, -745.1, -720, -708.4, -708.39, -1e-300, -0.0, 0,
      Double.leastNonzeroMagnitude, 1e-300,
      0.5 * Foundation.log(2), -0.5 * Foundation.log(2), 1, 709.78, 709.7827128933840, 709.79, 710, 1e300,
      Double.infinity,
    ])
  func expEdges(_ x: Double) {
    let expected = Foundation.exp(x)
    let got = VectorMath.exp(x)
    #expect(ulps(got, expected) <= 2, "exp(\(x)) = \(got), Foundation \(expected)")
  }

  @Test("VectorMath.exp of NaN is NaN, and all lanes are independent")
  func expNaNAndLanes() {
    #expect(VectorMath.exp(Double.nan).isNaN)
    var v = VectorMath.Vector(repeating: 1)
    v[3] = -.infinity
    v[7] = .nan
    v[12] = 800
    let e = VectorMath.exp(v)
    #expect(e[3] == 0 && e[7].isNaN && e[12] == .infinity)
    #expect(e[0] == Foundation.exp(1.0) || ulps(e[0], Foundation.exp(1.0)) <= 2)
  }

  @Test("The kernels' exp: few ulp on [−708, 709], 0 below −708 and at −∞")
  func expKernelRange() {
    var rng = SplitMix64(seed: 12)
    var worst = 0.0
    for _ in 0..<256 {
      var v = VectorMath.Vector()
      for j in 0..<VectorMath.width { v[j] = -708 + 1417 * rng.nextUnit() }
      let e = VectorMath.expKernel(v)
      for j in 0..<VectorMath.width { worst = max(worst, ulps(e[j], Foundation.exp(v[j]))) }
    }
    #expect(worst <= 2, "worst \(worst) ulp")
    let dead = VectorMath.expKernel(VectorMath.Vector(repeating: -.infinity))
    #expect(dead == VectorMath.Vector(repeating: 0))
    #expect(VectorMath.expKernel(VectorMath.Vector(repeating: -708.5))[0] == 0)
    #expect(VectorMath.expKernel(VectorMath.Vector(repeating: 0))[0] == 1)
  }

  @Test("The small-argument exp is within 1 ulp for |d| ≤ 2⁻⁸")
  func expSmall() {
    var worst = 0.0
    for i in 0...512 {
      let d = VectorMath.smallLimit * (Double(i) / 256 - 1)
      worst = max(worst, ulps(VectorMath.expSmall(VectorMath.Vector(repeating: d))[0], Foundation.exp(d)))
    }
    #expect(worst <= 1, "worst \(worst) ulp")
  }

  @Test("VectorMath.log is within 2 ulp of Foundation's from subnormals to the largest double")
  func logAcrossRange() {
    var rng = SplitMix64(seed: 13)
    var xs = (0..<4096).map { _ in Foundation.exp(-744 + 1453 * rng.nextUnit()) }
    xs += (0..<1024).map { _ in 1 + (rng.nextUnit() - 0.5) * 1e-3 }  // near 1
    xs += (0..<256).map { _ in Double.leastNonzeroMagnitude * Double(1 + rng.next() % 1_000_000) }
    var worst = 0.0
    var worstAt = 0.0
    for x in xs {
      let u = ulps(VectorMath.log(x), Foundation.log(x))
      if u > worst { (worst, worstAt) = (u, x) }
    }
    #expect(worst <= 2, "worst \(worst) ulp at x = \(worstAt)")
  }

  @Test(
    "VectorMath.log edge values",
    arguments: [
      0, -0.0, Double.leastNonzeroMagnitude, Double.leastNormalMagnitude / 1024, Double.leastNormalMagnitude, 0.5,
      0.7071067811865476, 1,
      1.0000000000000002, 0.9999999999999999, 1.4142135623730951, 2, 10, 1e300, Double.greatestFiniteMagnitude,
      Double.infinity,
    ])
  func logEdges(_ x: Double) {
    let expected = Foundation.log(x)
    let got = VectorMath.log(x)
    #expect(ulps(got, expected) <= 2, "log(\(x)) = \(got), Foundation \(expected)")
  }

  @Test("VectorMath.log of negatives and NaN is NaN")
  func logNaN() {
    #expect(VectorMath.log(-1.0).isNaN)
    #expect(VectorMath.log(-Double.infinity).isNaN)
    #expect(VectorMath.log(Double.nan).isNaN)
  }

  // MARK: RowKernels against the plain reference

  @Test("logSumExp, softmax and entropy equal the plain reference to 1e-12", arguments: sizes)
  func partition(_ k: Int) {
    var rows = Rows(seed: UInt64(100 + k))
    for trial in 0..<4 {
      let z = rows.logits(k, spread: trial == 3 ? 40 : 4, deadFraction: trial == 0 ? 0 : 0.25)
      z.withUnsafeBufferPointer { zb in
        #expect(close(RowKernels.logSumExp(zb), Plain.logSumExp(z), floor: 1), "lse K = \(k)")
        #expect(close(RowKernels.entropy(zb), Plain.entropy(z), floor: hFloor), "H K = \(k)")
        var p = [Double](repeating: .nan, count: k)
        p.withUnsafeMutableBufferPointer { RowKernels.softmax(zb, into: $0) }
        let q = Plain.softmax(z)
        for i in 0..<k {
          #expect(close(p[i], q[i]), "π[\(i)] K = \(k): \(p[i]) vs \(q[i])")
        }
      }
    }
  }

  @Test("moments and covarianceAlong equal the plain reference to 1e-12", arguments: sizes)
  func momentsMatch(_ k: Int) {
    var rows = Rows(seed: UInt64(200 + k))
    for trial in 0..<3 {
      let z = rows.logits(k)
      var d = rows.values(k, scale: trial == 2 ? 1e-6 : 1)
      if trial == 1 { d = d.map { $0 + 50 } }  // a large mean: centring matters
      for i in 0..<k where z[i] == -.infinity && trial == 0 { d[i] = .infinity }  // never read
      let (ref, covScale) = Plain.moments(z, d.map { $0.isFinite ? $0 : 0 })
      let got = z.withUnsafeBufferPointer { zb in d.withUnsafeBufferPointer { RowKernels.moments(zb, $0) } }
      #expect(close(got.entropy, ref.entropy, floor: hFloor))
      #expect(close(got.meanD, ref.meanD, floor: abs(ref.meanD) + 1e-300))
      #expect(abs(got.covariance - ref.covariance) <= 1e-12 * covScale + 1e-300, "cov K = \(k)")
      #expect(close(got.varianceD, ref.varianceD, rel: 1e-11, floor: 1e-300))
      #expect(abs(got.thirdMoment - ref.thirdMoment) <= 1e-11 * (covScale * 60 + 1e-300))

      // Along the path z + t·d, at a few t.
      let dFinite = d.map { $0.isFinite ? $0 : 0 }
      for t in [0.0, 0.3, 1.0] {
        let zt = z.indices.map { z[$0] > -.infinity ? z[$0] + t * dFinite[$0] : -.infinity }
        let (refT, scaleT) = Plain.moments(zt, dFinite)
        var scratch = [Double](repeating: 0, count: k)
        // The kernel gets `d` itself: +∞ on dead arms (trial 0) is never read.
        let gotT = z.withUnsafeBufferPointer { zb in
          d.withUnsafeBufferPointer { db in
            scratch.withUnsafeMutableBufferPointer { RowKernels.covarianceAlong(zb, db, t: t, scratch: $0) }
          }
        }
        #expect(abs(gotT - refT.covariance) <= 1e-12 * scaleT + 1e-300, "cov along t = \(t), K = \(k)")
      }
    }
  }

  @Test("exactDirection equals the plain reference to 1e-12", arguments: sizes)
  func directionMatch(_ k: Int) {
    var rows = Rows(seed: UInt64(300 + k))
    for natural in [false, true] {
      let z = rows.logits(k)
      let a = rows.values(k)
      let (refDz, refEa) = Plain.direction(z, a, eta: 0.7, natural: natural)
      var dz = [Double](repeating: .nan, count: k)
      let ea = z.withUnsafeBufferPointer { zb in
        a.withUnsafeBufferPointer { ab in
          dz.withUnsafeMutableBufferPointer {
            RowKernels.exactDirection(zb, advantages: ab, learningRate: 0.7, natural: natural, into: $0)
          }
        }
      }
      #expect(close(ea, refEa, floor: 1e-12))
      let scale = refDz.map(abs).max() ?? 0
      for i in 0..<k {
        #expect(abs(dz[i] - refDz[i]) <= 1e-12 * max(abs(refDz[i]), 1e-3 * scale), "Δz[\(i)] K = \(k)")
        if z[i] == -.infinity { #expect(dz[i] == 0) }
      }
    }
  }

  // MARK: The fused exact step

  @Test("The fused step equals the plain reference step, with and without carried sums", arguments: sizes)
  func fusedRow(_ k: Int) {
    var rows = Rows(seed: UInt64(400 + k))
    for natural in [false, true] {
      let start = rows.logits(k)
      let a = rows.values(k)
      let eta = natural ? 0.003 : 0.5  // NPG changes every logit by η·(A − ā)
      var reference = start
      var fused = start
      var fresh = start
      var carry: RowCarry? = nil
      for step in 1...3 {
        let ref = Plain.step(reference, a, eta: eta, natural: natural)
        reference = ref.z
        let r = fused.withUnsafeMutableBufferPointer { zb in
          a.withUnsafeBufferPointer {
            RowKernels.exactStepInPlace(zb, advantages: $0, learningRate: eta, natural: natural, carry: &carry)
          }
        }
        let f = fresh.withUnsafeMutableBufferPointer { zb in
          a.withUnsafeBufferPointer {
            RowKernels.exactStepInPlace(zb, advantages: $0, learningRate: eta, natural: natural)
          }
        }
        let label = "K = \(k), \(natural ? "npg" : "pg"), step \(step)"
        for got in [r, f] {
          #expect(close(got.entropyBefore, ref.h0, floor: hFloor), "H before \(label)")
          #expect(close(got.entropyAfter, ref.h1, floor: hFloor), "H after \(label)")
          #expect(abs(got.firstOrder - ref.firstOrder) <= 1e-12 * ref.covScale, "first order \(label)")
        }
        for i in 0..<k {
          #expect(close(fused[i], reference[i], floor: 1e-3), "z[\(i)] \(label)")
          #expect(close(fresh[i], reference[i], floor: 1e-3), "z[\(i)] fresh \(label)")
        }
      }
    }
  }

  @Test("The fused step equals UpdateRule.step + Policy.apply + EntropyDynamics", arguments: UpdateRule.allCases)
  func fusedPolicy(_ rule: UpdateRule) throws {
    let (s, k) = (3, 1031)
    var rows = Rows(seed: rule == .pg ? 500 : 501)
    var logits: [Double] = []
    for _ in 0..<s { logits += rows.logits(k) }
    let advantages = rows.values(s * k)
    let eta = rule == .pg ? 0.5 : 0.002
    var policy = try Policy(states: s, arms: k, logits: logits)
    var fast = policy
    for _ in 1...2 {
      let step = try rule.step(policy: policy, advantages: advantages, learningRate: eta)
      let predicted = try EntropyDynamics.predict(policy: policy, change: step.delta)
      let before = policy.entropies
      try policy.apply(step.delta)
      let after = policy.entropies
      let summary = try fast.applyExactStep(rule, advantages: advantages, learningRate: eta)
      #expect(summary.perState.count == s)
      for st in 0..<s {
        let r = summary.perState[st]
        #expect(close(r.entropyBefore, before[st], floor: hFloor))
        #expect(close(r.entropyAfter, after[st], floor: hFloor))
        #expect(close(r.meanAdvantage, step.meanAdvantage[st], floor: 1e-9))
        let p = predicted.perState[st].firstOrder
        #expect(abs(r.firstOrder - p) <= 1e-10 * max(abs(p), 1e-6 * eta), "state \(st): \(r.firstOrder) vs \(p)")
      }
      for i in 0..<(s * k) { #expect(close(fast.logits[i], policy.logits[i], floor: 1e-3)) }
    }
  }

  @Test("The parallel step over states gives each row exactly what the single-row step gives")
  func parallelMatchesSerial() {
    let (s, k) = (20, 4099)  // 82k arm-visits: above ParallelRows.serialWork, so threads run
    #expect(s * k >= ParallelRows.serialWork)
    var rows = Rows(seed: 600)
    var logits: [Double] = []
    for _ in 0..<s { logits += rows.logits(k) }
    let advantages = rows.values(s * k)
    var parallel = logits
    var serial = logits
    var carries: [RowCarry?] = []
    var serialCarries = [RowCarry?](repeating: nil, count: s)
    for _ in 1...2 {
      let summary = parallel.withUnsafeMutableBufferPointer { z in
        advantages.withUnsafeBufferPointer { a in
          RowKernels.exactStepInPlace(
            logits: z, advantages: a, states: s, arms: k, learningRate: 0.5, natural: false, carries: &carries)
        }
      }
      for st in 0..<s {
        let r = st * k..<(st + 1) * k
        let one = serial.withUnsafeMutableBufferPointer { z in
          advantages.withUnsafeBufferPointer { a in
            RowKernels.exactStepInPlace(
              UnsafeMutableBufferPointer(rebasing: z[r]), advantages: UnsafeBufferPointer(rebasing: a[r]),
              learningRate: 0.5, natural: false, carry: &serialCarries[st])
          }
        }
        #expect(summary.perState[st] == one)
      }
      #expect(parallel == serial)
      #expect(carries == serialCarries)
    }
  }

  @Test("The fused step re-centres a row that drifts past the threshold, as Policy.apply does")
  func fusedRecentres() throws {
    let k = 40
    let big = Policy.recentreThreshold - 0.25
    var z = (0..<k).map { big + Double($0) / Double(k) }
    let a = (0..<k).map { $0 == k - 1 ? 1.0 : -1.0 }
    var policy = try Policy(states: 1, arms: k, logits: z)
    let step = try UpdateRule.npg.step(policy: policy, advantages: a, learningRate: 1)
    try policy.apply(step.delta)
    let r = z.withUnsafeMutableBufferPointer { zb in
      a.withUnsafeBufferPointer { RowKernels.exactStepInPlace(zb, advantages: $0, learningRate: 1, natural: true) }
    }
    #expect(abs(z.max() ?? 0) < 1)
    for i in 0..<k { #expect(abs(z[i] - policy.logits[i]) <= 1e-9) }
    #expect(close(r.entropyAfter, policy.entropy(state: 0), rel: 1e-9))
  }

  @Test("The fused step re-centres a row whose maximum falls below −2²⁰, as Policy.apply does")
  func fusedRecentresNegative() throws {
    let k = 40
    let low = -Policy.recentreThreshold - 2
    var z = (0..<k).map { low + Double($0) / Double(k) }
    let a = (0..<k).map { $0 == k - 1 ? 1.0 : -1.0 }
    var policy = try Policy(states: 1, arms: k, logits: z)
    // |Δz| ≤ 0.2: the maximum stays below −2²⁰ − 0.8.
    let step = try UpdateRule.npg.step(policy: policy, advantages: a, learningRate: 0.1)
    try policy.apply(step.delta)
    _ = z.withUnsafeMutableBufferPointer { zb in
      a.withUnsafeBufferPointer { RowKernels.exactStepInPlace(zb, advantages: $0, learningRate: 0.1, natural: true) }
    }
    #expect(policy.logits.max() == 0)
    #expect(z.max() == 0)
    // z − m of numbers near 2²⁰ (ulp 2.3e-10), with Δz added: both paths
    // round the same sums in possibly different orders.
    for i in 0..<k { #expect(abs(z[i] - policy.logits[i]) <= 1e-9) }
  }

  @Test("logSumExp and the log-probability shift keep the row maximum out of the rounding")
  func logSumExpShift() throws {
    for m in [1000.0, -1000, 3, -3, 600, -600, 511] {
      let z = [m, m - 1, -.infinity, m - 3]
      // log Σ e^z = m + log(1 + e^−1 + e^−3): the shift m is exact.
      let expected = m + log1p(exp(-1) + exp(-3))
      let lse = z.withUnsafeBufferPointer { RowKernels.logSumExp($0) }
      // One rounding of m + (≈0.35) and of the log: an ulp of m, plus 1e-16.
      expectClose(lse, expected, tolerance: m.ulp + 2e-16, "lse(\(m))")
      let (shift, logSum) = z.withUnsafeBufferPointer { RowKernels.logProbabilityShift($0) }
      // The documented split: shift 0 below |m| = 512, the maximum beyond.
      #expect(shift == (abs(m) < 512 ? 0 : m), "shift at \(m)")
      let logPi = z.map { ($0 - shift) - logSum }
      let reference = Reference.logSoftmax(z.map { $0 - m })
      // Beyond 512, z − m is exact and log π is good to an ulp or two of
      // its own size; below, z − lse rounds at the ulp of m (≤ 1.1e-13).
      let tolerance = abs(m) < 512 ? 2 * Swift.max(abs(m), 4).ulp : 4 * 4.0.ulp
      for i in [0, 1, 3] { expectClose(logPi[i], reference[i], tolerance: tolerance, "log π[\(i)] at \(m)") }
      #expect(logPi[2] == -.infinity)
    }
  }

  @Test("The entropy needs no clamp at 0: Σe ≥ 1 and Σe·(z − m) ≤ 0 by construction")
  func entropyIsNeverNegative() throws {
    // The proof in `RowKernels.entropy` rests on e⁰ = 1 exactly.
    #expect(VectorMath.expKernel(VectorMath.Vector(repeating: 0)) == VectorMath.Vector(repeating: 1))
    var g = SplitMix64(seed: 99)
    // Near one-hot rows, where a negative round-off would show, in every
    // lane position and with tails past the vector width.
    for k in [1, 2, 3, 17, 40] {
      for trial in 0..<50 {
        let top = TestRandom.uniform(-1e6, 1e6, using: &g)
        var z = (0..<k).map { _ in top - TestRandom.uniform(30, 800, using: &g) }
        z[trial % k] = top
        let h = z.withUnsafeBufferPointer { RowKernels.entropy($0) }
        #expect(h >= 0 && h.sign == .plus, "H = \(h) for \(z)")
        let d = [Double](repeating: 1, count: k)
        let moments = z.withUnsafeBufferPointer { zb in d.withUnsafeBufferPointer { RowKernels.moments(zb, $0) } }
        #expect(moments.entropy >= 0 && moments.entropy.sign == .plus)
      }
    }
  }

  @Test("A row with a single live arm has zero entropy and does not move")
  func fusedOneHot() {
    var z: [Double] = [-.infinity, 2, -.infinity]
    let a = [5.0, -1, 3]
    let r = z.withUnsafeMutableBufferPointer { zb in
      a.withUnsafeBufferPointer { RowKernels.exactStepInPlace(zb, advantages: $0, learningRate: 1, natural: false) }
    }
    #expect(r.entropyBefore == 0 && r.entropyAfter == 0 && r.firstOrder == 0)
    #expect(z[1] == 2 && z[0] == -.infinity && z[2] == -.infinity)
  }

  @Test("applyExactStep refuses non-finite input and leaves the policy unchanged")
  func applyExactStepRefuses() throws {
    var policy = try Policy(states: 2, arms: 3, logits: [0, 1, 2, 1, 1, 1])
    let original = policy
    #expect(throws: CoreError.nonFinite(what: "advantage")) {
      try policy.applyExactStep(.pg, advantages: [0, 1, .nan, 0, 0, 0], learningRate: 1)
    }
    #expect(throws: CoreError.shapeMismatch(expected: 6, got: 2)) {
      try policy.applyExactStep(.pg, advantages: [0, 1], learningRate: 1)
    }
    #expect(policy == original)
  }

  // MARK: The benchmark workload

  @Test("The workload's inputs are the NumPy peer's SplitMix64 numbers")
  func workloadInputs() {
    // splitmix64_uniform(1, 3) and (2, 3) in numpy_step.py, scaled as there.
    for i in 0..<3 {
      let u1 = Double(SplitMix64.mix(1 ^ UInt64(i)) >> 11) * 0x1p-53
      let u2 = Double(SplitMix64.mix(2 ^ UInt64(i)) >> 11) * 0x1p-53
      #expect(VocabularyWorkload.logit(i) == 6 * u1 - 3)
      #expect(VocabularyWorkload.advantage(i) == 2 * u2 - 1)
    }
    let buffer = VocabularyBenchmark.fill(count: 1000, seed: 1, scale: 6, offset: -3)
    defer { buffer.deallocate() }
    for i in [0, 1, 499, 999] { #expect(buffer[i] == VocabularyWorkload.logit(i)) }
  }

  @Test("A small benchmark run equals the plain reference, with and without carried sums", arguments: [true, false])
  func smallRun(carry: Bool) throws {
    let w = VocabularyWorkload(states: 3, arms: 37, steps: 3, learningRate: 0.5, carry: carry)
    let report = try VocabularyBenchmark.run(w)
    #expect(report.steps.count == 3)
    var z = (0..<(3 * 37)).map(VocabularyWorkload.logit)
    let a = (0..<(3 * 37)).map(VocabularyWorkload.advantage)
    for m in report.steps {
      var h0 = 0.0
      var h1 = 0.0
      var dh = 0.0
      var pred = 0.0
      for s in 0..<3 {
        let r = s * 37..<(s + 1) * 37
        let ref = Plain.step(Array(z[r]), Array(a[r]), eta: 0.5, natural: false)
        z.replaceSubrange(r, with: ref.z)
        h0 += ref.h0 / 3
        h1 += ref.h1 / 3
        dh += (ref.h1 - ref.h0) / 3
        pred += ref.firstOrder / 3
      }
      #expect(close(m.entropyBefore, h0))
      #expect(close(m.entropyAfter, h1))
      #expect(abs(m.entropyChange - dh) <= 1e-14)
      #expect(close(m.firstOrder, pred, rel: 1e-10))
      #expect(m.seconds >= 0)
    }
    #expect(report.medianSeconds >= 0)
  }

  @Test("A size that would not fit is refused before anything is allocated")
  func refusesHugeSizes() {
    let w = VocabularyWorkload(states: 1 << 20, arms: 1 << 20, steps: 1)
    #expect {
      _ = try VocabularyBenchmark.run(w)
    } throws: { error in
      guard case CoreError.tooLarge = error else { return false }
      return true
    }
    #expect(throws: CoreError.invalidSize(what: "steps", value: 0)) {
      _ = try VocabularyBenchmark.run(VocabularyWorkload(states: 1, arms: 1, steps: 0))
    }
  }

  @Test("ParallelRows visits every index exactly once")
  func parallelVisitsAll() {
    let n = 1000
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: n)
    counts.initialize(repeating: 0)
    defer { counts.deallocate() }
    let shared = SharedMutableBuffer(buffer: counts)
    ParallelRows.forEach(n, work: 1 << 30) { shared.buffer[$0] += 1 }
    #expect(counts.allSatisfy { $0 == 1 })
  }
}
