import Foundation

/// The row passes of the sampled GRPO benchmark (`GRPOBenchmark`): per
/// state, the softmax sums and the cdf for inverse-CDF sampling, then the
/// fused update with the first-order prediction and the new entropy. No
/// S × K temporary: each job has one K-long scratch row.
enum GRPORowKernels {
  typealias V = VectorMath.Vector

  /// The softmax of one row before the step.
  struct RowSoftmax {
    /// The row maximum m.
    var shift: Double
    /// Σ e^(z − m).
    var sumE: Double
    /// log Σ e^(z − m), so log π = (z − m) − logPartition.
    var logPartition: Double
    /// H(π) = logPartition − Σe·(z − m)/Σe.
    var entropy: Double
    /// Σe² and Σe²·(z − m): with Σe they give Σπ² and Σπ²·log π, the dense
    /// part of the first-order prediction (`GRPOBenchmark`, phase 3).
    var sumE2: Double
    var sumE2X: Double
    /// The largest logit of the row (m itself unless the row was updated
    /// in the same pass, `applyPass`).
    var maximum: Double

    init(shift: Double, sumE: Double, sumEX: Double, sumE2: Double, sumE2X: Double, maximum: Double) {
      self.shift = shift
      self.sumE = sumE
      logPartition = Foundation.log(sumE)
      entropy = logPartition - sumEX / sumE
      self.sumE2 = sumE2
      self.sumE2X = sumE2X
      self.maximum = maximum
    }
  }

  /// Stores e = e^(z − m) into `out` for the row maximum m and returns the
  /// softmax sums: one `exp` per arm, and one read of the row when its
  /// maximum is `known` (as the previous step's update leaves it), else a
  /// first read for the maximum.
  static func softmaxStoringExp(
    _ z: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, count k: Int, knownMaximum known: Double?
  ) -> RowSoftmax {
    let w = RowLoops.width
    let m = known ?? RowLoops.maximum(z, count: k)
    var te = V()
    var tx = V()
    var t2 = V()
    var t2x = V()
    let full = k / w * w
    var i = 0
    while i < full {
      let end = min(full, i + RowLoops.block)
      var be = V()
      var bx = V()
      var b2 = V()
      var b2x = V()
      while i < end {
        let x = RowLoops.load(z, i) - m
        let e = VectorMath.expKernel(x)
        RowLoops.store(e, out, i)
        let xl = RowLoops.clampLow(x)
        let e2 = e * e
        be += e
        bx = VectorMath.fma(e, xl, bx)
        b2 += e2
        b2x = VectorMath.fma(e2, xl, b2x)
        i += w
      }
      te += be
      tx += bx
      t2 += b2
      t2x += b2x
    }
    if full < k {
      let x = RowLoops.loadTail(z, full, k - full, fill: -.infinity) - m
      let e = VectorMath.expKernel(x)
      RowLoops.storeTail(e, out, full, k - full)
      let xl = RowLoops.clampLow(x)
      te += e
      tx = VectorMath.fma(e, xl, tx)
      t2 += e * e
      t2x = VectorMath.fma(e * e, xl, t2x)
    }
    return RowSoftmax(
      shift: m, sumE: te.sum(), sumEX: tx.sum(), sumE2: t2.sum(), sumE2X: t2x.sum(), maximum: m)
  }

  /// A row's update left pending by the previous step (`applyPass`): the
  /// shift, 1/Σe and the scale c = η/N and total weight W of that step.
  struct PendingUpdate: Sendable {
    var shift: Double
    var inverseSum: Double
    var scale: Double
    var weight: Double
  }

