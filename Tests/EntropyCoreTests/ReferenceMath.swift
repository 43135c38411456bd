import Foundation

/// A second, deliberately plain implementation of the softmax quantities,
/// written from the definitions in spec §1–§2 and sharing no code with the
/// core: probabilities by exp(z − max)/Σ, entropy by −Σ p log p, moments by
/// the textbook two-moment formulas.
enum Reference {
  /// π = softmax(z) (π = 0 where z = −∞).
  static func softmax(_ z: [Double]) -> [Double] {
    let m = z.reduce(-Double.infinity) { max($0, $1) }
    let e = z.map { $0 == -Double.infinity ? 0 : exp($0 - m) }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
  }

  /// log π computed as log of the probabilities (−∞ where π = 0).
  static func logSoftmax(_ z: [Double]) -> [Double] {
    softmax(z).map { log($0) }
  }

  /// H = −Σ p log p over arms with p > 0.
  static func entropy(_ z: [Double]) -> Double {
    var h = 0.0
    for p in softmax(z) where p > 0 { h -= p * log(p) }
    return h
  }

  /// E_p[x] over arms with p > 0.
  static func mean(_ p: [Double], _ x: [Double]) -> Double {
    var s = 0.0
    for i in p.indices where p[i] > 0 { s += p[i] * x[i] }
    return s
  }

  /// Cov_p(x, y) = E[xy] − E[x]E[y] over arms with p > 0.
  static func covariance(_ p: [Double], _ x: [Double], _ y: [Double]) -> Double {
    let xy = zip(x, y).map { $0 * $1 }
    return mean(p, xy) - mean(p, x) * mean(p, y)
  }

  /// ∂H/∂z_b = −π_b (log π_b + H), 0 where π_b = 0.
  static func entropyGradient(_ z: [Double]) -> [Double] {
    let p = softmax(z)
    let h = entropy(z)
    return p.map { $0 > 0 ? -$0 * (log($0) + h) : 0 }
  }

  /// Central finite difference of H along coordinate `b` with step `h`.
  static func entropyDerivative(_ z: [Double], arm b: Int, step h: Double) -> Double {
    var up = z
    var down = z
    up[b] += h
    down[b] -= h
    return (entropy(up) - entropy(down)) / (2 * h)
  }

  /// Var_p(d) + E_p[(f − Ef)(d − Ed)²] (the bracket of the second-order term,
  /// spec §9), computed from raw moments.
  static func secondOrderBracket(_ z: [Double], _ d: [Double]) -> Double {
    let p = softmax(z)
    let f = p.map { $0 > 0 ? log($0) : 0 }
    let ef = mean(p, f)
    let ed = mean(p, d)
    var vd = 0.0
    var third = 0.0
    for i in p.indices where p[i] > 0 {
      vd += p[i] * (d[i] - ed) * (d[i] - ed)
      third += p[i] * (f[i] - ef) * (d[i] - ed) * (d[i] - ed)
    }
    return vd + third
  }

  /// Taylor coefficients c₁, c₂, c₃ of H(z + t·d) = H(z) + c₁t + c₂t² + c₃t³ + …
  ///
  /// With f = log π, d_c = d − E d, C = Cov(f, d), V = Var(d):
  /// - H′ = −C and H″ = −(V + E[(f − E f)·d_c²]) (spec §9);
  /// - H‴ = −(2·E[d_c³] − 3VC + E[(f − E f)·d_c³]), derived by differentiating
  ///   H″ along the path with dπ_a/dt = π_a·d_c,a, df_a/dt = d_c,a and
  ///   dE[d]/dt = V (checked against 50-digit numerical differentiation).
  static func taylorCoefficients(_ z: [Double], _ d: [Double]) -> (c1: Double, c2: Double, c3: Double) {
    let p = softmax(z)
    let f = p.map { $0 > 0 ? log($0) : 0 }
    let ef = mean(p, f)
    let ed = mean(p, d)
    var (c, v, mu3, t2, t3) = (0.0, 0.0, 0.0, 0.0, 0.0)
    for i in p.indices where p[i] > 0 {
      let (fc, dc) = (f[i] - ef, d[i] - ed)
      c += p[i] * fc * dc
      v += p[i] * dc * dc
      mu3 += p[i] * dc * dc * dc
      t2 += p[i] * fc * dc * dc
      t3 += p[i] * fc * dc * dc * dc
    }
    return (-c, -(v + t2) / 2, -(2 * mu3 - 3 * v * c + t3) / 6)
  }

  /// c₄ of the same expansion: dc₃/dt = H⁗/6 = 4c₄, taken by a central
  /// difference of the closed-form c₃ along the path (about 1e-8 relative).
  static func fourthCoefficient(_ z: [Double], _ d: [Double], step h: Double = 1e-4) -> Double {
    let up = zip(z, d).map { $0 + h * $1 }
    let down = zip(z, d).map { $0 - h * $1 }
    return (taylorCoefficients(up, d).c3 - taylorCoefficients(down, d).c3) / (8 * h)
  }

  /// −∫₀¹ Cov_{π_t}(log π_t, d) dt by composite Simpson on `intervals` (even)
  /// sub-intervals: a slow, independent quadrature for cross-checks.
  static func pathIntegral(_ z: [Double], _ d: [Double], intervals: Int) -> Double {
    func integrand(_ t: Double) -> Double {
      let zt = zip(z, d).map { $0 == -Double.infinity ? -Double.infinity : $0 + t * $1 }
      let p = softmax(zt)
      let f = p.map { $0 > 0 ? log($0) : 0 }
      return covariance(p, f, d)
    }
    let h = 1.0 / Double(intervals)
    var s = integrand(0) + integrand(1)
    for i in 1..<intervals { s += (i % 2 == 1 ? 4 : 2) * integrand(Double(i) * h) }
    return -s * h / 3
  }
}
