import Foundation

/// The per-state (one softmax row) kernels that every caller uses: exact
/// steps, predictions, sampled updates and the benchmark.
///
/// Conventions: a row is K logits `z`; π = softmax(z); f = log π; a logit of
/// −∞ has π = 0 and contributes nothing to any π-weighted sum (0·log 0 = 0).
///
/// Every kernel is vectorised on `SIMD16<Double>` (see `VectorMath` and
/// `RowLoops`): one pass finds the row maximum m together with Σe, Σe·(z − m)
/// and Σe·w for e = e^(z − m) (a running maximum per lane), and each further
/// pass evaluates e in registers and accumulates what it needs, with
/// π = e / Σe and log π = (z − m) − log Σe. So the entropy, E_π of any
/// vector and the log-partition come out of a single pass, and centred
/// second moments out of one more. K need not be a multiple of
/// the vector width (the last vector is padded with −∞ logits).
///
/// The fused exact step used by the benchmark and by whole-policy updates is
/// `exactStepInPlace` (Kernels/ExactStepKernel.swift).
package enum RowKernels {
  /// log Σ_a exp(z_a), computed as m + log Σ exp(z_a − m) with m = max z.
  package static func logSumExp(_ z: UnsafeBufferPointer<Double>) -> Double {
    guard let base = z.baseAddress else { return -.infinity }
    let (m, s) = RowLoops.softmaxSums(base, nil, count: z.count)
    guard m.isFinite else { return m }
    return m + log(s.e)
  }

  /// The split log π_a = (z_a − shift) − logSum used by `softmax`,
  /// `Policy.logProbabilities` and the PPO ratios of a sampled step (one
  /// form everywhere, so on-policy ratios are exactly 1).
  ///
  /// For a row maximum m with |m| < 2⁹ it is shift 0, logSum = lse =
  /// m + log Σe (the plain z − lse, accurate to ulp(512) ≈ 1.1e-13, and bit
  /// for bit what recorded notebooks were made with). Beyond, lse rounds to
  /// the ulp of m (2e-10 for logits near the re-centring threshold 2²⁰,
  /// enough to make Σπ miss 1 by 1e-11), so the shift is m itself:
  /// z − m is exact for every arm whose π is not negligible.
  package static func logProbabilityShift(_ z: UnsafeBufferPointer<Double>) -> (shift: Double, logSum: Double) {
    guard let base = z.baseAddress else { return (0, -.infinity) }
    let (m, s) = RowLoops.softmaxSums(base, nil, count: z.count)
    guard m.isFinite else { return (0, m) }
    return abs(m) < 512 ? (0, m + log(s.e)) : (m, log(s.e))
  }

  /// Writes π = softmax(z) into `out` (same count as `z`).
  ///
  /// Uses the full-range `VectorMath.exp`, so tiny probabilities come out
  /// subnormal rather than flushed to 0.
  package static func softmax(_ z: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    precondition(out.count >= z.count, "out must have one value per arm")
    guard let zp = z.baseAddress, let op = out.baseAddress else { return }
    // π = e^((z − shift) − logSum): see `logProbabilityShift` for why not
    // always e^(z − lse).
    let (shift, lse) = logProbabilityShift(z)
    let k = z.count
    let full = k / RowLoops.width * RowLoops.width
    softmaxLoop(zp, op, from: 0, to: full, shift: shift, logPartition: lse)
    if full < k {
      var o = RowLoops.V()
      _ = RowLoops.withTail(zp, from: full, count: k, fill: -.infinity) { zq in
        withUnsafeMutablePointer(to: &o) {
          $0.withMemoryRebound(to: Double.self, capacity: RowLoops.width) { oq in
            softmaxLoop(zq, oq, from: 0, to: RowLoops.width, shift: shift, logPartition: lse)
          }
        }
      }
      RowLoops.storeTail(o, op, full, k - full)
    }
  }

  /// out[i] = e^((z[i] − shift) − lse) for i in start..<end (a multiple of
  /// the width).
  static func softmaxLoop(
    _ zp: UnsafePointer<Double>, _ op: UnsafeMutablePointer<Double>, from start: Int, to end: Int,
    shift: Double, logPartition lse: Double
  ) {
    var i = start
    while i < end {
      RowLoops.store(VectorMath.exp((RowLoops.load(zp, i) - shift) - lse), op, i)
      i += RowLoops.width
    }
  }

  /// The entropy −Σ π log π of softmax(z), in nats.
  ///
  /// Computed as log Σe − Σ e·(z − m) / Σe with e = e^(z − m) (one pass).
  ///
  /// It is never negative, not even by round-off, so it needs no clamp at 0
  /// (one used to be here; it could never act). In `RowLoops.softmaxSums`:
  /// (1) Σe ≥ 1: the lane holding m adds e⁰ = `expKernel(0)` = 1 exactly
  /// (reduction n = 0, r = 0, p = 0, so fma(p, s, s) = s = 1) and every
  /// other term — e ≥ 0, rescale factors e^d ≥ 0 — is ≥ 0, and rounding
  /// is monotone, so no sum of them drops below 1; its rescale factor to m
  /// is e⁰ = 1 too. So log Σe ≥ log 1 = 0. (2) Σe·(z − m) ≤ 0: every
  /// x = z − shift is ≤ 0 (the shift is the running maximum; `clampLow`
  /// keeps it ≤ 0), each product e·x and rescale fma(d, Σe, Σex) with
  /// d ≤ 0 is ≤ 0 and scaled by a factor ≥ 0, and sums of terms ≤ 0 round
  /// to ≤ 0 (and start at +0, so all-zero sums are +0). So the quotient is
  /// ≤ 0 and log Σe − quotient ≥ 0, with sign +. NaN logits are rejected by
  /// `Policy`; a clamp would not have changed NaN anyway (max(NaN, 0) is
  /// NaN in Swift). `KernelTests.entropyIsNeverNegative` checks e⁰ = 1 and
  /// near one-hot rows.
  package static func entropy(_ z: UnsafeBufferPointer<Double>) -> Double {
    guard let base = z.baseAddress else { return 0 }
    let (m, s) = RowLoops.softmaxSums(base, nil, count: z.count)
    guard m.isFinite else { return 0 }
    return log(s.e) - s.ex / s.e
  }

  /// E_π[w] for π = softmax(z), in one pass (`RowLoops.softmaxSums`):
  /// Σ e·w / Σ e with e = e^(z − m). `w` is not read where z = −∞; 0 for a
  /// row with no finite logit.
  package static func expectation(_ z: UnsafeBufferPointer<Double>, _ w: UnsafeBufferPointer<Double>) -> Double {
    precondition(w.count == z.count, "w must have one value per arm")
    guard let zp = z.baseAddress, let wp = w.baseAddress else { return 0 }
    let (m, s) = RowLoops.softmaxSums(zp, wp, count: z.count)
    guard m.isFinite else { return 0 }
    return s.ew / s.e
  }

  /// Adds `d` to the live logits of one row in place (z = −∞ stays −∞ and
  /// its d is not looked at) and returns the row's new maximum, or nil —
  /// leaving `z` partly updated — if some live z + d or d is not finite.
  package static func addToLive(_ z: UnsafeMutableBufferPointer<Double>, _ d: UnsafeBufferPointer<Double>) -> Double? {
    precondition(d.count == z.count, "d must have one value per arm")
    guard let zp = z.baseAddress, let dp = d.baseAddress else { return -.infinity }
    let k = z.count
    let full = k / RowLoops.width * RowLoops.width
    var mv = RowLoops.V(repeating: -.infinity)
    // 0 in every lane while all is finite; x − x is NaN for ±∞ and NaN.
    var check = RowLoops.V()
    var i = 0
    while i < full {
      let zv = RowLoops.load(zp, i)
      let dv = RowLoops.load(dp, i)
      let dead = zv .== -.infinity
      let v = zv + dv
      check += ((dv - dv) + (v - v)).replacing(with: 0, where: dead)
      let out = v.replacing(with: -.infinity, where: dead)
      RowLoops.store(out, zp, i)
      mv = RowLoops.maxLanes(mv, out)
      i += RowLoops.width
    }
    var m = mv.max()
    for j in full..<k where zp[j] != -.infinity {
      let v = zp[j] + dp[j]
      guard dp[j].isFinite, v.isFinite else { return nil }
      zp[j] = v
      m = max(m, v)
    }
    guard check.sum() == 0 else { return nil }
    return m
  }

  /// Whether `addToLive(z, d)` would succeed: every live z + d, and its d,
  /// finite. Reads only; the same tests as `addToLive`.
  package static func liveSumIsFinite(_ z: UnsafeBufferPointer<Double>, _ d: UnsafeBufferPointer<Double>) -> Bool {
    precondition(d.count == z.count, "d must have one value per arm")
    guard let zp = z.baseAddress, let dp = d.baseAddress else { return true }
    let k = z.count
    let full = k / RowLoops.width * RowLoops.width
    var check = RowLoops.V()
    var i = 0
    while i < full {
      let zv = RowLoops.load(zp, i)
      let dv = RowLoops.load(dp, i)
      let v = zv + dv
      check += ((dv - dv) + (v - v)).replacing(with: 0, where: zv .== -.infinity)
      i += RowLoops.width
    }
    for j in full..<k where zp[j] != -.infinity {
      guard dp[j].isFinite, (zp[j] + dp[j]).isFinite else { return false }
    }
    return check.sum() == 0
  }

  /// π-weighted moments of f = log π and a direction d, at one row.
  package struct Moments: Sendable, Equatable {
    /// H = −E_π[f].
    package var entropy: Double
    /// E_π[d].
    package var meanD: Double
    /// Cov_π(f, d).
    package var covariance: Double
    /// Var_π(d).
    package var varianceD: Double
    /// E_π[(f − E f)(d − E d)²].
    package var thirdMoment: Double
    /// E_π[z], the mean logit (0 for a row with no finite logit).
    package var meanLogit: Double = 0
  }

  /// The π-weighted moments of log π and `d` for the row `z`: one pass for
  /// the means (E_π f, E_π d), one for the centred sums. `d` is not read
  /// where z = −∞.
  package static func moments(_ z: UnsafeBufferPointer<Double>, _ d: UnsafeBufferPointer<Double>) -> Moments {
    precondition(d.count == z.count, "d must have one value per arm")
    guard let zp = z.baseAddress, let dp = d.baseAddress else {
      return Moments(entropy: 0, meanD: 0, covariance: 0, varianceD: 0, thirdMoment: 0)
    }
    let k = z.count
    let (m, s) = RowLoops.softmaxSums(zp, dp, count: k)
    guard m.isFinite else { return Moments(entropy: 0, meanD: 0, covariance: 0, varianceD: 0, thirdMoment: 0) }
    let mu = s.ex / s.e  // E_π[z − m]; f − E f = (z − m) − mu
    let ed = s.ew / s.e
    let full = k / RowLoops.width * RowLoops.width
    var acc = centredSums(zp, dp, from: 0, to: full, shift: m, meanX: mu, meanD: ed)
    if full < k {
      let t = RowLoops.withTail(zp, from: full, count: k, fill: -.infinity) { zq in
        RowLoops.withTail(dp, from: full, count: k, fill: 0) { dq in
          centredSums(zq, dq, from: 0, to: RowLoops.width, shift: m, meanX: mu, meanD: ed)
        }.result
      }.result
      acc.cov += t.cov
      acc.vd += t.vd
      acc.third += t.third
    }
    let (cov, vd, third) = (acc.cov.sum(), acc.vd.sum(), acc.third.sum())
    return Moments(
      // H ≥ 0 without a clamp: see `entropy`.
      entropy: log(s.e) - mu, meanD: ed, covariance: cov / s.e, varianceD: vd / s.e,
      thirdMoment: third / s.e, meanLogit: m + mu)
  }

  /// Δz = η·(A − ā) or (η/Σe)·e·(A − ā) over [start, end) (a multiple of
  /// the width); 0 on dead arms.
  static func directionLoop(
    _ zp: UnsafePointer<Double>, _ ap: UnsafePointer<Double>, _ op: UnsafeMutablePointer<Double>,
    from start: Int, to end: Int, shift m: Double, meanA ea: Double, scale: Double, natural: Bool
  ) {
    var i = start
    while i < end {
      let zv = RowLoops.load(zp, i)
      let centred = (RowLoops.load(ap, i) - ea).replacing(with: 0, where: zv .== -.infinity)
      let w = natural ? RowLoops.V(repeating: scale) : scale * VectorMath.expKernel(zv - m)
      RowLoops.store(w * centred, op, i)
      i += RowLoops.width
    }
  }

  /// Centred π-weighted sums of `moments` (unnormalised: divide by Σe).
  struct CentredSums {
    /// Σ e·(x − E x)·(d − E d).
    var cov = RowLoops.V()
    /// Σ e·(d − E d)².
    var vd = RowLoops.V()
    /// Σ e·(x − E x)·(d − E d)².
    var third = RowLoops.V()
  }

  /// The centred sums over z[start ..< end] (a multiple of the width);
  /// dead arms have e = 0 and d := 0.
  static func centredSums(
    _ zp: UnsafePointer<Double>, _ dp: UnsafePointer<Double>, from start: Int, to end: Int,
    shift m: Double, meanX mu: Double, meanD ed: Double
  ) -> CentredSums {
    var cov = RowLoops.V()
    var vd = RowLoops.V()
    var third = RowLoops.V()
    var i = start
    while i < end {
      let zv = RowLoops.load(zp, i)
      let x = zv - m
      let e = VectorMath.expKernel(x)
      let fc = RowLoops.clampLow(x) - mu
      let dc = RowLoops.load(dp, i).replacing(with: 0, where: zv .== -.infinity) - ed
      let edc = e * dc
      cov = VectorMath.fma(edc, fc, cov)
      vd = VectorMath.fma(edc, dc, vd)
      third = VectorMath.fma(edc * dc, fc, third)
      i += RowLoops.width
    }
    return CentredSums(cov: cov, vd: vd, third: third)
  }

  /// The exact PG or NPG logit change of one row,
  /// Δz = η·w ⊙ (A − E_π A) with w = π (PG) or 1 (NPG); returns E_π A.
  /// Arms with z = −∞ get Δz = 0 and their advantage is not read.
  package static func exactDirection(
    _ z: UnsafeBufferPointer<Double>, advantages a: UnsafeBufferPointer<Double>,
    learningRate eta: Double, natural: Bool, into dz: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    precondition(a.count == z.count && dz.count == z.count, "A and Δz must have one value per arm")
    guard let zp = z.baseAddress, let ap = a.baseAddress, let op = dz.baseAddress else { return 0 }
    let k = z.count
    let (m, s) = RowLoops.softmaxSums(zp, ap, count: k)
    guard m.isFinite else {
      for i in 0..<k { op[i] = 0 }
      return 0
    }
    let ea = s.ew / s.e
    let scale = natural ? eta : eta / s.e
    let full = k / RowLoops.width * RowLoops.width
    directionLoop(zp, ap, op, from: 0, to: full, shift: m, meanA: ea, scale: scale, natural: natural)
    if full < k {
      var o = RowLoops.V()
      _ = RowLoops.withTail(zp, from: full, count: k, fill: -.infinity) { zq in
        RowLoops.withTail(ap, from: full, count: k, fill: 0) { aq in
          withUnsafeMutablePointer(to: &o) {
            $0.withMemoryRebound(to: Double.self, capacity: RowLoops.width) { oq in
              directionLoop(
                zq, aq, oq, from: 0, to: RowLoops.width, shift: m, meanA: ea, scale: scale, natural: natural)
            }
          }
        }
      }
      RowLoops.storeTail(o, op, full, k - full)
    }
    return ea
  }
}