  /// Applies a pending update Δz = c·(sc − W·π) to the row in place (π from
  /// the logits before it, exactly as `update` computes it) and, in the same
  /// pass, stores e′ = e^(z′ − m) of the updated row into `out` with its
  /// softmax sums (shift m kept: e′ = e·e^Δz, by `expSmall` at the arms
  /// without tokens, whose |Δz| the caller bounded by 2⁻⁸, and by the full
  /// `exp` at the sampled arms afterwards). One read and one write of the
  /// row and one `exp` per arm for both the update and the next step's
  /// softmax. On return every entry of `sc` at `tokenArms` is 0 again.
  static func applyPass(
    _ z: UnsafeMutablePointer<Double>, scatter sc: UnsafeMutablePointer<Double>, count k: Int,
    pending u: PendingUpdate, into out: UnsafeMutablePointer<Double>, tokenArms: UnsafeBufferPointer<Int32>
  ) -> RowSoftmax {
    let w = RowLoops.width
    let (m, invS, c, weight) = (u.shift, u.inverseSum, u.scale, u.weight)
    var te = V()
    var tx = V()
    var t2 = V()
    var t2x = V()
    var top = V(repeating: -.infinity)
    @inline(__always) func body(
      _ zp: UnsafeMutablePointer<Double>, _ sp: UnsafePointer<Double>, _ op: UnsafeMutablePointer<Double>, _ i: Int
    ) -> (V, V, V, V, V) {
      let zv = RowLoops.load(zp, i)
      let e = VectorMath.expKernel(zv - m)
      let p = e * invS
      let scv = RowLoops.load(sp, i)
      let dz = c * (scv - weight * p)
      let zn = zv + dz
      RowLoops.store(zn, zp, i)
      let en = (e * VectorMath.expSmall(dz)).replacing(with: 0, where: scv .!= 0)
      RowLoops.store(en, op, i)
      let xl = RowLoops.clampLow(zn - m)
      let e2 = en * en
      return (en, en * xl, e2, e2 * xl, zn)
    }
    let full = k / w * w
    var i = 0
    while i < full {
      let end = min(full, i + RowLoops.block)
      var be = V()
      var bx = V()
      var b2 = V()
      var b2x = V()
      while i < end {
        let (a1, a2, a3, a4, zn) = body(z, sc, out, i)
        top = RowLoops.maxLanes(top, zn)
        be += a1
        bx += a2
        b2 += a3
        b2x += a4
        i += w
      }
      te += be
      tx += bx
      t2 += b2
      t2x += b2x
    }
    if full < k {
      var zt = RowLoops.loadTail(z, full, k - full, fill: -.infinity)
      var st = RowLoops.loadTail(sc, full, k - full, fill: 0)
      var ot = V()
      withUnsafeMutablePointer(to: &zt) { zq in
        zq.withMemoryRebound(to: Double.self, capacity: w) { zd in
          withUnsafeMutablePointer(to: &st) { sq in
            sq.withMemoryRebound(to: Double.self, capacity: w) { sd in
              withUnsafeMutablePointer(to: &ot) { oq in
                oq.withMemoryRebound(to: Double.self, capacity: w) { od in
                  let (a1, a2, a3, a4, zn) = body(zd, sd, od, 0)
                  top = RowLoops.maxLanes(top, zn)
                  te += a1
                  tx += a2
                  t2 += a3
                  t2x += a4
                }
              }
            }
          }
        }
      }
      RowLoops.storeTail(zt, z, full, k - full)
      RowLoops.storeTail(ot, out, full, k - full)
    }
    var sumE = te.sum()
    var sumEX = tx.sum()
    var sumE2 = t2.sum()
    var sumE2X = t2x.sum()
    // The arms with tokens, each once (sc is cleared as it is read).
    for a32 in tokenArms {
      let a = Int(a32)
      guard sc[a] != 0 else { continue }
      sc[a] = 0
      let x = z[a] - m
      let e = Foundation.exp(x)
      out[a] = e
      sumE += e
      sumEX += e * x
      sumE2 += e * e
      sumE2X += e * e * x
    }
    return RowSoftmax(shift: m, sumE: sumE, sumEX: sumEX, sumE2: sumE2, sumE2X: sumE2X, maximum: top.max())
  }

  /// Writes the running sum of π = e·scale, left to right, into `p`.
  ///
  /// Four independent running sums over the row's quarters (a single
  /// chain is one dependent add per arm, about 4 cycles each), then each
  /// quarter is offset by the cdf at the end of the one before. The result
  /// is non-decreasing; its rounding differs from a single left-to-right
  /// sum by a few ulp of the partial sums, as the exps' last bits do.
  static func cumulate(
    _ e: UnsafePointer<Double>, into p: UnsafeMutablePointer<Double>, count k: Int, scale: Double
  ) {
    let q = k / 4
    var c0 = 0.0
    var c1 = 0.0
    var c2 = 0.0
    var c3 = 0.0
    for j in 0..<q {
      c0 += e[j] * scale
      p[j] = c0
      c1 += e[q + j] * scale
      p[q + j] = c1
      c2 += e[2 * q + j] * scale
      p[2 * q + j] = c2
      c3 += e[3 * q + j] * scale
      p[3 * q + j] = c3
    }
    for j in 4 * q..<k {
      c3 += e[j] * scale
      p[j] = c3
    }
    guard q > 0 else { return }
    for (from, to) in [(q, 2 * q), (2 * q, 3 * q), (3 * q, k)] {
      let offset = p[from - 1]
      for j in from..<to { p[j] = offset + p[j] }
    }
  }

