import Foundation

/// Predictions of one step's entropy change ΔH = H(z + Δz) − H(z).
public struct EntropyPrediction: Sendable, Equatable {
  /// Lemma 1: −Cov_π(log π, Δz).
  public var firstOrder: Double
  /// −Cov(f, d) − ½·(Var_π(d) + E_π[(f − E f)(d − E d)²]).
  public var secondOrder: Double
  /// −∫₀¹ Cov_{π_t}(log π_t, Δz) dt along z + tΔz: exact up to quadrature.
  public var pathIntegral: Double

  /// All three predictions zero.
  public static let zero = EntropyPrediction(firstOrder: 0, secondOrder: 0, pathIntegral: 0)
}

/// One arm's share of Cov_π(log π, Δz) at one state.
public struct ArmContribution: Sendable, Equatable {
  /// π_a·(f_a − E f)·(d_a − E d); the shares sum to the covariance.
  public var covarianceShare: Double
  /// The arm's effect on entropy to first order: −`covarianceShare`.
  public var entropyEffect: Double { -covarianceShare }
}

/// The entropy dynamics of any logit change Δz of a tabular softmax policy:
/// one family of functions used by every update rule.
///
/// With f = log π and d = Δz at one state (paper §2.1, §9):
/// - first order (Lemma 1): ΔH ≈ −Cov_π(f, d), exactly ⟨∇_z H, d⟩;
/// - second order: ΔH ≈ −Cov(f, d) − ½·(Var_π(d) + E_π[(f − Ef)(d − Ed)²]);
/// - exact: ΔH = −∫₀¹ Cov_{π_t}(log π_t, d) dt with π_t = softmax(z + t·d).
///
/// Properties: the first-order residual shrinks as η², the second-order one
/// as η³; the path integral equals the actual change to quadrature error,
/// and is *more* accurate than H(after) − H(before) at vocabulary scale,
/// where the subtraction of two numbers near log K loses digits.
public enum EntropyDynamics {
  /// The largest span max Δz − min Δz (over live arms) whose path integral
  /// is computed (1024 panels); beyond it the path integral is NaN.
  public static let maxResolvedSpan = 2048.0

  /// Spans up to this use the single-pass integrand (a known shift instead
  /// of a pass for the row maximum); beyond, the three-pass one.
  static let onePassSpan = 512.0

  /// The three predictions for one row `z` and change `d`.
  ///
  /// The path integral uses composite Gauss–Legendre with one panel per 2
  /// units of Δz's range over the live arms (at least one): the integrand's
  /// sharpest feature has width about 1/range in t. Each panel has 16
  /// nodes, or 8 or 4 when the range per panel is at most 0.5 or 0.05 (the
  /// error bound is at `GaussLegendre.pathRule(panelSpan:)`). Each node
  /// costs one pass over the row (`RowKernels.covarianceAlong(_:_:t:shift:guess:)`)
  /// for ranges up to 512, three beyond. A NaN change on a live arm gives a
  /// NaN path integral.
  public static func predict(
    row z: UnsafeBufferPointer<Double>, change d: UnsafeBufferPointer<Double>
  ) -> EntropyPrediction {
    let m = RowKernels.moments(z, d)
    let first = -m.covariance
    let second = first - 0.5 * (m.varianceD + m.thirdMoment)
    var lo = Double.infinity
    var hi = -Double.infinity
    var top = -Double.infinity
    var nanChange = false
    for i in z.indices where z[i] > -Double.infinity {
      lo = min(lo, d[i])
      hi = max(hi, d[i])
      top = max(top, z[i])
      nanChange = nanChange || d[i].isNaN
    }
    // min/max skip NaN: a NaN change on a live arm has no exact value.
    let path =
      nanChange
      ? Double.nan
      : pathIntegral(
        row: z, change: d, low: lo, high: hi, top: top, guess: (m.meanLogit, m.meanD), cached: nil)
    return EntropyPrediction(firstOrder: first, secondOrder: second, pathIntegral: path)
  }

