/// Vectorised `exp` and `log` on `SIMD16<Double>`, for the row kernels.
///
/// Both are branch-free over the whole double range, so a loop over a row
/// needs no scalar fallback:
/// - `exp`: Cody–Waite reduction x = n·ln 2 + r with |r| ≤ ½ ln 2, a
///   degree-11 polynomial for e^r (fit error below 1.3e-17 relative), then
///   a two-factor scaling by 2ⁿ so that subnormal results are rounded once.
///   −∞ → 0, x < −745.2 → 0, x > 709.79 → +∞, NaN → NaN.
/// - `log`: the fdlibm reduction x = 2ᵏ·m with m ∈ [√2/2, √2), s = f/(2+f)
///   and fdlibm's degree-14 odd polynomial (|error| < 1 ulp in fdlibm).
///   Subnormal inputs are rescaled by 2⁵⁴ first; 0 → −∞, x < 0 → NaN,
///   +∞ → +∞, NaN → NaN.
///
/// Accuracy (checked by KernelTests against Foundation over the range):
/// within a few ulp of the correctly rounded result.
///
/// Only floating-point adds and multiplies, compares, selects and logical
/// shifts are used, so the code vectorises on any SIMD target (SSE2, AVX2,
/// AVX-512, NEON) without gathers.
///
/// Every helper here is `@inline(__always)`, measured: the optimizer does
/// not inline even the one-line ones on its own (a SIMD16 argument is
/// passed indirectly, which its cost model counts against inlining), and
/// without the attribute the update loop makes 14 calls per vector and the
/// step runs 4× slower. `@usableFromInline` is not needed: nothing is
/// inlined across modules.
package enum VectorMath {
  /// The vector type of every kernel.
  ///
  /// 16 lanes, not the 8 of one AVX-512 register: LLVM splits each
  /// operation into two independent instructions, which gives the
  /// out-of-order core two `exp` chains to overlap (measured: a loop
  /// summing exps 2.3× faster than with SIMD8, a whole exact step 1.1–1.3×;
  /// SIMD32 is not specialised by the standard library and is 100× slower).
  package typealias Vector = SIMD16<Double>
  /// The bit patterns of a `Vector`.
  package typealias Bits = SIMD16<UInt64>
  /// Lanes per vector.
  package static let width = 16

  // Constants of the exponential.
  static let log2e = 1.442_695_040_888_963_4
  /// ln 2 split so that n·ln2Hi is exact for |n| < 2²⁰ (fdlibm's split).
  static let ln2Hi = 6.931_471_803_691_238_164_90e-01
  static let ln2Lo = 1.908_214_929_270_587_700_02e-10
  /// 1.5·2⁵²: adding it rounds a double of magnitude < 2⁵¹ to an integer.
  static let shifter = 6_755_399_441_055_744.0

  /// e^x lane by lane, over the whole double range.
  ///
  /// `@inline(__always)`: measured — as an out-of-line call the 64-byte
  /// argument and result go through four XMM registers each and the loops
  /// that call it run about 2× slower.
  @inline(__always)
  package static func exp(_ x: Vector) -> Vector {
    // Beyond these bounds every result is 0 or +∞; clamping keeps n within
    // the two-factor scaling's range. A NaN passes through (restored below).
    let xc = clamp(x, -746, 710)
    let t = fma(xc, log2e, shifter)
    let n = t - shifter  // round(x·log₂e), an exact integer
    let r = fma(n, -ln2Lo, fma(n, -ln2Hi, xc))  // |r| ≤ ½ ln 2 (+ rounding)
    let p = expm1Reduced(r)
    // 2ⁿ as 2^n1 · 2^n2 with n1 ∈ [−1020, 1023]: (1 + p)·2^n1 is normal, and
    // the second product rounds a subnormal result once.
    let n1 = clamp(n, -1020, 1023)
    let s1 = powerOfTwo(n1)
    let y = fma(p, s1, s1) * powerOfTwo(n - n1)
    return y.replacing(with: x, where: x .!= x)
  }

  /// e^x for the row kernels, whose arguments are logits minus (about) the
  /// row maximum: exact to the same accuracy as `exp` for x ∈ [−708, 709];
  /// 0 for x < −708 (including −∞, so masked-out arms vanish), where the
  /// true value is below 2.5e−308 and cannot move a sum that includes the
  /// row maximum's e⁰ = 1; saturates at e⁷⁰⁹ above 709. NaN is not handled.
  ///
  /// Single-factor scaling and no NaN fix-up: about 24 vector instructions
  /// with FMA against 34 for `exp` (measured 2.1× faster in a loop summing
  /// exps). `@inline(__always)` for the same reason as `exp`.
  @inline(__always)
  static func expKernel(_ x: Vector) -> Vector {
    let dead = x .< -708
    let xc = x.replacing(with: 709, where: x .> 709)
    let t = fma(xc, log2e, shifter)
    let n = t - shifter
    let r = fma(n, -ln2Lo, fma(n, -ln2Hi, xc))
    let p = expm1Reduced(r)
    // t's low mantissa bits hold n; n + 1023 shifted into the exponent field.
    let s = double((bits(t) &+ 1023) &<< 52)
    return fma(p, s, s).replacing(with: 0, where: dead)
  }

  /// e^r − 1 for |r| ≤ ½ ln 2 + 1e−6: r + r²·T(r) with T a degree-9
  /// Chebyshev fit (mpmath, 50 digits) to (e^r − 1 − r)/r², |error| 1.05e−16,
  /// so the relative error of 1 + p before rounding is below 1.3e−17.
  /// Estrin's scheme: depth 6 instead of Horner's 11.
  @inline(__always)
  static func expm1Reduced(_ r: Vector) -> Vector {
    let r2 = r * r
    let r4 = r2 * r2
    let r8 = r4 * r4
    let q1 = fma(r, 0.166_666_666_666_666_69, 0.500_000_000_000_000_1)
    let q2 = fma(r, 0.008_333_333_333_330_065, 0.041_666_666_666_624_164)
    let q3 = fma(r, 0.000_198_412_698_630_409_22, 0.001_388_888_891_719_720_9)
    let q4 = fma(r, 2.755_726_847_972_400_4e-06, 2.480_152_132_160_664_7e-05)
    let q5 = fma(r, 2.510_037_611_136_142e-08, 2.762_007_624_252_725_4e-07)
    let s0 = fma(q2, r2, q1)
    let s1 = fma(q4, r2, q3)
    let t0 = fma(s1, r4, s0)
    let t = fma(q5, r8, t0)
    return fma(t, r2, r)
  }

  /// e^d for |d| ≤ `smallLimit` = 2⁻⁸: the degree-5 Taylor polynomial
  /// (truncation d⁶/720 < 5e−18 relative), 5 FMAs. Used to update e^(z − c)
  /// by a small logit change without a full `exp`.
  @inline(__always)
  static func expSmall(_ d: Vector) -> Vector {
    var p = fma(d, 1.0 / 120, 1.0 / 24)
    p = fma(p, d, Vector(repeating: 1.0 / 6))
    p = fma(p, d, Vector(repeating: 0.5))
    p = fma(p, d, Vector(repeating: 1))
    return fma(p, d, Vector(repeating: 1))
  }

  /// The largest |d| for which `expSmall` is accurate.
  static let smallLimit = 0x1p-8

  /// a·b + c lane by lane: one fused instruction where the build enables
  /// FMA (`ENTROPY_FMA`, set with the target CPU in Package.swift; always on
  /// arm64), otherwise a multiply and an add (a libm call per lane would be
  /// 20× slower than either).
  @inline(__always)
  static func fma(_ a: Vector, _ b: Vector, _ c: Vector) -> Vector {
    #if ENTROPY_FMA || arch(arm64)
      return c.addingProduct(a, b)
    #else
      return a * b + c
    #endif
  }

  /// a·b + c with scalar b and c.
  @inline(__always)
  static func fma(_ a: Vector, _ b: Double, _ c: Double) -> Vector {
    fma(a, Vector(repeating: b), Vector(repeating: c))
  }

  /// a·b + c with scalar b.
  @inline(__always)
  static func fma(_ a: Vector, _ b: Double, _ c: Vector) -> Vector {
    fma(a, Vector(repeating: b), c)
  }

  /// max(min(v, hi), lo) lane by lane; NaN lanes stay NaN.
  ///
  /// Written with compares and selects, which compile to vmaxpd/vminpd:
  /// the standard library's `clamped`/`pointwiseMin` are not inlined and
  /// run lane by lane (measured: the whole `exp` 1.6× slower).
  @inline(__always)
  static func clamp(_ v: Vector, _ lo: Double, _ hi: Double) -> Vector {
    v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi)
  }

  /// 2ⁿ for integral doubles n in [−1022, 1023], from the exponent field.
  @inline(__always)
  static func powerOfTwo(_ n: Vector) -> Vector {
    // (n + 1023 + 1.5·2⁵²) holds n + 1023 in its low mantissa bits.
    let biased = bits(n + (shifter + 1023))
    return double(biased &<< 52)
  }

  /// The bit patterns of a vector of doubles.
  @inline(__always)
  static func bits(_ v: Vector) -> Bits {
    // Same size and lane layout: a plain reinterpretation.
    unsafeBitCast(v, to: Bits.self)
  }

  /// Doubles from bit patterns.
  @inline(__always)
  static func double(_ b: Bits) -> Vector {
    unsafeBitCast(b, to: Vector.self)
  }

  // Constants of the logarithm (fdlibm e_log.c).
  static let lg1 = 6.666_666_666_666_735_130e-01
  static let lg2 = 3.999_999_999_940_941_908e-01
  static let lg3 = 2.857_142_874_366_239_149e-01
  static let lg4 = 2.222_219_843_214_978_396e-01
  static let lg5 = 1.818_357_216_161_805_012e-01
  static let lg6 = 1.531_383_769_920_937_332e-01
  static let lg7 = 1.479_819_860_511_658_591e-01

  /// The natural logarithm lane by lane.
  ///
  /// `@inline(__always)` for the same reason as `exp`.
  @inline(__always)
  package static func log(_ x: Vector) -> Vector {
    // Subnormals: scale into the normal range and correct k by 54.
    let tiny = (x .< 0x1p-1022) .& (x .> 0)
    let xs = x.replacing(with: x * 0x1p54, where: tiny)
    let kBias = Vector(repeating: 0).replacing(with: 54, where: tiny)
    // Reduce: shift the exponent so the mantissa lands in [√2/2, √2).
    let ix = bits(xs) &+ (0x3FF0_0000_0000_0000 - 0x3FE6_A09E_0000_0000)
    let e = ix &>> 52  // biased exponent of x / (√2/2), 0 … 2047
    let m = double((ix & 0x000F_FFFF_FFFF_FFFF) &+ 0x3FE6_A09E_0000_0000)
    // k as a double without an int→double conversion instruction.
    let k = (double(e | 0x4330_0000_0000_0000) - (0x1p52 + 1023)) - kBias
    let f = m - 1
    let hfsq = 0.5 * f * f
    let s = f / (2 + f)
    let z = s * s
    let w = z * z
    let t1 = w * (lg2 + w * (lg4 + w * lg6))
    let t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
    let r = t2 + t1
    var y = s * (hfsq + r) + k * ln2Lo - hfsq + f + k * ln2Hi
    // Special values.
    y = y.replacing(with: -.infinity, where: x .== 0)
    y = y.replacing(with: .infinity, where: x .== .infinity)
    y = y.replacing(with: .nan, where: (x .< 0) .| (x .!= x))
    return y
  }

  /// e^x for one double through the vector code (lane 0).
  package static func exp(_ x: Double) -> Double { exp(Vector(repeating: x))[0] }

  /// log x for one double through the vector code (lane 0).
  package static func log(_ x: Double) -> Double { log(Vector(repeating: x))[0] }
}
