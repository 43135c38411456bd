import Foundation

/// The per-state (one softmax row) kernels that every caller uses: exact
/// steps, predictions, sampled updates and the benchmark.
///
/// Conventions: a row is K logits `z`; π = softmax(z); f = log π; a logit of
/// −∞ has π = 0 and contributes nothing to any π-weighted sum (0·log 0 = 0).
/// Every π-weighted moment is accumulated in a single pass after the
/// log-sum-exp, with logits shifted by the row maximum so `exp` never
/// overflows.
public enum RowKernels {
  /// log Σ_a exp(z_a), computed as m + log Σ exp(z_a − m) with m = max z.
  public static func logSumExp(_ z: UnsafeBufferPointer<Double>) -> Double {
    var m = -Double.infinity
    for v in z where v > m { m = v }
    guard m.isFinite else { return m }
    var sum = 0.0
    for v in z { sum += exp(v - m) }
    return m + log(sum)
  }

  /// Writes π = softmax(z) into `out` (same count as `z`).
  public static func softmax(_ z: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    let lse = logSumExp(z)
    for i in z.indices { out[i] = exp(z[i] - lse) }
  }

  /// The entropy −Σ π log π of softmax(z), in nats.
  ///
  /// Computed as lse − Σ π z over the finite logits, clamped at 0 from below
  /// (round-off can make a one-hot row's entropy −1e-17).
  public static func entropy(_ z: UnsafeBufferPointer<Double>) -> Double {
    let lse = logSumExp(z)
    var h = 0.0
    for v in z where v > -Double.infinity {
      let f = v - lse
      h -= exp(f) * f
    }
    return max(h, 0)
  }

  /// π-weighted moments of f = log π and a direction d, at one row.
  public struct Moments: Sendable, Equatable {
    /// H = −E_π[f].
    public var entropy: Double
    /// E_π[d].
    public var meanD: Double
    /// Cov_π(f, d).
    public var covariance: Double
    /// Var_π(d).
    public var varianceD: Double
    /// E_π[(f − E f)(d − E d)²].
    public var thirdMoment: Double
  }

  /// The π-weighted moments of log π and `d` for the row `z`
  /// (two passes after the log-sum-exp; centred sums for accuracy).
  public static func moments(_ z: UnsafeBufferPointer<Double>, _ d: UnsafeBufferPointer<Double>) -> Moments {
    let lse = logSumExp(z)
    var ef = 0.0
    var ed = 0.0
    for i in z.indices where z[i] > -Double.infinity {
      let f = z[i] - lse
      let p = exp(f)
      ef += p * f
      ed += p * d[i]
    }
    var cov = 0.0
    var vd = 0.0
    var third = 0.0
    for i in z.indices where z[i] > -Double.infinity {
      let f = z[i] - lse
      let p = exp(f)
      let fc = f - ef
      let dc = d[i] - ed
      cov += p * fc * dc
      vd += p * dc * dc
      third += p * fc * dc * dc
    }
    return Moments(entropy: max(-ef, 0), meanD: ed, covariance: cov, varianceD: vd, thirdMoment: third)
  }

  /// Cov_π(log π, d) for π = softmax(z + t·d): the integrand of the exact
  /// path integral. `scratch` must hold K values.
  public static func covarianceAlong(
    _ z: UnsafeBufferPointer<Double>, _ d: UnsafeBufferPointer<Double>, t: Double,
    scratch: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    for i in z.indices { scratch[i] = z[i] > -Double.infinity ? z[i] + t * d[i] : -Double.infinity }
    return moments(UnsafeBufferPointer(scratch), d).covariance
  }

  /// The exact PG or NPG logit change of one row,
  /// Δz = η·w ⊙ (A − E_π A) with w = π (PG) or 1 (NPG); returns E_π A.
  public static func exactDirection(
    _ z: UnsafeBufferPointer<Double>, advantages a: UnsafeBufferPointer<Double>,
    learningRate eta: Double, natural: Bool, into dz: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let lse = logSumExp(z)
    var ea = 0.0
    for i in z.indices where z[i] > -Double.infinity { ea += exp(z[i] - lse) * a[i] }
    for i in z.indices {
      if z[i] > -Double.infinity {
        let w = natural ? 1.0 : exp(z[i] - lse)
        dz[i] = eta * w * (a[i] - ea)
      } else {
        dz[i] = 0
      }
    }
    return ea
  }
}
