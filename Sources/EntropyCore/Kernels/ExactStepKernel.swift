import Foundation

/// What one fused exact step did to one state.
package struct RowStepResult: Sendable, Equatable {
  /// H(π) before the step, in nats.
  package var entropyBefore: Double
  /// H(π) after the step.
  package var entropyAfter: Double
  /// The first-order prediction of the change, −Cov_π(log π, Δz) (Lemma 1).
  package var firstOrder: Double
  /// E_π A before centring.
  package var meanAdvantage: Double

  /// The actual change H(after) − H(before).
  package var entropyChange: Double { entropyAfter - entropyBefore }

  /// A row left unchanged (no finite logit, or K = 0).
  static let unchanged = RowStepResult(entropyBefore: 0, entropyAfter: 0, firstOrder: 0, meanAdvantage: 0)
}

/// The softmax sums of one row that the next exact step needs, as left by
/// the step that wrote the row: with e = e^(z − shift) over the stored
/// logits, Σe, Σe·(z − shift) and Σe·A.
///
/// Carrying them lets the next step skip the passes that would recompute
/// them, so a step reads its row once. They are exact sums of the stored
/// row, not an approximation; they are valid only while neither the row's
/// logits nor its advantages change between the two steps.
package struct RowCarry: Sendable, Equatable {
  /// The shift c (within 1 of the row maximum).
  package var shift: Double
  /// Σ e^(z − c).
  package var sumE: Double
  /// Σ e^(z − c)·(z − c).
  package var sumEX: Double
  /// Σ e^(z − c)·A over arms with z > −∞.
  package var sumEA: Double
  /// max z.
  package var maxLogit: Double
  /// max |A| over arms with z > −∞ (bounds the next step's |Δz|).
  package var largestAdvantage: Double
}

extension RowKernels {
  /// One exact PG (Δz = η·π ⊙ (A − E_π A)) or NPG (Δz = η·(A − E_π A))
  /// step of one row, applied to `z` in place, with the entropy before and
  /// after and the first-order prediction −Cov_π(log π, Δz); no K-sized
  /// temporary.
  ///
  /// The same numbers as `exactDirection`, then `Policy.apply` and
  /// `EntropyDynamics.predict(...).firstOrder`, including re-centring a
  /// row whose largest logit passes ±`Policy.recentreThreshold`.
  package static func exactStepInPlace(
    _ z: UnsafeMutableBufferPointer<Double>, advantages a: UnsafeBufferPointer<Double>,
    learningRate eta: Double, natural: Bool
  ) -> RowStepResult {
    var carry: RowCarry? = nil
    return exactStepInPlace(z, advantages: a, learningRate: eta, natural: natural, carry: &carry)
  }

  /// The fused exact step with carried sums (see the overload above).
  ///
  /// Passes over the row:
  /// 1. without a carry: m = max z and Σe, Σe·(z − m), Σe·A with
  ///    e = e^(z − m) in one pass (`RowLoops.softmaxSums`): log Σe, H before,
  ///    E_π A;
  /// 2. the update, one read of z and A and one write of z: e from z,
  ///    Δz from e, z += Δz, Σe·(x − E x)·Δz (the covariance, centred on
  ///    log π's mean so that it loses no digits), and the sums above for the
  ///    updated row, with e′ = e·e^(Δz) by `VectorMath.expSmall` when
  ///    |Δz| ≤ 2⁻⁸ is guaranteed beforehand (|Δz| ≤ |η|·max e·max|A − ā|/Σe
  ///    for PG); otherwise one more pass with the full exp.
  ///
  /// On return `carry` holds the updated row's sums, so the next step of
  /// the same row with the same advantages skips pass 1: each row is then
  /// read from memory once per step. Pass nil to start from scratch.
  ///
  /// Requirements: `advantages` finite and as many as `z`; `eta` finite
  /// (callers validate; nothing here allocates or throws). Arms with
  /// z = −∞ stay −∞ and their advantage does not enter E_π A.
  package static func exactStepInPlace(
    _ z: UnsafeMutableBufferPointer<Double>, advantages a: UnsafeBufferPointer<Double>,
    learningRate eta: Double, natural: Bool, carry: inout RowCarry?
  ) -> RowStepResult {
    precondition(a.count == z.count, "A must have one value per arm")
    guard let zp = z.baseAddress, let ap = a.baseAddress else {
      carry = nil
      return .unchanged
    }
    let k = z.count
    let before: RowCarry
    if let c = carry {
      before = c
    } else {
      let (m, s) = RowLoops.softmaxSums(zp, ap, count: k)
      guard m.isFinite else {
        carry = nil
        return .unchanged
      }
      before = RowCarry(
        shift: m, sumE: s.e, sumEX: s.ex, sumEA: s.ew, maxLogit: m, largestAdvantage: s.wMaxAbs)
    }
    let c = before.shift
    let mu = before.sumEX / before.sumE  // E_π[z − c]; log π − E log π = (z − c) − mu
    let entropyBefore = max(log(before.sumE) - mu, 0)
    let ea = before.sumEA / before.sumE
    let scale = natural ? eta : eta / before.sumE
    // |Δz| ≤ |scale|·max e·max|A − ā|, with e ≤ e^(max z − c): within
    // expSmall's range, the pass also sums the updated row.
    let largestE = natural ? 1 : Foundation.exp(min(before.maxLogit - c, 700))
    let bound = abs(scale) * largestE * (before.largestAdvantage + abs(ea))
    let sumsAfter = bound <= VectorMath.smallLimit

    var acc = UpdateSums()
    let width = RowLoops.width
    let full = k / width * width
    var i = 0
    while i < full {
      let end = min(full, i + RowLoops.block)
      updateBlock(
        zp, ap, from: i, to: end, shift: c, meanX: mu, meanA: ea, scale: scale, natural: natural,
        sumsAfter: sumsAfter, into: &acc)
      i = end
    }
    if full < k {
      // The last k − full arms through a padded copy, then copied back.
      var zt = RowLoops.loadTail(zp, full, k - full, fill: -.infinity)
      let at = RowLoops.loadTail(ap, full, k - full, fill: 0)
      withUnsafeMutableBytes(of: &zt) { zb in
        withUnsafeBytes(of: at) { ab in
          guard let zq = zb.baseAddress?.assumingMemoryBound(to: Double.self),
            let aq = ab.baseAddress?.assumingMemoryBound(to: Double.self)
          else { return }
          updateBlock(
            zq, aq, from: 0, to: width, shift: c, meanX: mu, meanA: ea, scale: scale, natural: natural,
            sumsAfter: sumsAfter, into: &acc)
        }
      }
      RowLoops.storeTail(zt, zp, full, k - full)
    }

    let covariance = acc.cov.sum() / before.sumE
    let newMax = acc.max.max()
    var after = RowCarry(
      shift: c, sumE: acc.e.sum(), sumEX: acc.ex.sum(), sumEA: acc.ea.sum(), maxLogit: newMax,
      largestAdvantage: before.largestAdvantage)
    // Without the sums of the updated row (|Δz| possibly beyond expSmall's
    // range), or when the shift has drifted more than 1 from the new
    // maximum (digits at risk), one more pass; never at the benchmark's
    // sizes, where |Δz| < 1e-4.
    if !sumsAfter || !(abs(newMax - c) <= 1) {
      let shift = abs(newMax - c) <= 1 ? c : newMax
      let s = RowLoops.expSums(zp, ap, count: k, shift: shift)
      after = RowCarry(
        shift: shift, sumE: s.e, sumEX: s.ex, sumEA: s.ew, maxLogit: newMax, largestAdvantage: s.wMaxAbs)
    }
    let entropyAfter = max(log(after.sumE) - after.sumEX / after.sumE, 0)
    if abs(newMax) > Policy.recentreThreshold {
      recentre(z, by: newMax)
      after.shift -= newMax  // z − shift, and so every sum, is unchanged
      after.maxLogit = 0
    }
    carry = after.sumE.isFinite && after.sumE > 0 ? after : nil
    return RowStepResult(
      entropyBefore: entropyBefore, entropyAfter: entropyAfter, firstOrder: -covariance, meanAdvantage: ea)
  }

