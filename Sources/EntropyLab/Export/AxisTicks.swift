import Foundation

/// "Nice" ticks for a chart axis: evenly spaced values with a step of 1, 2
/// or 5 × 10^k, over a domain either widened to whole steps (a value axis)
/// or kept to the data (a step axis, which then ends where the data end).
///
/// Properties:
/// - every tick is an integer multiple of `step`;
/// - the domain `lower...upper` contains the requested range; widened, its
///   ends are the first and last ticks, else every tick lies inside it;
/// - about `target` intervals (between `target / 2.5` and `target × 2.5`).
///
/// Edge cases: an empty, inverted or non-finite range, or one too narrow
/// for its magnitude to be split, gives the range's own ends as the only
/// ticks (widened by one if they coincide).
struct AxisTicks: Equatable {
  /// The first tick; the axis starts here.
  var lower: Double
  /// The last tick; the axis ends here.
  var upper: Double
  /// The spacing of the ticks.
  var step: Double
  /// The tick values, from `lower` to `upper`.
  var values: [Double]

  /// Ticks covering `range` with about `target` intervals; `widen: false`
  /// keeps the domain to `range` and drops the ticks outside it.
  init(covering range: ClosedRange<Double>, target: Int, widen: Bool = true) {
    let a = range.lowerBound
    let b = range.upperBound
    let span = b - a
    guard a.isFinite, b.isFinite, span > 0, span.isFinite, target > 0 else {
      self.init(fallback: a.isFinite ? a : 0, b.isFinite ? b : 1)
      return
    }
    let raw = span / Double(target)
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    let residual = raw / magnitude
    let nice: Double = residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10
    let step = nice * magnitude
    let first = (a / step).rounded(.down)
    let last = (b / step).rounded(.up)
    // A range tiny against its magnitude (1e15 ± 1e-3) cannot be split
    // into representable steps.
    guard step > 0, step.isFinite, last > first, last - first <= Double(target) * 3 + 2,
      first * step != last * step
    else {
      self.init(fallback: a, b)
      return
    }
    let values = stride(from: first, through: last, by: 1).map { k -> Double in
      let v = k * step
      // Snap rounding noise around zero (3 × 0.1 − 0.3) to an exact 0.
      return abs(v) < step * 1e-9 ? 0 : v
    }
    guard widen else {
      // Keep ticks inside the data range (with a hair of slack for rounding).
      let inside = values.filter { $0 >= a - step * 1e-9 && $0 <= b + step * 1e-9 }
      self.init(lower: a, upper: b, step: step, values: inside.isEmpty ? [a, b] : inside)
      return
    }
    self.init(lower: values.first ?? a, upper: values.last ?? b, step: step, values: values)
  }

  /// `count` evenly spaced ticks from the range's lower to its upper end
  /// (for a range too narrow for nice steps), labelled to 6 digits.
  init(evenly range: ClosedRange<Double>, count: Int) {
    let (lo, hi) =
      range.upperBound > range.lowerBound
      ? (range.lowerBound, range.upperBound) : (range.lowerBound - 1, range.lowerBound + 1)
    let step = (hi - lo) / Double(max(1, count - 1))
    self.init(lower: lo, upper: hi, step: step, values: (0..<count).map { lo + Double($0) * step })
  }

  /// The range's own ends as the only ticks.
  private init(fallback a: Double, _ b: Double) {
    let (lo, hi) = a < b ? (a, b) : a == b ? (a - 1, a + 1) : (b, a)
    self.init(lower: lo, upper: hi, step: hi - lo, values: [lo, hi])
  }

  /// Ticks from their parts.
  private init(lower: Double, upper: Double, step: Double, values: [Double]) {
    self.lower = lower
    self.upper = upper
    self.step = step
    self.values = values
  }

  /// Whether labels use scientific notation: values of magnitude ≥ 10⁶ or
  /// all below 10⁻³.
  var scientific: Bool {
    let largest = values.map(abs).max() ?? 0
    return largest >= 1e6 || (largest > 0 && largest < 1e-3)
  }

  /// The label of tick `value`: as many decimals as the step needs, in
  /// fixed or scientific notation (`0.25`, `-2.0e-05`), and `0` for zero.
  func label(_ value: Double) -> String {
    if value == 0 { return "0" }
    // The epsilon keeps log10(1e-5) = −4.9999… from losing a digit.
    let stepExponent = Int((log10(step) + 1e-9).rounded(.down))
    if scientific {
      let largest = values.map(abs).max() ?? abs(value)
      let exponent = Int((log10(largest) + 1e-9).rounded(.down))
      let digits = min(15, max(0, exponent - stepExponent))
      return String(format: "%.\(digits)e", value)
    }
    let digits = min(15, max(0, -stepExponent))
    return NumberStyle.clean(String(format: "%.\(digits)f", value))
  }
}
