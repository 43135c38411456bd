import EntropyCore
import Foundation
import Testing

@testable import EntropyCore

/// The single-pass path integrand (used at the quadrature nodes when Δz
/// spans at most 512) against the three-pass one and a plain reference.
///
/// Tolerance 1e-12 of the scale of the products the kernel sums,
/// E_π|x − x̂|·|d − d̂| for guesses (x̂, d̂): rounding in sums of up to
/// 2,049 terms, as for the other moment kernels (`KernelTests`). With the
/// guesses the path integral uses (exact at t = 0, then the previous node's
/// means) that is the centred scale E_π|x − E x|·|d − E d|; with no guess
/// at all (0, 0) and Δz near 50 it is thousands of times larger, and the
/// test shows the kernel then really does lose those digits.
@Suite("Single-pass path integrand")
struct PathIntegrandTests {
  static let sizes = [1, 2, 15, 16, 17, 100, 2049]

  /// Plain E_t[z + t·d], E_t[d], Cov_t and E|x − x̂|·|d − d̂| for the
  /// guesses (x̂, d̂) (nil: the exact means), from the definitions.
  static func plain(_ z: [Double], _ d: [Double], _ t: Double, guess: (Double, Double)? = nil) -> (
    x: Double, d: Double, cov: Double, scale: Double
  ) {
    let zt = z.indices.map { z[$0] == -.infinity ? -Double.infinity : z[$0] + t * d[$0] }
    let p = Reference.softmax(zt)
    var ex = 0.0
    var ed = 0.0
    for i in p.indices where p[i] > 0 {
      ex += p[i] * zt[i]
      ed += p[i] * d[i]
    }
    let (gx, gd) = guess ?? (ex, ed)
    var cov = 0.0
    var scale = 0.0
    for i in p.indices where p[i] > 0 {
      cov += p[i] * (zt[i] - ex) * (d[i] - ed)
      scale += p[i] * abs(zt[i] - gx) * abs(d[i] - gd)
    }
    return (ex, ed, cov, scale)
  }

  @Test("equals the plain covariance and means for any centring guess", arguments: sizes)
  func matchesPlain(_ k: Int) {
    var g = SplitMix64(seed: UInt64(k) &+ 900)
    var unguessedLosses = 0
    for trial in 0..<4 {
      var z = TestRandom.normals(k, scale: 3, using: &g)
      for i in z.indices where g.nextUnit() < 0.2 { z[i] = -.infinity }
      if !z.contains(where: \.isFinite) { z[0] = 0 }
      var d = TestRandom.uniforms(k, -4, 4, using: &g)
      if trial == 3 { d = d.map { $0 + 50 } }  // a large mean: the guesses matter
      let live = z.indices.filter { z[$0] > -.infinity }
      let top = live.map { z[$0] }.max() ?? 0
      let hi = live.map { d[$0] }.max() ?? 0
      var dirty = d
      for i in z.indices where z[i] == -.infinity { dirty[i] = .nan }  // never read
      for t in [0.0, 0.37, 1.0] {
        let want = Self.plain(z, d, t)
        // Exact guesses, the means at a neighbouring node (what the path
        // integral passes), guesses off by a few units, and none at all.
        let near = Self.plain(z, d, t == 0 ? 0.05 : t - 0.05)
        for guess in [(want.x, want.d), (near.x, near.d), (want.x + 5, want.d - 0.5), (0.0, 0.0)] {
          let got = z.withUnsafeBufferPointer { zb in
            dirty.withUnsafeBufferPointer {
              RowKernels.covarianceAlong(zb, $0, t: t, shift: top + t * hi, guess: guess)
            }
          }
          let scale = Self.plain(z, d, t, guess: guess).scale
          let label = "K = \(k) trial \(trial) t = \(t) guess \(guess)"
          #expect(
            abs(got.covariance - want.cov) <= 1e-12 * scale + 1e-300, "\(label): \(got.covariance) vs \(want.cov)")
          #expect(abs(got.meanX - want.x) <= 1e-12 * max(abs(want.x), 1), "\(label)")
          #expect(abs(got.meanD - want.d) <= 1e-12 * max(abs(want.d), 1), "\(label)")
          if guess == (0, 0), abs(got.covariance - want.cov) > 1e-12 * want.scale { unguessedLosses += 1 }
          if guess == (want.x, want.d) || guess == (near.x, near.d) {
            // Realistic guesses: within the centred scale (up to 2× for the neighbour).
            #expect(abs(got.covariance - want.cov) <= 2e-12 * want.scale + 1e-300, "\(label)")
          }
        }
      }
    }
    if k == 2 || k == 15 {
      // Without guesses these rows (Δz near 50 in trial 3) lose digits the
      // centred scale does not allow: the guesses are what make one pass safe.
      #expect(unguessedLosses > 0, "K = \(k)")
    }
  }

  @Test("a row with no live arm gives NaN from the single pass (the caller never asks)")
  func allDead() {
    let z: [Double] = [-.infinity, -.infinity]
    let got = z.withUnsafeBufferPointer { RowKernels.covarianceAlong($0, $0, t: 0.5, shift: 0, guess: (0, 0)) }
    #expect(got.covariance.isNaN)
  }

  @Test("spans above the single-pass limit still give the exact change (three-pass integrand)")
  func wideSpans() throws {
    // Span 600 > 512: the three-pass integrand, 300 panels.
    for (z, d) in [([0.0, 1, -2], [300.0, -300, 0]), ([2.0, -1, 0.5, 0], [-250.0, 350, 0, 10])] {
      let path = Row.predict(z, d).pathIntegral
      let actual = try Row.actualChange(z, d)
      // 1e-12: the suite tolerance of PathIntegralTests (K ≤ 4, H ≤ log 4).
      #expect(abs(path - actual) <= 1e-12, "\(path) vs \(actual)")
    }
  }
}
