import Foundation

/// What planning one row of an exact step found (`RowKernels.planRow`).
package struct RowPlan: Sendable {
  /// The predictions of the row's ΔH (the path integral NaN when it was
  /// not asked for).
  package var prediction: EntropyPrediction
  /// E_π A (before centring, for hand-set advantages).
  package var meanAdvantage: Double
  /// H before the step.
  package var entropy: Double
  /// V = E_π μ, with exact advantages (A = μ − V); 0 with hand-set ones.
  package var value: Double
  /// Whether every Δz of the row is finite.
  package var deltaFinite: Bool
  /// Whether every live z + Δz (and its Δz) is finite.
  package var applicable: Bool
  /// The numbers Δz is computed from, so that applying the step
  /// (`RowKernels.updateRow`) writes exactly the Δz planned; nil for a row
  /// with no finite logit (the step leaves it as it is).
  package var update: RowUpdate?

  /// A row with no finite logit: nothing to change, nothing to predict.
  static let dead = RowPlan(
    prediction: .zero, meanAdvantage: 0, entropy: 0, value: 0, deltaFinite: true, applicable: true, update: nil)
}

/// What Δz = η·(A − ē) (NPG) or (η/Σe)·e^(z − m)·(A − ē) (PG) of one row
/// is computed from, with A = w − offset.
package struct RowUpdate: Sendable, Equatable {
  /// The row maximum m.
  package var shift: Double
  /// ē = E_π A.
  package var meanA: Double
  /// η (NPG) or η/Σe (PG).
  package var scale: Double
  /// V with exact advantages (A = μ − V), else 0.
  package var offset: Double
}

