import Foundation

/// Gauss–Legendre quadrature on [0, 1].
///
/// Nodes are the roots of the Legendre polynomial P_n found by Newton's
/// method from Chebyshev-like starting points; weights are
/// 2 / ((1 − x²)·P_n'(x)²), halved for the unit interval.
///
/// Properties: an n-node rule integrates polynomials of degree ≤ 2n − 1
/// exactly; for analytic integrands the error falls geometrically in n.
public struct GaussLegendre: Sendable, Equatable {
  /// Nodes in (0, 1), ascending.
  public let nodes: [Double]
  /// Weights, summing to 1.
  public let weights: [Double]

  /// The n-node rule on [0, 1] (n ≥ 1).
  public init(nodes n: Int) {
    precondition(n >= 1, "Gauss–Legendre needs at least one node")
    var xs = [Double](repeating: 0, count: n)
    var ws = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
      var dp = 0.0
      for _ in 0..<100 {
        var p0 = 1.0
        var p1 = x
        if n == 1 {
          p1 = x
        } else {
          for k in 2...n {
            let pk = (Double(2 * k - 1) * x * p1 - Double(k - 1) * p0) / Double(k)
            p0 = p1
            p1 = pk
          }
        }
        // p1 = P_n(x), p0 = P_{n-1}(x)
        dp = Double(n) * (x * p1 - p0) / (x * x - 1)
        let dx = p1 / dp
        x -= dx
        if abs(dx) < 1e-16 { break }
      }
      if n == 1 { dp = 1 }
      xs[n - 1 - i] = 0.5 * (x + 1)
      ws[n - 1 - i] = 1 / ((1 - x * x) * dp * dp)
    }
    if n == 1 {
      xs = [0.5]
      ws = [1]
    }
    self.nodes = xs
    self.weights = ws
  }

  /// ∫₀¹ f(t) dt by this rule on `panels` equal sub-intervals.
  ///
  /// `f` is called at ascending t, panel by panel and node by node:
  /// `EntropyDynamics.predict` relies on that to centre each node's sums on
  /// the previous node's means (for accuracy, not correctness).
  public func integrate(panels: Int = 1, _ f: (Double) -> Double) -> Double {
    let width = 1.0 / Double(panels)
    var total = 0.0
    for p in 0..<panels {
      let a = Double(p) * width
      var s = 0.0
      for (x, w) in zip(nodes, weights) { s += w * f(a + x * width) }
      total += s * width
    }
    return total
  }

  /// The rule used for the exact path integral of entropy on panels whose
  /// span of Δz is above 0.5 (at most 2: see `pathRule(panelSpan:)`).
  public static let pathRule = GaussLegendre(nodes: 16)

  /// The 8-node path rule, for panel spans in (0.05, 0.5].
  static let pathRule8 = GaussLegendre(nodes: 8)

  /// The 4-node path rule, for panel spans up to 0.05.
  static let pathRule4 = GaussLegendre(nodes: 4)

  /// Three nodes, for panel spans up to 0.01 (`pathRule(panelSpan:)`).
  static let pathRule3 = GaussLegendre(nodes: 3)

  /// Two nodes, for panel spans up to 4e-4 (`pathRule(panelSpan:)`).
  static let pathRule2 = GaussLegendre(nodes: 2)

  /// The path-integral rule for a panel over which Δz spans `σ` (at most 2,
  /// as `EntropyDynamics.predict` chooses its panels): 2 nodes up to 4e-4,
  /// 3 up to 0.01, 4 up to 0.05, 8 up to 0.5, else 16.
  ///
  /// Why these suffice. Along z + t·Δz the integrand Cov_{π_t}(log π_t, Δz)
  /// is analytic wherever Z(t) = Σ_a π_a·e^(t·Δz_a) ≠ 0, and with Δz centred
  /// in its range, Re Z(x + iy) > 0 for |y| < π/span: a zero-free strip.
  /// Mapped to a panel's [−1, 1] that strip has half-width 2π/σ. Take the
  /// Bernstein ellipse with semi-minor axis b = π/σ (half the strip), where
  /// |Z| stays within a factor √2 of its value on the real line, so the
  /// integrand is bounded by M, a few times the π-weighted moment
  /// E|f − E f|·|d − E d| along the path (not by |Cov| itself, which may
  /// pass through 0). With ρ = b + √(b² + 1), an n-node Gauss rule errs by
  /// at most (64/15)·M·ρ^(2−2n)/(ρ² − 1) (Trefethen, ATAP Thm 19.3, for
  /// n nodes): about 7e-17·M for 4 nodes at σ = 0.05, 1e-17·M for 8 at
  /// σ = 0.5 and 3e-17·M for 16 at σ = 2 — below double rounding of M in
  /// each tier. The two smallest tiers are set by the same bound: 3 nodes
  /// up to σ = 0.01 (ρ ≈ 628, 4.27·ρ⁻⁶ ≈ 6.9e-17) and 2 up to σ = 4e-4
  /// (ρ ≈ 15,708, 4.27·ρ⁻⁴ ≈ 7.0e-17) — the vocabulary case, where the
  /// span of Δz = η·π ⊙ A is of the order of η·max π. The tiers make
  /// the shell's `step` and `predict` at K = 10,000 1.3–1.7× faster
  /// (`entropy-lab bench interactive`).
  public static func pathRule(panelSpan σ: Double) -> GaussLegendre {
    σ <= 4e-4 ? pathRule2 : σ <= 0.01 ? pathRule3 : σ <= 0.05 ? pathRule4 : σ <= 0.5 ? pathRule8 : pathRule
  }
}
