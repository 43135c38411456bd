import Foundation

/// A line chart as data: one or more named series over a shared x axis.
/// Rendered in the terminal (`TerminalPlot`), as SVG, or as JSON.
public struct Plot: Sendable, Equatable {
  /// One named series of (x, y) points.
  public struct Series: Sendable, Equatable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// The lower and upper edges of an uncertainty (y ± std or ± SE), if any.
    public var lower: [Double]?
    public var upper: [Double]?
    /// Whether the uncertainty is drawn as error bars at the points
    /// (otherwise as a band along the line).
    public var bars = false
    public init(
      name: String, x: [Double], y: [Double], lower: [Double]? = nil, upper: [Double]? = nil, bars: Bool = false
    ) {
      self.name = name
      self.x = x
      self.y = y
      self.lower = lower
      self.upper = upper
      self.bars = bars
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
  /// Whether the x (y) axis is logarithmic: positions are log10 of the
  /// values (non-positive values are not drawn), labels are the values.
  public var logX = false
  public var logY = false
  /// Panels stacked under one another over a shared x axis (`plot entropy
  /// reward`); when not empty, the plot is these panels under its title,
  /// and its own series are not drawn.
  public var panels: [Plot] = []
  /// The x range to draw (nil: the data's), so stacked panels line up.
  public var xDomain: ClosedRange<Double>?

  public init(title: String, xLabel: String, yLabel: String, series: [Series], logX: Bool = false, logY: Bool = false) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.logX = logX
    self.logY = logY
  }

  /// Panels stacked over a shared x axis, under `title`: every panel gets
  /// the union of their x ranges.
  public static func stacked(title: String, _ panels: [Plot]) -> Plot {
    var plot = Plot(title: title, xLabel: panels.last?.xLabel ?? "", yLabel: "", series: [])
    let ranges = panels.compactMap { $0.drawn.bounds?.x }
    let domain = ranges.isEmpty ? nil : (ranges.map(\.lowerBound).min() ?? 0)...(ranges.map(\.upperBound).max() ?? 1)
    plot.panels = panels.map { panel in
      var p = panel
      p.xDomain = domain
      return p
    }
    return plot
  }

  /// The legend names: a series equal to an earlier one (same points) is
  /// named "B (coincides with A)", so a curve hidden under another is
  /// still accounted for (names already marked are kept).
  public var legendNames: [String] {
    series.enumerated().map { i, s in
      guard !s.name.contains("(coincides with"), !s.y.isEmpty,
        let j = series.prefix(i).firstIndex(where: { $0.x == s.x && $0.y == s.y })
      else { return s.name }
      return s.name + " (coincides with \(series[j].name))"
    }
  }

  /// The plot in drawing coordinates: log10 of the values on a log axis
  /// (non-positive values become NaN, so they are skipped), with the log
  /// flags kept so renderers can label ticks with the values.
  public var drawn: Plot {
    guard logX || logY else { return self }
    func t(_ v: [Double], _ on: Bool) -> [Double] { on ? v.map { $0 > 0 ? log10($0) : .nan } : v }
    var copy = self
    copy.panels = panels.map(\.drawn)
    copy.series = series.map { s in
      var c = s
      c.x = t(s.x, logX)
      c.y = t(s.y, logY)
      c.lower = s.lower.map { t($0, logY) }
      c.upper = s.upper.map { t($0, logY) }
      return c
    }
    return copy
  }

  /// A drawing coordinate's label: the value itself on a log axis.
  public static func value(_ v: Double, log: Bool) -> Double { log ? pow(10, v) : v }

  /// The finite points' x and y ranges (each widened if degenerate).
  public var bounds: (x: ClosedRange<Double>, y: ClosedRange<Double>)? {
    let xs = series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }.map(\.0) }
    var ys = series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }.map(\.1) }
    for s in series {
      for edge in [s.lower, s.upper].compactMap({ $0 }) {
        ys += zip(s.x, edge).filter { $0.0.isFinite && $0.1.isFinite }.map(\.1)
      }
    }
    guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else { return nil }
    func widen(_ a: Double, _ b: Double) -> ClosedRange<Double> {
      if b > a { return a...b }
      let pad = a == 0 ? 1 : abs(a) * 0.05
      return (a - pad)...(b + pad)
    }
    return (xDomain ?? widen(x0, x1), widen(y0, y1))
  }
}
