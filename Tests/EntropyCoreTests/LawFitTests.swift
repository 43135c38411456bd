import Foundation
import Testing

@testable import EntropyCore

/// The law R = −a·e^H + b fitted by least squares of R on x = e^H (spec §3).
@Suite("LawFit: R = −a·e^H + b")
struct LawFitTests {
  static let a = 0.23
  static let b = 0.81

  static func entropies(_ n: Int, from lo: Double, to hi: Double) -> [Double] {
    (0..<n).map { lo + (hi - lo) * Double($0) / Double(n - 1) }
  }

  /// Rewards that never change: the fit is the flat line R = b (a = 0),
  /// which explains every point, so R² = 1 by the convention 0/0 → perfect
  /// fit (syy = sse = 0). 0.5 is a power of two, so every mean is exact.
  @Test("a flat fit (constant rewards): a = 0, b = R, R² = 1, RMSE = 0")
  func flatFit() throws {
    let h = Self.entropies(5, from: 0.1, to: 1.2)
    let fit = try #require(try LawFit.fit(entropies: h, rewards: [Double](repeating: 0.5, count: 5)))
    #expect(fit.a == 0)
    #expect(fit.b == 0.5)
    #expect(fit.rSquared == 1)
    #expect(fit.rmse == 0)
  }

  @Test("exact data: a and b to 1e-12, R² = 1, RMSE ≈ 0, ceiling −a + b")
  func exactData() throws {
    let h = Self.entropies(60, from: 0.05, to: 2.5)
    let r = h.map { -Self.a * exp($0) + Self.b }
    let fit = try #require(try LawFit.fit(entropies: h, rewards: r))
    expectClose(fit.a, Self.a, tolerance: 1e-12, "a")
    expectClose(fit.b, Self.b, tolerance: 1e-12, "b")
    expectClose(fit.rSquared, 1, tolerance: 1e-12, "R²")
    #expect(fit.rmse < 1e-13)
    #expect(fit.points == 60)
    expectClose(fit.ceiling, -Self.a + Self.b, tolerance: 1e-12, "ceiling")
    expectClose(fit.predict(entropy: 0), fit.ceiling, tolerance: 1e-15, "R(H = 0)")
    expectClose(fit.predict(entropy: 1.3), -Self.a * exp(1.3) + Self.b, tolerance: 1e-12, "R(1.3)")
  }

  /// Ordinary least squares with noise σ: se(slope) = σ/√Sxx and
  /// se(intercept) = σ·√(1/n + x̄²/Sxx) with x = e^H. Each estimate must be
  /// within 5 standard errors of the truth (≈ 6e-7 chance per check for a
  /// correct fit). With σ = 0.005, 200 points and H ∈ [0.1, 2] that is about
  /// ±0.0016 on a and ±0.0049 on b. The fitted RMSE must be σ within ±25%
  /// (5× the ≈ 5% relative spread of a 200-point RMSE).
  @Test("noisy data: a and b within 5 standard errors, RMSE ≈ σ (10 seeds)")
  func noisyData() throws {
    let sigma = 0.005
    let h = Self.entropies(200, from: 0.1, to: 2.0)
    let x = h.map { exp($0) }
    let mx = x.reduce(0, +) / 200
    let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    let seA = sigma / sxx.squareRoot()
    let seB = sigma * (1.0 / 200 + mx * mx / sxx).squareRoot()
    #expect(seA < 0.001 && seB < 0.001)
    for seed: UInt64 in 0..<10 {
      var g = SplitMix64(seed: seed)
      let r = h.map { -Self.a * exp($0) + Self.b + sigma * Sampling.standardNormal(using: &g) }
      let fit = try #require(try LawFit.fit(entropies: h, rewards: r))
      expectClose(fit.a, Self.a, tolerance: 5 * seA, "seed \(seed): a")
      expectClose(fit.b, Self.b, tolerance: 5 * seB, "seed \(seed): b")
      expectClose(fit.rmse, sigma, tolerance: 0.25 * sigma, "seed \(seed): RMSE")
      #expect(fit.rSquared > 0.99 && fit.rSquared < 1)
    }
  }

  @Test("the paper's Fig. 5 protocol: fit the first 15%, predict the rest with RMSE near the noise")
  func fitFirstPredictRest() throws {
    // A falling-entropy trajectory: H from 2 down to 0.1 over 236 points,
    // fitted on the first 36 (the highest entropies), predicting 200.
    let sigma = 0.005
    let h = Self.entropies(236, from: 2.0, to: 0.1)
    var g = SplitMix64(seed: 7)
    let r = h.map { -Self.a * exp($0) + Self.b + sigma * Sampling.standardNormal(using: &g) }
    let fit = try #require(try LawFit.fit(entropies: Array(h[..<36]), rewards: Array(r[..<36])))
    let rmse = fit.predictionRMSE(entropies: Array(h[36...]), rewards: Array(r[36...]))
    // Extrapolating in x = e^H widens the error: the standard error of the
    // fitted line at the farthest point is σ·√(1/n + (x − x̄)²/Sxx).
    let x = h[..<36].map { exp($0) }
    let mx = x.reduce(0, +) / 36
    let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    let seFar = sigma * (1.0 / 36 + pow(exp(0.1) - mx, 2) / sxx).squareRoot()
    #expect(rmse * rmse <= 1.5 * sigma * sigma + pow(5 * seFar, 2), "prediction RMSE \(rmse), σ \(sigma), se \(seFar)")
    #expect(rmse > 0.5 * sigma)
  }

  @Test("degenerate input: fewer than 2 points or a single entropy value gives nil")
  func degenerate() throws {
    #expect(try LawFit.fit(entropies: [], rewards: []) == nil)
    #expect(try LawFit.fit(entropies: [1.2], rewards: [0.4]) == nil)
    #expect(try LawFit.fit(entropies: [0.7, 0.7, 0.7], rewards: [0.1, 0.5, 0.3]) == nil)
    // Constant reward over varying entropy: a flat law, a = 0, b = R.
    let flat = try LawFit.fit(entropies: [0.1, 0.5, 1.0], rewards: [0.4, 0.4, 0.4])
    expectClose(flat?.a ?? .nan, 0, tolerance: 1e-15, "a of a flat law")
    expectClose(flat?.b ?? .nan, 0.4, tolerance: 1e-15, "b of a flat law")
    expectClose(flat?.rmse ?? .nan, 0, tolerance: 1e-15, "RMSE of a flat law")
    // Two points determine the line exactly.
    let two = try LawFit.fit(entropies: [0, log(2)], rewards: [0.5, 0.3])
    expectClose(two?.a ?? .nan, 0.2, tolerance: 1e-14, "a from two points")
    expectClose(two?.b ?? .nan, 0.7, tolerance: 1e-14, "b from two points")
  }

  @Test("predictionRMSE: √(mean squared error) against a hand sum; NaN for no points")
  func predictionRMSE() {
    let fit = LawFit(a: 0.3, b: 0.9, rSquared: 1, rmse: 0, points: 2)
    let h = [0.2, 0.8, 1.5]
    let offsets = [0.01, -0.02, 0.05]
    let r = zip(h, offsets).map { -0.3 * exp($0) + 0.9 + $1 }
    let expected = ((0.01 * 0.01 + 0.02 * 0.02 + 0.05 * 0.05) / 3).squareRoot()
    expectClose(fit.predictionRMSE(entropies: h, rewards: r), expected, tolerance: 1e-15, "RMSE")
    #expect(fit.predictionRMSE(entropies: [], rewards: []).isNaN)
  }
}
