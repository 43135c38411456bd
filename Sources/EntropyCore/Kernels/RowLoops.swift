/// Loads, stores and the shared passes of the row kernels, on
/// `VectorMath.Vector` (16 doubles) with a padded last vector, so every
/// kernel runs the same vector code for K not a multiple of the width.
///
/// Conventions shared by every pass (see `RowKernels`):
/// - x = z − m with m the row maximum; e = e^x ∈ [0, 1] (`expKernel`, so a
///   logit of −∞ and any x < −708 give e = 0);
/// - xl = max(x, −750) stands for x in products with e: the lanes where
///   they differ have e = 0, and this keeps 0·(−∞) = NaN out of the sums;
/// - sums run over blocks of `blockVectors` vectors, then block totals are
///   added, which keeps the rounding error of a 150,000-term sum near that
///   of pairwise summation.
///
/// The small helpers are `@inline(__always)` for the reason given at
/// `VectorMath` (measured: otherwise they stay calls inside the loops).
enum RowLoops {
  typealias V = VectorMath.Vector

  /// Lanes per vector.
  static let width = VectorMath.width

  /// Arms per summation block (2,048 doubles, 16 KiB: stays in L1).
  static let block = 2048

  /// The vector at `p[i ..< i + width]`.
  @inline(__always)
  static func load(_ p: UnsafePointer<Double>, _ i: Int) -> V {
    UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
  }

