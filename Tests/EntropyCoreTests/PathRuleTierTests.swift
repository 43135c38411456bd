import EntropyCore
import Foundation
import Testing

/// The path integral's node count falls with the step (16 nodes per panel,
/// 8 when Δz spans at most 0.5 per panel, 4 at most 0.05, 3 at most 0.01,
/// 2 at most 4e-4): at each tier's
/// largest span the result must still equal a far finer quadrature of a
/// plainly written integrand.
///
/// Reference: 24-node Gauss–Legendre on 8 panels of the centred
/// covariance computed here from the definitions (no core kernel), exact
/// to round-off for these spans (at most 1.2 per panel, ρ^(−48)).
///
/// Tolerance 1e-13 relative (+1e-18 absolute for changes that vanish):
/// the tiers' quadrature error bound is ≈ 1e-17–7e-17 of the integrand's
/// size M (see `GaussLegendre.pathRule(panelSpan:)`), and round-off in sums of at most
/// 1,024 terms is ≈ 1e-14 relative. Measured: half the nodes misses by
/// 1e-8 at span 0.05 and 2e-12 at span 0.5 (`coarserRulesFail`), so the
/// comparison sees quadrature error of that size; at span 2, 8 nodes would
/// still pass (4e-15), and at span 0.01 two nodes (4.4e-13 relative): the
/// 16- and 3-node tiers follow the worst-case bound, not these rows.
@Suite("Path rule tiers keep the path integral exact")
struct PathRuleTierTests {
  static let relative = 1e-13
  static let absolute = 1e-18

  /// Cov_{π_t}(log π_t, d), centred, from the definitions.
  static func integrand(_ z: [Double], _ d: [Double], _ t: Double) -> Double {
    let zt = zip(z, d).map { $0 == -Double.infinity ? -Double.infinity : $0 + t * $1 }
    let m = zt.max() ?? 0
    let e = zt.map { $0 == -Double.infinity ? 0 : exp($0 - m) }
    let total = e.reduce(0, +)
    let p = e.map { $0 / total }
    let f = zt.map { $0 == -Double.infinity ? 0 : ($0 - m) - log(total) }
    var ef = 0.0
    var ed = 0.0
    for i in p.indices where p[i] > 0 {
      ef += p[i] * f[i]
      ed += p[i] * d[i]
    }
    var c = 0.0
    for i in p.indices where p[i] > 0 { c += p[i] * (f[i] - ef) * (d[i] - ed) }
    return c
  }

  static func reference(_ z: [Double], _ d: [Double]) -> Double {
    -GaussLegendre(nodes: 24).integrate(panels: 8) { integrand(z, d, $0) }
  }

  /// A row and a change whose live arms span exactly `span`.
  static func row(arms k: Int, scale: Double, span: Double, dead: Bool, using g: inout SplitMix64) -> (
    [Double], [Double]
  ) {
    var z = TestRandom.normals(k, scale: scale, using: &g)
    var d = TestRandom.uniforms(k, -span / 2, span / 2, using: &g)
    if dead, k > 3 { for i in stride(from: 2, to: k, by: 3) { z[i] = -.infinity } }
    d[0] = -span / 2
    if k > 1 { d[1] = span / 2 }
    return (z, d)
  }

  struct Case: Sendable, CustomTestStringConvertible {
    let span: Double
    let arms: Int
    var testDescription: String { "span \(span), K = \(arms)" }
  }

  static let cases: [Case] = [4e-4, 0.01, 0.05, 0.5, 2, 9.5].flatMap { s in
    [2, 16, 1024].map { Case(span: s, arms: $0) }
  }

  @Test("each tier at its largest span matches a 24-node, 8-panel reference", arguments: cases)
  func tierMatchesReference(_ c: Case) {
    var g = SplitMix64(seed: UInt64(c.arms) &* 31 &+ UInt64(c.span * 100))
    for scale in [0.5, 3, 8] {
      for dead in [false, true] {
        let (z, d) = Self.row(arms: c.arms, scale: scale, span: c.span, dead: dead, using: &g)
        let got = Row.predict(z, d).pathIntegral
        let want = Self.reference(z, d)
        let error = abs(got - want)
        #expect(
          error <= Self.relative * abs(want) + Self.absolute,
          "\(c.testDescription) scale \(scale) dead \(dead): \(got) vs \(want), error \(error)")
      }
    }
  }

  @Test(
    "one node at the 2-node tier's largest span, half the nodes at the 4- and 8-node tiers', would fail this tolerance")
  func coarserRulesFail() {
    var g = SplitMix64(seed: 7)
    for (span, nodes) in [(4e-4, 1), (0.05, 2), (0.5, 4)] {
      var worst = 0.0
      for scale in [0.5, 3, 8] {
        let (z, d) = Self.row(arms: 16, scale: scale, span: span, dead: false, using: &g)
        let coarse = -GaussLegendre(nodes: nodes).integrate(panels: 1) { Self.integrand(z, d, $0) }
        let want = Self.reference(z, d)
        worst = max(worst, abs(coarse - want) / abs(want))
      }
      #expect(worst > 10 * Self.relative, "span \(span), \(nodes) nodes: worst relative error \(worst)")
    }
  }

  @Test("the rule per panel span: 2 nodes to 4e-4, 3 to 0.01, 4 to 0.05, 8 to 0.5, else 16")
  func tiers() {
    #expect(GaussLegendre.pathRule(panelSpan: 1e-9).nodes.count == 2)
    #expect(GaussLegendre.pathRule(panelSpan: 4e-4).nodes.count == 2)
    #expect(GaussLegendre.pathRule(panelSpan: 4.000_001e-4).nodes.count == 3)
    #expect(GaussLegendre.pathRule(panelSpan: 0.01).nodes.count == 3)
    #expect(GaussLegendre.pathRule(panelSpan: 0.010_000_1).nodes.count == 4)
    #expect(GaussLegendre.pathRule(panelSpan: 0.05).nodes.count == 4)
    #expect(GaussLegendre.pathRule(panelSpan: 0.050_000_1).nodes.count == 8)
    #expect(GaussLegendre.pathRule(panelSpan: 0.5).nodes.count == 8)
    #expect(GaussLegendre.pathRule(panelSpan: 0.500_001).nodes.count == 16)
    #expect(GaussLegendre.pathRule(panelSpan: 2).nodes.count == 16)
  }
}