extension RowKernels {
  /// Plans one exact PG or NPG step of one row: Δz into `delta`, its three
  /// predictions, H, E_π A, and what applying it needs — with one full
  /// `exp` per arm.
  ///
  /// Passes over the row (`w` is μ with `exact`, else the hand-set A):
  /// 1. m = max z (no exp);
  /// 2. e = e^(z − m) into `e` (the only full exp), with Σe, Σe·(z − m),
  ///    Σe·w, Σe², Σe²·w and max |w| over live arms: log Σe, H, V = E_π μ
  ///    (with `exact`), E_π A and a close guess of E_π Δz;
  /// 3. Δz = η·(A − E_π A) (NPG) or (η/Σe)·e·(A − E_π A) (PG) into
  ///    `delta` — the expression `updateRow` evaluates from the numbers
  ///    returned here, so applying the step writes exactly this Δz —
  ///    with its live range, the finiteness checks and the centred sums of
  ///    the first and second order (`moments`), centred on the guess;
  /// 4. with `pathIntegral`, one pass per quadrature node
  ///    (`EntropyDynamics.pathIntegral`), reusing e when the span is at
  ///    most 2⁻⁸ (the vocabulary-size case: then no node needs a full exp).
  ///
  /// Passes 2–4 read rows a thread has just touched (K = 151,936 is 1.2 MB
  /// a row). The sums are direct (shift m known), blocked like the other
  /// kernels, so each result is within a few ulp of the separate kernels'
  /// (`softmaxSums`' online shift rounds differently): RowwiseStepTests
  /// compares them.
  ///
  /// Requirements: z, w, e and delta of one count; dead arms (z = −∞) get
  /// Δz = 0 and their w is not read into any sum.
  static func planRow(
    _ z: UnsafeBufferPointer<Double>, _ w: UnsafeBufferPointer<Double>, exact: Bool, learningRate eta: Double,
    natural: Bool, pathIntegral: Bool, e eOut: UnsafeMutableBufferPointer<Double>,
    delta dOut: UnsafeMutableBufferPointer<Double>
  ) -> RowPlan {
    precondition(w.count == z.count && eOut.count >= z.count && dOut.count >= z.count, "rows of one count")
    guard let zp = z.baseAddress, let wp = w.baseAddress, let ep = eOut.baseAddress, let dp = dOut.baseAddress
    else { return .dead }
    let k = z.count
    let width = RowLoops.width
    typealias V = RowLoops.V
    let m = RowLoops.maximum(zp, count: k)
    guard m.isFinite else {
      for i in 0..<k { dp[i] = 0 }
      return .dead
    }

    // Pass 2: e, Σe, Σe·x, Σe·w, max |w|, and Σe², Σe²·w for the
    // centring guess of pass 3.
    let sums = directSums(zp, wp, count: k, shift: m, storing: ep)
    let (se, sx, sw, s2, s2w) = (sums.e, sums.ex, sums.ew, sums.ee, sums.eew)
    var i = 0
    let sumE = se.sum()
    let sumEX = sx.sum()
    let sumEW = sw.sum()
    // With exact advantages A = μ − V and E_π A = Σe·(μ − V)/Σe, which is
    // Σe·μ − V·Σe: rounding noise around 0 either way (A is centred by
    // construction), so no pass of its own.
    let value = exact ? sumEW / sumE : 0
    let sumEA = exact ? sumEW - value * sumE : sumEW
    let ea = sumEA / sumE
    let scale = natural ? eta : eta / sumE
    // E_π Δz from the sums above (PG: scale·Σe²·(A − ē)/Σe; NPG:
    // η·(E_π A − ē) = 0): only a centre for the sums of pass 3, which are
    // exact for any centre and lose digits only as far as it is off.
    let rawGuess = natural ? 0 : scale * ((exact ? s2w.sum() - value * s2.sum() : s2w.sum()) - ea * s2.sum()) / sumE
    // Sums near the largest double can overflow: then centre on 0 (exact
    // for any centre; only digits are at stake).
    let guess = rawGuess.isFinite ? rawGuess : 0

    // Pass 3: Δz as `RowKernels.updateBlock` computes it, into `delta`;
    // the checks of `liveSumIsFinite` and `allSatisfy(isFinite)`; the live
    // range of Δz; and the π-weighted sums of `RowKernels.moments` centred
    // on f's mean and on the guess g: Σe·d′, Σe·fc·d′, Σe·d′², Σe·fc·d′²
    // with d′ = Δz − g and fc = (z − m) − E(z − m).
    let mu = sumEX / sumE  // E_π[z − m]
    var (sd, sfd, sdd, sfdd) = (V(), V(), V(), V())
    var (lo, hi) = (V(repeating: .infinity), V(repeating: -.infinity))
    var (liveCheck, deltaCheck, nanLanes) = (V(), V(), V())
    i = 0
    while i < k {
      let end = min(k, i + RowLoops.block)
      var (bd, bfd, bdd, bfdd) = (V(), V(), V(), V())
      while i < end {
        let zv = vector(zp, i, k, fill: -.infinity)
        let dead = zv .== -.infinity
        let av = exact ? vector(wp, i, k, fill: 0) - value : vector(wp, i, k, fill: 0)
        let e = vector(ep, i, k, fill: 0)
        let dz = (natural ? scale * (av - ea) : (scale * e) * (av - ea)).replacing(with: 0, where: dead)
        put(dz, dp, i, k)
        let live = dz.replacing(with: 0, where: dead)
        lo = lo.replacing(with: dz, where: .!dead .& (dz .< lo))
        hi = hi.replacing(with: dz, where: .!dead .& (dz .> hi))
        nanLanes = nanLanes.replacing(with: 1, where: live .!= live)
        let v = zv + dz
        liveCheck += ((dz - dz) + (v - v)).replacing(with: 0, where: dead)
        // Padded lanes hold Δz = 0 (e = 0 or dead), so they add 0.
        deltaCheck += dz - dz
        let fc = RowLoops.clampLow(zv - m) - mu
        let dc = live - guess
        let edc = e * dc
        bd += edc
        bfd = VectorMath.fma(edc, fc, bfd)
        bdd = VectorMath.fma(edc, dc, bdd)
        bfdd = VectorMath.fma(edc * dc, fc, bfdd)
        i += width
      }
      sd += bd
      sfd += bfd
      sdd += bdd
      sfdd += bfdd
    }
    let deltaFinite = deltaCheck.sum() == 0
    let applicable = liveCheck.sum() == 0
    // δ = E_π d′; with fc centred: Cov = E[fc·d′], Var = E[d′²] − δ²,
    // E[fc·(d − E d)²] = E[fc·d′²] − 2δ·E[fc·d′].
    let delta = sd.sum() / sumE
    let covariance = sfd.sum() / sumE
    let ed = guess + delta
    let first = -covariance
    let varianceD = sdd.sum() / sumE - delta * delta
    let thirdMoment = sfdd.sum() / sumE - 2 * delta * covariance
    let second = first - 0.5 * (varianceD + thirdMoment)
    // H ≥ 0 without a clamp: see `entropy` (the same sums, shift m).
    let entropy = log(sumE) - mu

    var path = Double.nan
    if pathIntegral {
      path =
        nanLanes.max() > 0
        ? .nan
        : EntropyDynamics.pathIntegral(
          row: z, change: UnsafeBufferPointer(rebasing: dOut[0..<k]), low: lo.min(), high: hi.max(), top: m,
          guess: (m + mu, ed), cached: UnsafeBufferPointer(rebasing: eOut[0..<k]))
    }
    return RowPlan(
      prediction: EntropyPrediction(firstOrder: first, secondOrder: second, pathIntegral: path),
      meanAdvantage: ea, entropy: entropy, value: value, deltaFinite: deltaFinite, applicable: applicable,
      update: RowUpdate(shift: m, meanA: ea, scale: scale, offset: value))
  }

