/// A line chart as data: one or more named series over a shared x axis.
/// Rendered in the terminal (`TerminalPlot`), as SVG, or as JSON.
public struct Plot: Sendable, Equatable {
  /// One named series of (x, y) points.
  public struct Series: Sendable, Equatable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public init(name: String, x: [Double], y: [Double]) {
      self.name = name
      self.x = x
      self.y = y
    }
  }

  /// The chart's title.
  public var title: String
  /// The x axis label.
  public var xLabel: String
  /// The y axis label.
  public var yLabel: String
  /// The series, drawn in order.
  public var series: [Series]

  public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
  }

  /// The finite points' x and y ranges (each widened if degenerate).
  public var bounds: (x: ClosedRange<Double>, y: ClosedRange<Double>)? {
    let xs = series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }.map(\.0) }
    let ys = series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }.map(\.1) }
    guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else { return nil }
    func widen(_ a: Double, _ b: Double) -> ClosedRange<Double> {
      if b > a { return a...b }
      let pad = a == 0 ? 1 : abs(a) * 0.05
      return (a - pad)...(b + pad)
    }
    return (widen(x0, x1), widen(y0, y1))
  }
}