  /// Buckets of the guide table for K arms: the power of two in
  /// [K/64, K/32) (at least 1), about one bucket per 2–4 vectors of arms.
  static func guideBuckets(arms k: Int) -> Int {
    var b = 1
    while b * 32 < k { b *= 2 }
    return max(1, b / 2)
  }

  /// The guide table of a cdf (after Chen & Asau's inverse-CDF table, by
  /// vectors): guide[b] = the first arm of the first `width`-long vector
  /// whose last cdf exceeds b/B (K if none), which is never after the first
  /// arm whose cdf exceeds b/B. B is a power of two, so b/B and v·B are
  /// exact. One comparison per vector, not per arm.
  static func buildGuide(
    _ cdf: UnsafePointer<Double>, count k: Int, into guide: UnsafeMutablePointer<Int32>, buckets: Int
  ) {
    let w = RowLoops.width
    let inverse = 1 / Double(buckets)
    var b = 0
    var threshold = 0.0
    var start = 0
    while start < k && b < buckets {
      let last = cdf[min(start + w, k) - 1]
      while b < buckets && threshold < last {
        guide[b] = Int32(start)
        b += 1
        threshold = Double(b) * inverse
      }
      start += w
    }
    while b < buckets {
      guide[b] = Int32(k)
      b += 1
    }
  }

  /// The number of entries of the non-decreasing `cdf` that are ≤ v, for
  /// v in [0, 1) (NumPy's `searchsorted(cdf, v, side="right")`): from the
  /// guide entry of v's bucket (b/B ≤ v, so the answer is not before it),
  /// a vector at a time while all of its entries are ≤ v, then the count
  /// of entries ≤ v in the vector that ends the run.
  @inline(__always)
  static func search(
    _ cdf: UnsafePointer<Double>, count k: Int, guide: UnsafePointer<Int32>, buckets: Int, _ v: Double
  ) -> Int {
    let w = RowLoops.width
    var a = Int(guide[min(Int(v * Double(buckets)), buckets - 1)])
    let vv = V(repeating: v)
    while a + w <= k {
      let below = RowLoops.load(cdf, a) .<= vv
      if !all(below) {
        // Monotone, so the lanes ≤ v lead the vector: a + their count.
        return a + Int(SIMD16<Int64>(repeating: 1).replacing(with: 0, where: .!below).wrappedSum())
      }
      a += w
    }
    while a < k && cdf[a] <= v { a += 1 }
    return a
  }

  /// The result of one row's update.
  struct RowUpdate {
    /// H(π′) after the step.
    var entropyAfter: Double
    /// −Cov_π(log π, Δz).
    var firstOrder: Double
    /// The largest logit of the updated row.
    var maximum: Double
  }

