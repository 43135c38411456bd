import Foundation

/// The paper's entropy–performance law R = −a·e^H + b (Eq. 6), fitted by
/// ordinary least squares of R on the feature x = e^H (closed form: slope
/// −a, intercept b). The paper does not state its fitting method; this is
/// the natural one, since the model is linear in (a, b).
///
/// Properties: the predicted ceiling at H = 0 is −a + b; dR/dH = −a·e^H, so
/// a is the rate at which entropy is converted into reward.
public struct LawFit: Sendable, Equatable {
  /// The coefficient a.
  public var a: Double
  /// The coefficient b.
  public var b: Double
  /// Coefficient of determination on the fitted points.
  public var rSquared: Double
  /// Root-mean-square error on the fitted points.
  public var rmse: Double
  /// Points used.
  public var points: Int

  /// The predicted reward at entropy `h`.
  public func predict(entropy h: Double) -> Double { -a * exp(h) + b }

  /// The predicted ceiling at H = 0: −a + b.
  public var ceiling: Double { -a + b }

  /// Fits the law to (entropy, reward) pairs.
  ///
  /// - Returns: nil with fewer than 2 points or when every e^H is the same
  ///   (the slope is then undetermined).
  /// - Throws: `CoreError.shapeMismatch` unless there is one reward per
  ///   entropy.
  public static func fit(entropies h: [Double], rewards r: [Double]) throws(CoreError) -> LawFit? {
    guard h.count == r.count else { throw .shapeMismatch(expected: h.count, got: r.count) }
    let n = Double(h.count)
    guard h.count >= 2 else { return nil }
    let x = h.map { exp($0) }
    let mx = x.reduce(0, +) / n
    let my = r.reduce(0, +) / n
    var sxx = 0.0
    var sxy = 0.0
    var syy = 0.0
    for i in x.indices {
      sxx += (x[i] - mx) * (x[i] - mx)
      sxy += (x[i] - mx) * (r[i] - my)
      syy += (r[i] - my) * (r[i] - my)
    }
    guard sxx > 1e-300 * max(1, mx * mx) else { return nil }
    let slope = sxy / sxx
    let fit = LawFit(a: -slope, b: my - slope * mx, rSquared: 0, rmse: 0, points: h.count)
    let sse = zip(h, r).reduce(0) { $0 + pow($1.1 - fit.predict(entropy: $1.0), 2) }
    var result = fit
    result.rmse = (sse / n).squareRoot()
    result.rSquared = syy > 0 ? 1 - sse / syy : 1
    return result
  }

  /// RMSE of this fit's predictions on other points.
  public func predictionRMSE(entropies h: [Double], rewards r: [Double]) -> Double {
    guard !h.isEmpty else { return .nan }
    let sse = zip(h, r).reduce(0) { $0 + pow($1.1 - predict(entropy: $1.0), 2) }
    return (sse / Double(h.count)).squareRoot()
  }
}
