extension RowKernels {
  /// Cov_π(log π, d) for π = softmax(z + t·d): the integrand of the exact
  /// path integral on its own, finding the row maximum itself
  /// (`EntropyDynamics.predict` uses it for spans above 512, and the
  /// single-pass form below otherwise). `scratch` must hold K values; it
  /// is overwritten.
  ///
  /// Three passes over the row, one `exp` per arm (the row is in L1 or L2:
  /// the path integral evaluates it at every quadrature node):
  /// 1. z_t = z + t·d into `scratch`, and its maximum m (no `exp`);
  /// 2. e = e^(z_t − m) over `scratch`, in place, with Σe, Σe·x and Σe·d
  ///    for x = z_t − m;
  /// 3. the centred sum Σ e·(x − E x)·(d − E d), x recomputed from z and d.
  ///
  /// Arms with z = −∞ stay at π = 0 and their d is not read. Sums run in
  /// blocks of `RowLoops.block` arms, as in the other kernels. Returns 0
  /// for a row with no finite logit, and NaN if z + t·d overflows.
  package static func covarianceAlong(
    _ z: UnsafeBufferPointer<Double>, _ d: UnsafeBufferPointer<Double>, t: Double,
    scratch: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    precondition(d.count == z.count && scratch.count >= z.count, "d and scratch must have one value per arm")
    guard let zp = z.baseAddress, let dp = d.baseAddress, let sp = scratch.baseAddress else { return 0 }
    let k = z.count
    let w = RowLoops.width
    let full = k / w * w
    let tail = k - full

    // Pass 1: z_t and its maximum.
    var mv = RowLoops.V(repeating: -.infinity)
    var i = 0
    while i < full {
      let zt = along(RowLoops.load(zp, i), RowLoops.load(dp, i), t)
      RowLoops.store(zt, sp, i)
      mv = RowLoops.maxLanes(mv, zt)
      i += w
    }
    if tail > 0 {
      let zt = along(
        RowLoops.loadTail(zp, full, tail, fill: -.infinity), RowLoops.loadTail(dp, full, tail, fill: 0), t)
      RowLoops.storeTail(zt, sp, full, tail)
      mv = RowLoops.maxLanes(mv, zt)
    }
    let m = mv.max()
    guard m > -.infinity else { return 0 }
    guard m.isFinite else { return .nan }

    // Pass 2: e in place of z_t; Σe, Σe·x, Σe·d.
    var se = RowLoops.V()
    var sx = RowLoops.V()
    var sd = RowLoops.V()
    i = 0
    while i < full {
      let end = min(full, i + RowLoops.block)
      var be = RowLoops.V()
      var bx = RowLoops.V()
      var bd = RowLoops.V()
      while i < end {
        let x = RowLoops.load(sp, i) - m
        let e = VectorMath.expKernel(x)
        RowLoops.store(e, sp, i)
        be += e
        bx = VectorMath.fma(e, RowLoops.clampLow(x), bx)
        bd = VectorMath.fma(e, live(RowLoops.load(dp, i), where: RowLoops.load(zp, i)), bd)
        i += w
      }
      se += be
      sx += bx
      sd += bd
    }
    if tail > 0 {
      let x = RowLoops.loadTail(sp, full, tail, fill: -.infinity) - m
      let e = VectorMath.expKernel(x)
      RowLoops.storeTail(e, sp, full, tail)
      se += e
      sx = VectorMath.fma(e, RowLoops.clampLow(x), sx)
      let zv = RowLoops.loadTail(zp, full, tail, fill: -.infinity)
      sd = VectorMath.fma(e, live(RowLoops.loadTail(dp, full, tail, fill: 0), where: zv), sd)
    }
    let total = se.sum()
    let mu = sx.sum() / total
    let ed = sd.sum() / total

    // Pass 3: the centred cross sum.
    var cov = RowLoops.V()
    i = 0
    while i < full {
      let end = min(full, i + RowLoops.block)
      var bc = RowLoops.V()
      while i < end {
        let zv = RowLoops.load(zp, i)
        let dv = RowLoops.load(dp, i)
        let x = RowLoops.clampLow(along(zv, dv, t) - m)
        bc = VectorMath.fma(RowLoops.load(sp, i) * (x - mu), live(dv, where: zv) - ed, bc)
        i += w
      }
      cov += bc
    }
    if tail > 0 {
      let zv = RowLoops.loadTail(zp, full, tail, fill: -.infinity)
      let dv = RowLoops.loadTail(dp, full, tail, fill: 0)
      let x = RowLoops.clampLow(along(zv, dv, t) - m)
      let e = RowLoops.loadTail(sp, full, tail, fill: 0)
      cov = VectorMath.fma(e * (x - mu), live(dv, where: zv) - ed, cov)
    }
    return cov.sum() / total
  }

