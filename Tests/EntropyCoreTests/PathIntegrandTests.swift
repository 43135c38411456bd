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
/// at all it can be far larger, and `guessesMatter` shows the kernel then
/// really does lose those digits.
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
              RowKernels.covarianceAlong(zb, $0, t: t, top: top, high: hi, guess: guess)
            }
          }
          let scale = Self.plain(z, d, t, guess: guess).scale
          let label = "K = \(k) trial \(trial) t = \(t) guess \(guess)"
          #expect(
            abs(got.covariance - want.cov) <= 1e-12 * scale + 1e-300, "\(label): \(got.covariance) vs \(want.cov)")
          #expect(abs(got.meanX - want.x) <= 1e-12 * max(abs(want.x), 1), "\(label)")
          #expect(abs(got.meanD - want.d) <= 1e-12 * max(abs(want.d), 1), "\(label)")
          if guess == (want.x, want.d) || guess == (near.x, near.d) {
            // Realistic guesses: within the centred scale (up to 2× for the neighbour).
            #expect(abs(got.covariance - want.cov) <= 2e-12 * want.scale + 1e-300, "\(label)")
          }
        }
      }
    }
  }

  @Test("without centring guesses one pass loses digits; with them it does not")
  func guessesMatter() {
    // Δz near 1000 with a spread of 0.02: uncentred products are ~1e6 while
    // the covariance is ~1e-3, so (0, 0) guesses lose about 1e-10.
    var g = SplitMix64(seed: 31)
    let z = TestRandom.normals(16, scale: 1, using: &g)
    let d = TestRandom.uniforms(16, 999.99, 1000.01, using: &g)
    let want = Self.plain(z, d, 1)
    func cov(_ guess: (Double, Double)) -> Double {
      z.withUnsafeBufferPointer { zb in
        d.withUnsafeBufferPointer {
          RowKernels.covarianceAlong(zb, $0, t: 1, top: z.max() ?? 0, high: d.max() ?? 0, guess: guess).covariance
        }
      }
    }
    #expect(abs(cov((0, 0)) - want.cov) > 1e-12 * want.scale, "\(cov((0, 0))) vs \(want.cov)")
    #expect(abs(cov((want.x, want.d)) - want.cov) <= 1e-12 * want.scale)
  }

  @Test("a row with no live arm gives NaN from the single pass (the caller never asks)")
  func allDead() {
    let z: [Double] = [-.infinity, -.infinity]
    let got = z.withUnsafeBufferPointer {
      RowKernels.covarianceAlong($0, $0, t: 0.5, top: -.infinity, high: 0, guess: (0, 0))
    }
    #expect(got.covariance.isNaN)
  }

  @Test("logits near the re-centring threshold give the path integral of the shifted row")
  func largeLogits() {
    // Softmax is shift-invariant; z − top is exact, so the path integral of
    // z + 2²⁰ matches that of z to rounding of the integral itself.
    var g = SplitMix64(seed: 77)
    for k in [3, 17, 300] {
      // Multiples of 2⁻³², so that z + 2²⁰ is exact (its ulp is 2⁻³²).
      let z = TestRandom.normals(k, scale: 2, using: &g).map { ($0 * 0x1p32).rounded() / 0x1p32 }
      let d = TestRandom.uniforms(k, -1.5, 1.5, using: &g)
      let base = Row.predict(z, d).pathIntegral
      let far = Row.predict(z.map { $0 + 1_048_576 }, d).pathIntegral
      #expect(abs(far - base) <= 1e-15 * max(abs(base), 1e-3), "K = \(k): \(far) vs \(base)")
    }
  }

  @Test("a NaN change on a live arm gives a NaN path integral")
  func nanChange() {
    #expect(Row.predict([0, 1, 2], [0, .nan, 0]).pathIntegral.isNaN)
    #expect(Row.predict([0, 1, 2], [.nan, .nan, .nan]).pathIntegral.isNaN)
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