  /// Stores `v` at `p[i ..< i + width]`.
  @inline(__always)
  static func store(_ v: V, _ p: UnsafeMutablePointer<Double>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V.self)
  }

  /// The `n` < width values at `p[i ..< i + n]`, padded with `fill`.
  static func loadTail(_ p: UnsafePointer<Double>, _ i: Int, _ n: Int, fill: Double) -> V {
    var v = V(repeating: fill)
    for j in 0..<n { v[j] = p[i + j] }
    return v
  }

  /// Stores the first `n` < width lanes of `v` at `p[i ..< i + n]`.
  static func storeTail(_ v: V, _ p: UnsafeMutablePointer<Double>, _ i: Int, _ n: Int) {
    for j in 0..<n { p[i + j] = v[j] }
  }

  /// Calls `body` with a pointer to a `width`-long copy of p[i ..< k]
  /// (k − i < width) padded with `fill`, so the last arms of a row run
  /// through the same loop as the others (each loop then has a single
  /// inlined `exp`). Returns what `body` returns and the copy as modified.
  static func withTail<R>(
    _ p: UnsafePointer<Double>, from i: Int, count k: Int, fill: Double,
    _ body: (UnsafeMutablePointer<Double>) -> R
  ) -> (result: R, tail: V) {
    var v = loadTail(p, i, k - i, fill: fill)
    // A SIMD16<Double> is 16 contiguous doubles.
    let r = withUnsafeMutablePointer(to: &v) { $0.withMemoryRebound(to: Double.self, capacity: width, body) }
    return (r, v)
  }

  /// Lane-wise maximum, ignoring NaN in `v` (like `for v in z where v > m`).
  @inline(__always)
  static func maxLanes(_ m: V, _ v: V) -> V {
    m.replacing(with: v, where: v .> m)
  }

  /// The largest value of `z` (NaN ignored), −∞ for an empty or all-−∞ row.
  static func maximum(_ z: UnsafePointer<Double>, count k: Int) -> Double {
    var m0 = V(repeating: -.infinity)
    var i = 0
    while i + width <= k {
      m0 = maxLanes(m0, load(z, i))
      i += width
    }
    if i < k { m0 = maxLanes(m0, loadTail(z, i, k - i, fill: -.infinity)) }
    return m0.max()
  }

  /// Σe, Σe·xl, Σe·w and max |w| over a row, for x = z − m (`w` may be
  /// nil: then the last two are 0). `w` is read only where z > −∞.
  ///
  /// This is the pass that gives the log-partition, the entropy and E_π w
  /// in one read of the row.
  struct ExpSums {
    /// Σ e^(z−m).
    var e: Double
    /// Σ e^(z−m)·(z − m).
    var ex: Double
    /// Σ e^(z−m)·w.
    var ew: Double
    /// max |w| over arms with z > −∞ (0 without w).
    var wMaxAbs: Double
  }

  static func expSums(
    _ z: UnsafePointer<Double>, _ w: UnsafePointer<Double>?, count k: Int, shift m: Double
  ) -> ExpSums {
    var te = V()
    var tx = V()
    var tw = V()
    var wMax = V()
    let full = k / width * width
    var i = 0
    while i < full {
      let end = min(full, i + block)
      var be = V()
      var bx = V()
      var bw = V()
      if let w {
        while i < end {
          let zv = load(z, i)
          let x = zv - m
          let e = VectorMath.expKernel(x)
          be += e
          bx = VectorMath.fma(e, clampLow(x), bx)
          // Arms with z = −∞ are outside the policy: their w is not read.
          let wv = load(w, i).replacing(with: 0, where: zv .== -.infinity)
          bw = VectorMath.fma(e, wv, bw)
          wMax = maxLanes(maxLanes(wMax, wv), -wv)
          i += width
        }
      } else {
        while i < end {
          let x = load(z, i) - m
          let e = VectorMath.expKernel(x)
          be += e
          bx = VectorMath.fma(e, clampLow(x), bx)
          i += width
        }
      }
      te += be
      tx += bx
      tw += bw
    }
    if full < k {
      let zv = loadTail(z, full, k - full, fill: -.infinity)
      let x = zv - m
      let e = VectorMath.expKernel(x)
      te += e
      tx = VectorMath.fma(e, clampLow(x), tx)
      if let w {
        let wv = loadTail(w, full, k - full, fill: 0).replacing(with: 0, where: zv .== -.infinity)
        tw = VectorMath.fma(e, wv, tw)
        wMax = maxLanes(maxLanes(wMax, wv), -wv)
      }
    }
    return ExpSums(e: te.sum(), ex: tx.sum(), ew: tw.sum(), wMaxAbs: wMax.max())
  }

  /// The row maximum m and the sums of `expSums(z, w, shift: m)` in one
  /// pass: each lane keeps its own running maximum and rescales its sums by
  /// e^(old − new) when it rises (about ln(K/16) times per lane on random
  /// rows, so the extra `exp` is rare), and the lanes are brought to the
  /// common maximum at the end. This saves the separate pass for the
  /// maximum, which for a row that is not in cache is a full read from
  /// memory. m is −∞ (and the sums 0) when every z is −∞.
  static func softmaxSums(
    _ z: UnsafePointer<Double>, _ w: UnsafePointer<Double>?, count k: Int
  ) -> (max: Double, sums: ExpSums) {
    // A finite "minus infinity": e^(lane max − new max) is then 0, never
    // NaN, for a lane that has seen no finite logit yet.
    var acc = OnlineSums(shift: V(repeating: -.greatestFiniteMagnitude))
    let full = k / width * width
    var i = 0
    while i < full {
      let end = min(full, i + block)
      onlineBlock(z, w, from: i, to: end, into: &acc)
      i = end
    }
    if full < k {
      _ = withTail(z, from: full, count: k, fill: -.infinity) { zq in
        if let w {
          _ = withTail(w, from: full, count: k, fill: 0) { wq in
            onlineBlock(zq, wq, from: 0, to: width, into: &acc)
          }
        } else {
          onlineBlock(zq, nil, from: 0, to: width, into: &acc)
        }
      }
    }
    let m = acc.shift.max()
    guard m > -.greatestFiniteMagnitude else { return (-.infinity, ExpSums(e: 0, ex: 0, ew: 0, wMaxAbs: 0)) }
    // Each lane's sums from its own shift s to m: Σe·(z − m) = Σe·(z − s) + (s − m)·Σe.
    // Clamped as in `onlineBlock`: a lane that saw no finite logit keeps
    // the shift −1.8e308, and −1.8e308 − m overflows to −∞ once m > ~1e292.
    let d = clampLow(acc.shift - m)
    let g = VectorMath.expKernel(d)
    let ex = g * VectorMath.fma(d, acc.e, acc.ex)
    return (m, ExpSums(e: (g * acc.e).sum(), ex: ex.sum(), ew: (g * acc.ew).sum(), wMaxAbs: acc.wMax.max()))
  }

  /// Per-lane sums relative to a per-lane running maximum (`softmaxSums`).
  struct OnlineSums {
    /// Each lane's running maximum.
    var shift: V
    /// Σe, Σe·(z − shift), Σe·w per lane.
    var e = V()
    var ex = V()
    var ew = V()
    /// max |w| per lane.
    var wMax = V()
  }

  /// `softmaxSums` over z[start ..< end] (a multiple of the width, at most
  /// one summation block). One loop, one `exp` on the common path.
  static func onlineBlock(
    _ z: UnsafePointer<Double>, _ w: UnsafePointer<Double>?, from start: Int, to end: Int,
    into acc: inout OnlineSums
  ) {
    var shift = acc.shift
    var te = acc.e
    var tx = acc.ex
    var tw = acc.ew
    var wMax = acc.wMax
    var be = V()
    var bx = V()
    var bw = V()
    let hasW = w != nil
    let wp = w ?? z  // read only when hasW
    var i = start
    while i < end {
      let zv = load(z, i)
      let up = zv .> shift
      if any(up) {
        // Rare: rescale this lane's sums to its new maximum.
        let next = shift.replacing(with: zv, where: up)
        // 0 in lanes that did not rise. Clamped: a lane rising from the
        // initial −1.8e308 to a logit beyond ~1e292 would give −∞, and
        // −∞ · Σe = NaN; e^d is 0 below −708 either way.
        let d = clampLow(shift - next)
        let f = VectorMath.expKernel(d)
        tx = f * VectorMath.fma(d, te, tx)
        bx = f * VectorMath.fma(d, be, bx)
        te *= f
        be *= f
        tw *= f
        bw *= f
        shift = next
      }
      let x = zv - shift
      let e = VectorMath.expKernel(x)
      be += e
      bx = VectorMath.fma(e, clampLow(x), bx)
      if hasW {
        let wv = load(wp, i).replacing(with: 0, where: zv .== -.infinity)
        bw = VectorMath.fma(e, wv, bw)
        wMax = maxLanes(maxLanes(wMax, wv), -wv)
      }
      i += width
    }
    acc = OnlineSums(shift: shift, e: te + be, ex: tx + bx, ew: tw + bw, wMax: wMax)
  }

  /// max(x, −750): finite wherever e^x = 0 might multiply it.
  @inline(__always)
  static func clampLow(_ x: V) -> V {
    x.replacing(with: -750, where: x .< -750)
  }
}