  /// The path integrand at `t` in a single pass, for the nodes of a path
  /// integral: Cov_{π_t}(log π_t, d) with the means E_t[z + t·d] and
  /// E_t[d] that centre the next node.
  ///
  /// One pass, no scratch: x = (z − top) + t·(d − high) ≤ 0 and e = e^x,
  /// with Σe, Σe·x′, Σe·d′ and Σe·x′·d′ for x′ = x − (gx − c), d′ = d − gd,
  /// c = top + t·high, and Cov = Σe·x′·d′/Σe − (Σe·x′/Σe)·(Σe·d′/Σe).
  /// Centred on guesses (`guess`: E[z + t·d] and E[d] near those at t, say
  /// the previous node's), the products lose no more digits than the
  /// two-pass centred form: the correction term is the small product of
  /// the guesses' errors. `top` and `high` are the largest live z and d:
  /// for t ≥ 0, c bounds max(z + t·d) from above by at most t·span, so
  /// for spans up to 512 (see `EntropyDynamics.predict`) the largest e is
  /// normal; and z − top and d − high are exact for the arms that matter,
  /// so logits far from 0 (up to the re-centring threshold 2²⁰) lose
  /// nothing to the shift. `covarianceAlong(_:_:t:scratch:)` finds the
  /// maximum itself. Dead arms (z = −∞) get e = 0 and their d is not read.
  static func covarianceAlong(
    _ z: UnsafeBufferPointer<Double>, _ d: UnsafeBufferPointer<Double>, t: Double, top: Double, high: Double,
    guess: (x: Double, d: Double)
  ) -> (covariance: Double, meanX: Double, meanD: Double) {
    precondition(d.count == z.count, "d must have one value per arm")
    guard let zp = z.baseAddress, let dp = d.baseAddress else { return (0, guess.x, guess.d) }
    let k = z.count
    let w = RowLoops.width
    let full = k / w * w
    let c = top + t * high
    let gx = guess.x - c
    let gd = guess.d
    var se = RowLoops.V()
    var sx = RowLoops.V()
    var sd = RowLoops.V()
    var sxd = RowLoops.V()
    var i = 0
    while i < full {
      let end = min(full, i + RowLoops.block)
      var be = RowLoops.V()
      var bx = RowLoops.V()
      var bd = RowLoops.V()
      var bxd = RowLoops.V()
      while i < end {
        let zv = RowLoops.load(zp, i)
        let dl = live(RowLoops.load(dp, i), where: zv)
        let x = (zv - top) + t * (dl - high)
        let e = VectorMath.expKernel(x)
        let ex = e * (RowLoops.clampLow(x) - gx)
        let dc = dl - gd
        be += e
        bx += ex
        bd = VectorMath.fma(e, dc, bd)
        bxd = VectorMath.fma(ex, dc, bxd)
        i += w
      }
      se += be
      sx += bx
      sd += bd
      sxd += bxd
    }
    if full < k {
      let zv = RowLoops.loadTail(zp, full, k - full, fill: -.infinity)
      let dl = live(RowLoops.loadTail(dp, full, k - full, fill: 0), where: zv)
      let x = (zv - top) + t * (dl - high)
      let e = VectorMath.expKernel(x)
      let ex = e * (RowLoops.clampLow(x) - gx)
      let dc = dl - gd
      se += e
      sx += ex
      sd = VectorMath.fma(e, dc, sd)
      sxd = VectorMath.fma(ex, dc, sxd)
    }
    let total = se.sum()
    guard total > 0, total.isFinite else { return (.nan, guess.x, guess.d) }
    let mx = sx.sum() / total
    let md = sd.sum() / total
    return (sxd.sum() / total - mx * md, mx + gx + c, md + gd)
  }