  /// Applies Δz = c·(sc − W·π) to the row in place, where `sc` is the
  /// row's scatter of token weights (zero except at sampled arms) and W
  /// their total, and returns −Cov_π(log π, Δz) and the entropy after.
  ///
  /// One pass in the common case: e = e^(z − m) is recomputed, the sums
  /// S1 = Σπ·(log π − E log π)·Δz, S2 = Σπ·(log π − E log π) and
  /// S3 = Σπ·Δz give the covariance S1 − S3·S2 (S2 is 0 up to rounding, so
  /// nothing cancels), and e′ = e·e^Δz comes from `expSmall` at the arms
  /// without tokens, whose |Δz| = c·|W|·π ≤ c·|W|/Σe is checked to be at
  /// most 2⁻⁸; the arms with tokens (sc ≠ 0) are left out of that pass and
  /// added afterwards with the full `exp`. When the bound fails, the new
  /// row's sums take a second pass (`RowLoops.softmaxSums`).
  ///
  /// On return every entry of `sc` at the row's token arms is 0 again.
  static func update(
    _ z: UnsafeMutablePointer<Double>, scatter sc: UnsafeMutablePointer<Double>, count k: Int,
    softmax s: RowSoftmax, total weight: Double, scale c: Double, tokenArms: UnsafeBufferPointer<Int32>,
    sparseBound: Double
  ) -> RowUpdate {
    let w = RowLoops.width
    let m = s.shift
    let invS = 1 / s.sumE
    let logZ = s.logPartition
    let meanLog = -s.entropy  // E_π log π
    let cw = c * weight
    // π ≤ e^(max z − m)/Σe: m is the maximum itself unless the row was
    // last updated by `applyPass`, which keeps the previous shift.
    let above = max(0, s.maximum - m)
    let fast = abs(cw) * invS * Foundation.exp(above) <= VectorMath.smallLimit && abs(c) * sparseBound + above <= 700
    var t1 = V()
    var t2 = V()
    var t3 = V()
    var te = V()
    var tx = V()
    var top = V(repeating: -.infinity)
    @inline(__always) func body(_ zp: UnsafeMutablePointer<Double>, _ sp: UnsafePointer<Double>, _ i: Int) -> (
      V, V, V, V, V, V
    ) {
      let zv = RowLoops.load(zp, i)
      let x = zv - m
      let e = VectorMath.expKernel(x)
      let p = e * invS
      let d = (RowLoops.clampLow(x) - logZ) - meanLog
      let scv = RowLoops.load(sp, i)
      let dz = c * (scv - weight * p)
      let zn = zv + dz
      RowLoops.store(zn, zp, i)
      let pd = p * d
      let en = (e * VectorMath.expSmall(dz)).replacing(with: 0, where: scv .!= 0)
      return (pd * dz, pd, p * dz, en, en * RowLoops.clampLow(zn - m), zn)
    }
    let full = k / w * w
    var i = 0
    while i < full {
      let end = min(full, i + RowLoops.block)
      var b1 = V()
      var b2 = V()
      var b3 = V()
      var be = V()
      var bx = V()
      while i < end {
        let (a1, a2, a3, ae, ax, zn) = body(z, sc, i)
        top = RowLoops.maxLanes(top, zn)
        b1 += a1
        b2 += a2
        b3 += a3
        be += ae
        bx += ax
        i += w
      }
      t1 += b1
      t2 += b2
      t3 += b3
      te += be
      tx += bx
    }
    if full < k {
      var zt = RowLoops.loadTail(z, full, k - full, fill: -.infinity)
      let st = RowLoops.loadTail(sc, full, k - full, fill: 0)
      withUnsafeMutablePointer(to: &zt) { zq in
        zq.withMemoryRebound(to: Double.self, capacity: w) { zd in
          var stv = st
          withUnsafeMutablePointer(to: &stv) { sq in
            sq.withMemoryRebound(to: Double.self, capacity: w) { sd in
              let (a1, a2, a3, ae, ax, zn) = body(zd, sd, 0)
              top = RowLoops.maxLanes(top, zn)
              t1 += a1
              t2 += a2
              t3 += a3
              te += ae
              tx += ax
            }
          }
        }
      }
      RowLoops.storeTail(zt, z, full, k - full)
    }
    let firstOrder = -(t1.sum() - t3.sum() * t2.sum())
    var sumE = te.sum()
    var sumEX = tx.sum()
    let entropyAfter: Double
    if fast {
      // The arms with tokens, each once (sc is cleared as it is read).
      for a32 in tokenArms {
        let a = Int(a32)
        guard sc[a] != 0 else { continue }
        sc[a] = 0
        let x = z[a] - m
        let e = Foundation.exp(x)
        sumE += e
        sumEX += e * x
      }
      entropyAfter = Foundation.log(sumE) - sumEX / sumE
    } else {
      for a32 in tokenArms { sc[Int(a32)] = 0 }
      let (_, sums) = RowLoops.softmaxSums(z, nil, count: k)
      sumE = sums.e
      sumEX = sums.ex
      entropyAfter = Foundation.log(sumE) - sumEX / sumE
    }
    return RowUpdate(entropyAfter: entropyAfter, firstOrder: firstOrder, maximum: top.max())
  }
}
