import Foundation
import Testing

@testable import EntropyCore

/// The token entropy-change kernel against literature.md §0 (V0) and an
/// independent route: the directional derivative (e_k − π)·∇H computed by
/// the test's own `Reference` (a second implementation) and by central
/// finite differences.
///
/// Tolerances: the spec prints 10 decimals, so half a unit there (5e-11);
/// two implementations of the same closed form agree to 1e-15 at |T| < 1;
/// a central difference with h = 1e-5 has error O(h²·H‴) ≈ 1e-10 plus
/// rounding 1e-16/1e-5 = 1e-11, so 1e-9.
@Suite("Token entropy-change kernel (literature §0)")
struct TokenEntropyKernelTests {
  static let z = [1.0, 0, -1, 0.5]
  static let pi = Reference.softmax(z)

  @Test("V0: S, C, T and H are the spec's printed values")
  func specVector() {
    let k = TokenEntropyKernel(probabilities: Self.pi)
    expectClose(k.entropy, 1.1929791180, tolerance: 5e-11, "H")
    expectClose(k.sampledPart, [0.2115951300, -0.0965299895, -0.0996590840, -0.0154060565], tolerance: 5e-11, "S")
    expectClose(k.correction, 0.0726400904, tolerance: 5e-11, "C")
    expectClose(k.kernel, [-0.1389550396, 0.1691700799, 0.1722991744, 0.0880461469], tolerance: 5e-11, "T")
  }

  @Test("T_k is the derivative of H along e_k − π, by a second implementation and by finite differences")
  func directionalDerivative() {
    var g = SplitMix64(seed: 15)
    for _ in 0..<20 {
      let z = TestRandom.normals(6, scale: 2, using: &g)
      let p = Reference.softmax(z)
      let kernel = TokenEntropyKernel(probabilities: p)
      let grad = Reference.entropyGradient(z)
      for k in 0..<6 {
        let d = p.indices.map { (($0 == k) ? 1.0 : 0) - p[$0] }
        let exact = zip(grad, d).reduce(0) { $0 + $1.0 * $1.1 }
        expectClose(kernel.kernel(arm: k), exact, tolerance: 1e-15, "T_\(k) vs ∇H·(e_k − π)")
        let h = 1e-5
        let up = zip(z, d).map { $0 + h * $1 }
        let down = zip(z, d).map { $0 - h * $1 }
        let fd = (Reference.entropy(up) - Reference.entropy(down)) / (2 * h)
        expectClose(kernel.kernel(arm: k), fd, tolerance: 1e-9, "T_\(k) vs central difference")
      }
      // Σ_k π_k·T_k = 0: the expected single-sample step changes no logit.
      let mean = zip(p, kernel.kernel).reduce(0) { $0 + $1.0 * $1.1 }
      expectClose(mean, 0, tolerance: 1e-15, "E_π[T]")
    }
  }

  @Test("an arm with π = 0 has S = 0 and adds nothing to C")
  func deadArm() {
    let k = TokenEntropyKernel(probabilities: [0.5, 0.5, 0])
    #expect(k.sampledPart[2] == 0)
    expectClose(k.entropy, log(2), tolerance: 1e-15, "H")
    // log(0.5) + log 2 = 0: both live arms have S = 0, so C = 0 and T = 0.
    expectClose(k.kernel, [0, 0, 0], tolerance: 1e-15, "T")
  }
}
