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
@usableFromInline enum RowLoops {
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

  /// max(x, −750): finite wherever e^x = 0 might multiply it.
  @inline(__always)
  static func clampLow(_ x: V) -> V {
    x.replacing(with: -750, where: x .< -750)
  }
}