  /// Vector accumulators of the update pass.
  struct UpdateSums {
    /// Σ e·(x − E x)·Δz (before the step).
    var cov = VectorMath.Vector()
    /// Σ e′ with e′ = e^(z′ − c) (after the step).
    var e = VectorMath.Vector()
    /// Σ e′·(z′ − c).
    var ex = VectorMath.Vector()
    /// Σ e′·A.
    var ea = VectorMath.Vector()
    /// max z′.
    var max = VectorMath.Vector(repeating: -.infinity)
  }

  /// The update pass over z[start ..< end] (a multiple of the width, at
  /// most one summation block). With `sumsAfter`, e′ = e·e^(Δz) by
  /// `expSmall` (the caller has bounded |Δz| by 2⁻⁸), and
  /// z′ − c = (z − c) + Δz, to within an ulp of the stored z′.
  static func updateBlock(
    _ zp: UnsafeMutablePointer<Double>, _ ap: UnsafePointer<Double>, from start: Int, to end: Int,
    shift c: Double, meanX mu: Double, meanA ea: Double, scale: Double, natural: Bool, sumsAfter: Bool,
    into acc: inout UpdateSums
  ) {
    typealias V = VectorMath.Vector
    var cov = V()
    var se = V()
    var sx = V()
    var sa = V()
    var newMax = acc.max
    let width = RowLoops.width
    var i = start
    // One loop body with one `exp` and no call: a nested function here
    // would capture the accumulators and run 4× slower (measured). The two
    // flags are loop invariant (LLVM unswitches the loop on them).
    while i < end {
      let zv = RowLoops.load(zp, i)
      let av = RowLoops.load(ap, i)
      let x = zv - c
      let e = VectorMath.expKernel(x)
      // Dead arms (z = −∞): e = 0, so PG's Δz = 0; NPG's is set to 0.
      let dz =
        natural ? (scale * (av - ea)).replacing(with: 0, where: zv .== -.infinity) : (scale * e) * (av - ea)
      let zn = zv + dz
      RowLoops.store(zn, zp, i)
      newMax = RowLoops.maxLanes(newMax, zn)
      let xl = RowLoops.clampLow(x)  // finite where e = 0
      cov = VectorMath.fma(e * (xl - mu), dz, cov)
      if sumsAfter {
        // Dead arms: e = 0 and Δz = 0, so e′ = 0.
        let en = e * VectorMath.expSmall(dz)
        se += en
        sx = VectorMath.fma(en, xl + dz, sx)
        sa = VectorMath.fma(en, av, sa)
      }
      i += width
    }
    acc.cov += cov
    acc.e += se
    acc.ex += sx
    acc.ea += sa
    acc.max = newMax
  }

  /// Subtracts `c` from every finite logit of the row, as `Policy.apply`
  /// does: clamped at −greatestFiniteMagnitude, so a live logit stays live.
  static func recentre(_ z: UnsafeMutableBufferPointer<Double>, by c: Double) {
    for i in z.indices where z[i] > -.infinity { z[i] = max(z[i] - c, -Double.greatestFiniteMagnitude) }
  }
}