  /// The exact ΔH of one row along z + t·d, t ∈ [0, 1], given the live
  /// range [low, high] of d (no NaN), the largest live logit `top` and
  /// E_π[z], E_π[d] at t = 0 (the first node's centring guess).
  ///
  /// With `cached` e = e^(z − top) (as a caller that has just computed it
  /// holds it) and a span high − low ≤ 2⁻⁸, each node reuses it:
  /// e^x = e·e^(t·(d − high)) by `VectorMath.expSmall`, with no full exp
  /// (`RowKernels.covarianceAlong(cached:...)`). Otherwise as documented at
  /// `predict(row:change:)`.
  package static func pathIntegral(
    row z: UnsafeBufferPointer<Double>, change d: UnsafeBufferPointer<Double>, low lo: Double, high hi: Double,
    top: Double, guess start: (x: Double, d: Double), cached: UnsafeBufferPointer<Double>?
  ) -> Double {
    let range = hi - lo
    // A constant shift of every live logit (or no live arm) changes nothing.
    guard range > 0 else { return 0.0 }
    // Clamp in floating point before converting: Int(_:) traps for a range
    // beyond Int.max (a huge but finite Δz such as 1e20) or +∞.
    // The integrand's features are narrower than the quadrature can see:
    // say so with NaN rather than print a wrong "exact" value.
    guard range <= maxResolvedSpan else { return .nan }
    let panels = max(1, Int((range / 2).rounded(.up)))
    let rule = GaussLegendre.pathRule(panelSpan: range / Double(panels))
    let integral: Double
    if range <= onePassSpan {
      // Single-pass integrand: the shift max z + t·max Δz is at most
      // t·range ≤ 512 above the row maximum along the path, and each node
      // is centred on the means of the one before (`integrate` visits the
      // nodes in ascending t).
      var guess = start
      var last = 0.0
      let e = range <= VectorMath.smallLimit ? cached : nil
      integral = rule.integrate(panels: panels) { t in
        guess.x += (t - last) * guess.d
        last = t
        let r =
          if let e {
            RowKernels.covarianceAlong(cached: e, z, d, t: t, top: top, high: hi, guess: guess)
          } else {
            RowKernels.covarianceAlong(z, d, t: t, top: top, high: hi, guess: guess)
          }
        guess = (r.meanX, r.meanD)
        return r.covariance
      }
    } else {
      integral = withUnsafeTemporaryAllocation(of: Double.self, capacity: z.count) { scratch in
        rule.integrate(panels: panels) { t in
          RowKernels.covarianceAlong(z, d, t: t, scratch: scratch)
        }
      }
    }
    return -integral
  }

  /// Per-state predictions for a full S × K change, and their mean over
  /// states (uniform weights, summed in state order). States run on every
  /// core when the job is large (`ParallelRows`); the result does not
  /// depend on how they were spread.
  ///
  /// - Throws: `CoreError.shapeMismatch` if `delta` is not S × K.
  public static func predict(policy: Policy, change delta: [Double]) throws(CoreError) -> (
    perState: [EntropyPrediction], mean: EntropyPrediction
  ) {
    guard delta.count == policy.logits.count else {
      throw .shapeMismatch(expected: policy.logits.count, got: delta.count)
    }
    return predictShaped(policy: policy, change: delta)
  }

  /// `predict` for a Δz the caller built S × K itself (the shell's own
  /// state); a wrong size is a bug in the package and traps.
  package static func predictShaped(policy: Policy, change delta: [Double]) -> (
    perState: [EntropyPrediction], mean: EntropyPrediction
  ) {
    precondition(delta.count == policy.logits.count, "Δz must be S × K")
    let (states, arms) = (policy.states, policy.arms)
    var rows = [EntropyPrediction](repeating: .zero, count: states)
    policy.logits.withUnsafeBufferPointer { zAll in
      delta.withUnsafeBufferPointer { dAll in
        rows.withUnsafeMutableBufferPointer { out in
          let (z, d, o) = (SharedBuffer(buffer: zAll), SharedBuffer(buffer: dAll), SharedMutableBuffer(buffer: out))
          // A path integral visits each arm a few dozen times.
          ParallelRows.forEach(states, work: states * arms * 16) { s in
            let r = (s * arms)..<((s + 1) * arms)
            o.buffer[s] = predict(
              row: UnsafeBufferPointer(rebasing: z.buffer[r]), change: UnsafeBufferPointer(rebasing: d.buffer[r]))
          }
        }
      }
    }
    let n = Double(policy.states)
    let mean = EntropyPrediction(
      firstOrder: rows.reduce(0) { $0 + $1.firstOrder } / n,
      secondOrder: rows.reduce(0) { $0 + $1.secondOrder } / n,
      pathIntegral: rows.reduce(0) { $0 + $1.pathIntegral } / n)
    return (rows, mean)
  }

  /// Each arm's share π_a·(f_a − E f)·(d_a − E d) of Cov_π(log π, Δz) at
  /// state `s`; arms with π = 0 have share 0.
  public static func contributions(policy: Policy, change delta: [Double], state s: Int) -> [ArmContribution] {
    contributions(policy: policy, changeRow: Array(delta[policy.rowRange(s)]), state: s)
  }

  /// `contributions` from state `s`'s row of Δz alone (K values).
  package static func contributions(policy: Policy, changeRow d: [Double], state s: Int) -> [ArmContribution] {
    precondition(d.count == policy.arms, "Δz must have one value per arm")
    let z = Array(policy.logits(state: s))
    let m = z.withUnsafeBufferPointer { zb in d.withUnsafeBufferPointer { RowKernels.moments(zb, $0) } }
    let lp = policy.logProbabilities(state: s)
    let ef = -m.entropy
    return (0..<policy.arms).map { a in
      guard lp[a] > -Double.infinity else { return ArmContribution(covarianceShare: 0) }
      return ArmContribution(covarianceShare: exp(lp[a]) * (lp[a] - ef) * (d[a] - m.meanD))
    }
  }

  /// ∇_z H at state `s`: ∂H/∂z_b = −π_b·(log π_b + H) (0 where π_b = 0).
  public static func entropyGradient(policy: Policy, state s: Int) -> [Double] {
    let lp = policy.logProbabilities(state: s)
    let h = policy.entropy(state: s)
    return lp.map { $0 > -Double.infinity ? -exp($0) * ($0 + h) : 0 }
  }
}
