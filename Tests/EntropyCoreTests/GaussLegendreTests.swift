import EntropyCore
import Foundation
import Testing

/// Gauss–Legendre rules on [0, 1] for n = 1...40: weights sum to 1, nodes
/// ascend inside (0, 1) symmetrically, polynomials of degree ≤ 2n − 1 are
/// integrated exactly (which characterises the Gauss rule uniquely), and
/// degree 2n shows the textbook error.
@Suite("Gauss–Legendre quadrature")
struct GaussLegendreTests {
  static let sizes = Array(1...40)

  @Test("weights are positive and sum to 1", arguments: sizes)
  func weights(n: Int) {
    let rule = GaussLegendre(nodes: n)
    #expect(rule.weights.count == n)
    #expect(rule.weights.allSatisfy { $0 > 0 })
    // n positive terms summing to 1: at most n ulps of 1.
    expectClose(rule.weights.reduce(0, +), 1, tolerance: Double(n) * Double.ulpOfOne, "Σw, n = \(n)")
  }

  @Test("nodes ascend strictly inside (0, 1), symmetric about ½", arguments: sizes)
  func nodes(n: Int) {
    let rule = GaussLegendre(nodes: n)
    #expect(rule.nodes.count == n)
    #expect(rule.nodes.allSatisfy { $0 > 0 && $0 < 1 })
    #expect(zip(rule.nodes, rule.nodes.dropFirst()).allSatisfy { $0 < $1 })
    for i in 0..<n {
      // Each node is found separately by Newton: a few ulps of 1.
      expectClose(rule.nodes[i] + rule.nodes[n - 1 - i], 1, tolerance: 1e-15, "x[\(i)] + x[\(n - 1 - i)], n = \(n)")
      // Weights from P_n' at independently found nodes: relative 1e-13.
      expectClose(
        rule.weights[i], rule.weights[n - 1 - i], tolerance: 1e-13 * rule.weights[i], "w[\(i)], n = \(n)")
    }
  }

  @Test("integrates tᵏ exactly for every k ≤ 2n − 1", arguments: sizes)
  func polynomialExactness(n: Int) {
    let rule = GaussLegendre(nodes: n)
    for k in 0...(2 * n - 1) {
      let integral = rule.integrate { pow($0, Double(k)) }
      // Positive terms, so no cancellation: node and weight errors of ~1e-15
      // relative, amplified at most by k ≤ 79 through tᵏ; 1e-13 relative.
      expectClose(integral, 1 / Double(k + 1), tolerance: 1e-13 / Double(k + 1), "∫t^\(k), n = \(n)")
    }
  }

  @Test("degree 2n has the textbook error (n!)⁴ / ((2n+1)·((2n)!)²)", arguments: Array(1...6))
  func firstInexactDegree(n: Int) {
    let rule = GaussLegendre(nodes: n)
    let factorial = { (m: Int) in (1...max(m, 1)).reduce(1.0) { $0 * Double($1) } }
    let expected = pow(factorial(n), 4) / (Double(2 * n + 1) * pow(factorial(2 * n), 2))
    let error = 1 / Double(2 * n + 1) - rule.integrate { pow($0, Double(2 * n)) }
    // The error is ≥ 9e-8 for n ≤ 6 against round-off ≈ 1e-16: relative 1e-6.
    expectClose(error, expected, tolerance: 1e-6 * expected, "E_\(n)")
  }

  @Test("composite panels: exact on piecewise polynomials with kinks at panel edges")
  func panels() {
    let rule = GaussLegendre(nodes: 4)
    // ∫|t − ½| = ¼: exact with 2 panels (a kink on the edge), not with 1.
    let kink = { (t: Double) in abs(t - 0.5) }
    expectClose(rule.integrate(panels: 2, kink), 0.25, tolerance: 1e-16, "2 panels")
    #expect(abs(rule.integrate(panels: 1, kink) - 0.25) > 1e-4)
    // max(0, t − ⅓)³ has its kink on the edge of 3 panels: ∫ = (⅔)⁴ / 4.
    let cubic = { (t: Double) in pow(max(0, t - 1.0 / 3), 3) }
    // Three panels, each exact: a few ulps of the result 0.049.
    expectClose(rule.integrate(panels: 3, cubic), pow(2.0 / 3, 4) / 4, tolerance: 1e-16, "3 panels")
  }

  @Test("analytic integrand: eᵗ to machine precision", arguments: [1, 2, 3, 7, 64])
  func exponential(panels: Int) {
    // 16 nodes on [0, 1]: the rule's error for eᵗ is ≈ 1e-40; only round-off remains.
    expectClose(GaussLegendre.pathRule.integrate(panels: panels, exp), M_E - 1, tolerance: 1e-15, "∫eᵗ")
  }

  @Test("the path rule has 16 nodes")
  func pathRule() {
    #expect(GaussLegendre.pathRule == GaussLegendre(nodes: 16))
    #expect(GaussLegendre.pathRule.nodes.count == 16)
  }
}