  /// The vector sums of pass 2 of `planRow` (summed over lanes by the
  /// caller).
  struct DirectSums {
    var e = RowLoops.V()
    var ex = RowLoops.V()
    var ew = RowLoops.V()
    var ee = RowLoops.V()
    var eew = RowLoops.V()
    var wMax = RowLoops.V()

    /// H = log Σe − Σe·x/Σe (≥ 0 without a clamp: see `entropy`).
    var entropy: Double { log(e.sum()) - ex.sum() / e.sum() }
  }

  /// With the shift m known (the row maximum): e = e^(z − m), stored into
  /// `storing` when given, and Σe, Σe·(z − m), Σe·w, Σe², Σe²·w, max |w|
  /// over live arms, in blocks of `RowLoops.block`. `planRow` takes H and
  /// V from these sums and so does `RowwiseExactStep.apply` for the row it
  /// has written: one function, so the entropy after a step is bit for bit
  /// the entropy before the next.
  static func directSums(
    _ zp: UnsafePointer<Double>, _ wp: UnsafePointer<Double>, count k: Int, shift m: Double,
    storing ep: UnsafeMutablePointer<Double>?
  ) -> DirectSums {
    typealias V = RowLoops.V
    var out = DirectSums()
    var i = 0
    while i < k {
      let end = min(k, i + RowLoops.block)
      var (be, bx, bw, b2, b2w) = (V(), V(), V(), V(), V())
      while i < end {
        let zv = vector(zp, i, k, fill: -.infinity)
        let x = zv - m
        let e = VectorMath.expKernel(x)
        if let ep { put(e, ep, i, k) }
        let wv = vector(wp, i, k, fill: 0).replacing(with: 0, where: zv .== -.infinity)
        be += e
        bx = VectorMath.fma(e, RowLoops.clampLow(x), bx)
        bw = VectorMath.fma(e, wv, bw)
        let ee = e * e
        b2 += ee
        b2w = VectorMath.fma(ee, wv, b2w)
        out.wMax = RowLoops.maxLanes(RowLoops.maxLanes(out.wMax, wv), -wv)
        i += RowLoops.width
      }
      out.e += be
      out.ex += bx
      out.ew += bw
      out.ee += b2
      out.eew += b2w
    }
    return out
  }

  /// Writes z + Δz into the live logits of a row that `planRow` planned,
  /// with Δz as pass 3 computed it from the plan's numbers (so bit for bit
  /// the Δz the plan checked), and returns the row's new maximum. `w − c`
  /// are the advantages (c = V with exact advantages, else 0).
  static func updateRow(
    _ z: UnsafeMutableBufferPointer<Double>, _ w: UnsafeBufferPointer<Double>, offset c: Double, shift m: Double,
    meanA ea: Double, scale: Double, natural: Bool
  ) -> Double {
    guard let zp = z.baseAddress, let wp = w.baseAddress else { return -.infinity }
    let k = z.count
    var newMax = RowLoops.V(repeating: -.infinity)
    var i = 0
    while i < k {
      let zv = vector(zp, i, k, fill: -.infinity)
      let dead = zv .== -.infinity
      let av = vector(wp, i, k, fill: 0) - c
      let e = VectorMath.expKernel(zv - m)
      let dz = (natural ? scale * (av - ea) : (scale * e) * (av - ea)).replacing(with: 0, where: dead)
      // Dead arms keep −∞ (Δz is set to 0 there, as in `planRow`, so an
      // infinite advantage on a dead arm cannot make 0·∞ = NaN).
      let zn = zv + dz
      put(zn, zp, i, k)
      newMax = RowLoops.maxLanes(newMax, zn)
      i += RowLoops.width
    }
    return newMax.max()
  }

  /// The vector at p[i ..< i + width], or the last k − i values padded
  /// with `fill`.
  @inline(__always)
  static func vector(_ p: UnsafePointer<Double>, _ i: Int, _ k: Int, fill: Double) -> RowLoops.V {
    i + RowLoops.width <= k ? RowLoops.load(p, i) : RowLoops.loadTail(p, i, k - i, fill: fill)
  }

  /// Stores `v` at p[i ..< i + width], or its first k − i lanes.
  @inline(__always)
  static func put(_ v: RowLoops.V, _ p: UnsafeMutablePointer<Double>, _ i: Int, _ k: Int) {
    if i + RowLoops.width <= k { RowLoops.store(v, p, i) } else { RowLoops.storeTail(v, p, i, k - i) }
  }
}