  /// The single-pass integrand with e^(z − top) already at hand (`cached`,
  /// as `planRow` leaves it): e^x = e^(z − top)·e^(t·(d − high)) with the
  /// second factor by `VectorMath.expSmall`, so a node costs no full exp.
  /// Otherwise the same sums, centring and result as
  /// `covarianceAlong(_:_:t:top:high:guess:)`.
  ///
  /// Requirements: every live |t·(d − high)| ≤ `VectorMath.smallLimit`
  /// (the caller's span high − low is at most 2⁻⁸ and t ∈ [0, 1]);
  /// `cached` holds e^(z − top) for every arm (0 on dead arms).
  static func covarianceAlong(
    cached e0: UnsafeBufferPointer<Double>, _ z: UnsafeBufferPointer<Double>, _ d: UnsafeBufferPointer<Double>,
    t: Double, top: Double, high: Double, guess: (x: Double, d: Double)
  ) -> (covariance: Double, meanX: Double, meanD: Double) {
    precondition(d.count == z.count && e0.count >= z.count, "d and the cache must have one value per arm")
    guard let zp = z.baseAddress, let dp = d.baseAddress, let ep = e0.baseAddress else {
      return (0, guess.x, guess.d)
    }
    let k = z.count
    let w = RowLoops.width
    let c = top + t * high
    let gx = guess.x - c
    let gd = guess.d
    var se = RowLoops.V()
    var sx = RowLoops.V()
    var sd = RowLoops.V()
    var sxd = RowLoops.V()
    var i = 0
    while i < k {
      let end = min(k, i + RowLoops.block)
      var be = RowLoops.V()
      var bx = RowLoops.V()
      var bd = RowLoops.V()
      var bxd = RowLoops.V()
      while i < end {
        // The last vector padded: z = −∞ (dead), d = 0, e = 0.
        let whole = i + w <= k
        let zv = whole ? RowLoops.load(zp, i) : RowLoops.loadTail(zp, i, k - i, fill: -.infinity)
        let dv = whole ? RowLoops.load(dp, i) : RowLoops.loadTail(dp, i, k - i, fill: 0)
        let ev = whole ? RowLoops.load(ep, i) : RowLoops.loadTail(ep, i, k - i, fill: 0)
        let dead = zv .== -.infinity
        let dl = dv.replacing(with: 0, where: dead)
        // 0 on dead arms (e = 0 there), so a large `high` cannot make
        // expSmall's polynomial infinite and 0·∞ a NaN.
        let step = (t * (dl - high)).replacing(with: 0, where: dead)
        let x = (zv - top) + step
        let e = ev * VectorMath.expSmall(step)
        let ex = e * (RowLoops.clampLow(x) - gx)
        let dc = dl - gd
        be += e
        bx += ex
        bd = VectorMath.fma(e, dc, bd)
        bxd = VectorMath.fma(ex, dc, bxd)
        i += w
      }
      se += be
      sx += bx
      sd += bd
      sxd += bxd
    }
    let total = se.sum()
    guard total > 0, total.isFinite else { return (.nan, guess.x, guess.d) }
    let mx = sx.sum() / total
    let md = sd.sum() / total
    return (sxd.sum() / total - mx * md, mx + gx + c, md + gd)
  }

  /// z + t·d, keeping −∞ (a dead arm's d, possibly non-finite, is ignored).
  @inline(__always)
  static func along(_ zv: RowLoops.V, _ dv: RowLoops.V, _ t: Double) -> RowLoops.V {
    (zv + t * dv).replacing(with: -.infinity, where: zv .== -.infinity)
  }

  /// d where z is a live logit, 0 on dead arms (z = −∞).
  @inline(__always)
  static func live(_ dv: RowLoops.V, where zv: RowLoops.V) -> RowLoops.V {
    dv.replacing(with: 0, where: zv .== -.infinity)
  }
}
