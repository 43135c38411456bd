import Foundation

/// Draws a `Plot` as SVG: a fixed-size line chart with axes, 1-2-5 ticks
/// and their labels, axis labels, a title and, for several series, a
/// legend. Used by `export svg` (a standalone file) and by the HTML
/// handout (inline charts).
///
/// Properties:
/// - the output is well-formed XML; every piece of user text is escaped;
/// - each run of consecutive finite points of a series is one
///   `<polyline>`; a non-finite point breaks the line, and a lone finite
///   point between breaks is drawn as a dot;
/// - series take distinct colours from the Okabe–Ito palette (safe for
///   the common colour-vision deficiencies) and, after the first, dash
///   patterns too: series that coincide (a control that did nothing) stay
///   visible as interleaved dashes, and the chart reads in grey print;
/// - nothing depends on the clock or the machine: the same plot gives the
///   same bytes.
///
/// Edge cases: a plot with no finite point gives a chart frame with the
/// title and "nothing to plot".
public enum SVGChart {
  /// The chart's width in SVG user units (pixels at 100 %).
  public static let width = 720.0
  /// The chart's height in SVG user units.
  public static let height = 360.0

  /// The Okabe–Ito colours, ordered for contrast on white (yellow last).
  public static let palette = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
  ]

  /// Dash patterns of series 1, 2, 3, … (cycled; 6 against the palette's
  /// 8 colours gives 24 distinct strokes).
  static let dashes = ["", "9 5", "2 4", "12 4 3 4", "5 3", "1 3"]

  /// The fonts asked for; all common system fonts, none downloaded.
  static let fontFamily = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"

  /// A standalone SVG document (with an XML declaration), for a `.svg` file.
  public static func document(_ plot: Plot) -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + element(plot) + "\n"
  }

  /// The `<svg>` element alone, for embedding in an HTML page.
  public static func element(_ original: Plot) -> String {
    if !original.panels.isEmpty { return stacked(original) }
    let plot = original.drawn
    var svg = SVGWriter()
    let w = fmt(width)
    let h = fmt(height)
    svg.open(
      "svg",
      [
        ("xmlns", "http://www.w3.org/2000/svg"), ("width", w), ("height", h), ("viewBox", "0 0 \(w) \(h)"),
        ("role", "img"), ("font-family", fontFamily), ("font-size", "12"), ("class", "entropylab-chart"),
      ])
    svg.element("title", text: plot.title)
    svg.empty("rect", [("x", "0"), ("y", "0"), ("width", w), ("height", h), ("fill", "#ffffff")])
    let titleSize = min(15, max(10, (width - 40) / (Double(plot.title.count) * 0.62)))
    svg.element(
      "text", text: plot.title,
      [
        ("x", fmt(width / 2)), ("y", "24"), ("text-anchor", "middle"), ("font-size", fmt(titleSize)),
        ("font-weight", "bold"),
      ])

    guard let bounds = plot.bounds else {
      svg.element(
        "text", text: "nothing to plot",
        [("x", fmt(width / 2)), ("y", fmt(height / 2)), ("text-anchor", "middle"), ("fill", "#666666")])
      svg.close("svg")
      return svg.text
    }
    // The x axis (steps) ends where the data end; the y axis is widened
    // to whole ticks so the curve never touches the frame.
    let xTicks = AxisTicks(covering: bounds.x, target: 8, widen: false)
    let yTicks = AxisTicks(covering: bounds.y, target: 5)
    func logLabel(_ v: Double) -> String { NumberStyle.general(3).format(pow(10, v)) }
    let yLabels = plot.logY ? yTicks.values.map(logLabel) : yTicks.values.map(yTicks.label)
    let yLabelWidth = (yLabels.map { textWidth($0, size: 11) }.max() ?? 0)

    // Layout: title, legend rows, plot area, tick labels, axis label.
    let left = 20 + 8 + yLabelWidth + 8
    let right = 20.0
    let names = plot.legendNames
    let legend = legendLayout(names, from: left, to: width - right, top: 38)
    let top = (legend.last.map { $0.y + 14 } ?? 34) + 8
    let bottom = height - 46
    let area = PlotArea(left: left, top: top, right: width - right, bottom: bottom, x: xTicks, y: yTicks)

    // Grid and tick labels.
    svg.open("g", [("class", "grid"), ("stroke", "#e4e4e4"), ("stroke-width", "1")])
    for v in xTicks.values { svg.empty("line", line(area.px(v), top, area.px(v), bottom)) }
    for v in yTicks.values { svg.empty("line", line(left, area.py(v), area.right, area.py(v))) }
    svg.close("g")
    if yTicks.lower < 0 && yTicks.upper > 0 {
      svg.empty(
        "line", line(left, area.py(0), area.right, area.py(0)) + [("stroke", "#9a9a9a"), ("stroke-width", "1")])
    }
    svg.open("g", [("class", "axes"), ("stroke", "#333333"), ("stroke-width", "1")])
    svg.empty("line", line(left, bottom, area.right, bottom))
    svg.empty("line", line(left, top, left, bottom))
    for v in xTicks.values { svg.empty("line", line(area.px(v), bottom, area.px(v), bottom + 5)) }
    for v in yTicks.values { svg.empty("line", line(left - 5, area.py(v), left, area.py(v))) }
    svg.close("g")
    svg.open("g", [("class", "tick-labels"), ("font-size", "11"), ("fill", "#333333")])
    for v in xTicks.values {
      svg.element(
        "text", text: plot.logX ? logLabel(v) : xTicks.label(v),
        [("x", fmt(area.px(v))), ("y", fmt(bottom + 18)), ("text-anchor", "middle")])
    }
    for (v, label) in zip(yTicks.values, yLabels) {
      svg.element("text", text: label, [("x", fmt(left - 8)), ("y", fmt(area.py(v) + 4)), ("text-anchor", "end")])
    }
    svg.close("g")

    // Axis labels.
    svg.element(
      "text", text: plot.xLabel,
      [("x", fmt((left + area.right) / 2)), ("y", fmt(height - 10)), ("text-anchor", "middle")])
    let midY = fmt((top + bottom) / 2)
    svg.element(
      "text", text: plot.yLabel,
      [("x", "16"), ("y", midY), ("text-anchor", "middle"), ("transform", "rotate(-90 16 \(midY))")])

    // Series, then the legend on top.
    for (index, series) in plot.series.enumerated() {
      let stroke = strokeAttributes(index)
      svg.open("g", [("class", "series"), ("data-name", series.name)])
      if let lower = series.lower, let upper = series.upper {
        let spread = zip(series.x, zip(lower, upper)).filter { $0.0.isFinite && $0.1.0.isFinite && $0.1.1.isFinite }
        if series.bars {
          for (x, (lo, hi)) in spread {
            let px = area.px(x)
            svg.empty(
              "line", line(px, area.py(lo), px, area.py(hi)) + [("stroke", stroke[0].1), ("stroke-width", "1.5")])
            for v in [lo, hi] {
              svg.empty(
                "line",
                line(px - 4, area.py(v), px + 4, area.py(v)) + [("stroke", stroke[0].1), ("stroke-width", "1.5")])
            }
          }
        } else if spread.count > 1 {
          let points =
            (spread.map { fmt(area.px($0.0)) + "," + fmt(area.py($0.1.1)) }
            + spread.reversed().map { fmt(area.px($0.0)) + "," + fmt(area.py($0.1.0)) }).joined(separator: " ")
          svg.empty(
            "polygon",
            [
              ("class", "band"), ("fill", stroke[0].1), ("fill-opacity", "0.15"), ("stroke", "none"),
              ("points", points),
            ])
        }
      }
      for run in finiteRuns(series) {
        if run.count == 1, let p = run.first {
          svg.empty(
            "circle", [("cx", fmt(area.px(p.0))), ("cy", fmt(area.py(p.1))), ("r", "2.5"), ("fill", stroke[0].1)])
        } else {
          let points = run.map { fmt(area.px($0.0)) + "," + fmt(area.py($0.1)) }.joined(separator: " ")
          svg.empty(
            "polyline",
            [("fill", "none"), ("stroke-width", "2"), ("stroke-linejoin", "round"), ("stroke-linecap", "round")]
              + stroke
              + [("points", points)])
        }
      }
      svg.close("g")
    }
    if plot.series.count > 1 {
      svg.open("g", [("class", "legend"), ("font-size", "12"), ("fill", "#222222")])
      for (index, item) in legend.enumerated() {
        svg.empty(
          "line", line(item.x, item.y, item.x + 30, item.y) + [("stroke-width", "2.5")] + strokeAttributes(index))
        svg.element("text", text: names[index], [("x", fmt(item.x + 36)), ("y", fmt(item.y + 4))])
      }
      svg.close("g")
    }
    svg.close("svg")
    return svg.text
  }

  /// Where the plot area is and how data map into it.
  struct PlotArea {
    var left: Double
    var top: Double
    var right: Double
    var bottom: Double
    var x: AxisTicks
    var y: AxisTicks
    /// The horizontal position of data value `v`.
    func px(_ v: Double) -> Double { left + (v - x.lower) / (x.upper - x.lower) * (right - left) }
    /// The vertical position of data value `v` (up is larger).
    func py(_ v: Double) -> Double { bottom - (v - y.lower) / (y.upper - y.lower) * (bottom - top) }
  }

  /// The legend's entries placed left to right, wrapping into rows; one
  /// series gets no legend (the title names it).
  static func legendLayout(_ names: [String], from left: Double, to right: Double, top: Double) -> [(
    x: Double, y: Double
  )] {
    guard names.count > 1 else { return [] }
    var placed: [(x: Double, y: Double)] = []
    var x = left
    var y = top
    for name in names {
      let itemWidth = 36 + textWidth(name, size: 12) + 18
      if x > left && x + itemWidth > right {
        x = left
        y += 18
      }
      placed.append((x, y))
      x += itemWidth
    }
    return placed
  }

  /// Stacked panels: one chart per panel, one under the other, under the
  /// plot's title (each panel has the shared x range, see `Plot.stacked`).
  static func stacked(_ plot: Plot) -> String {
    let top = 36.0
    let total = top + height * Double(plot.panels.count)
    var svg = SVGWriter()
    svg.open(
      "svg",
      [
        ("xmlns", "http://www.w3.org/2000/svg"), ("width", fmt(width)), ("height", fmt(total)),
        ("viewBox", "0 0 \(fmt(width)) \(fmt(total))"), ("role", "img"), ("font-family", fontFamily),
        ("font-size", "12"), ("class", "entropylab-chart"),
      ])
    svg.element("title", text: plot.title)
    svg.empty("rect", [("x", "0"), ("y", "0"), ("width", fmt(width)), ("height", fmt(total)), ("fill", "#ffffff")])
    svg.element(
      "text", text: plot.title,
      [("x", fmt(width / 2)), ("y", "24"), ("text-anchor", "middle"), ("font-size", "15"), ("font-weight", "bold")])
    var text = svg.text
    for (i, panel) in plot.panels.enumerated() {
      // A nested <svg> placed at its offset.
      let inner = element(panel)
      text += "<svg x=\"0\" y=\"\(fmt(top + height * Double(i)))\"" + inner.dropFirst(4) + "\n"
    }
    return text + "</svg>"
  }

  /// The stroke colour and dash pattern of series `index`.
  static func strokeAttributes(_ index: Int) -> [(String, String)] {
    var attributes = [("stroke", palette[index % palette.count])]
    let dash = dashes[index % dashes.count]
    if !dash.isEmpty { attributes.append(("stroke-dasharray", dash)) }
    return attributes
  }

  /// The runs of consecutive points whose x and y are both finite.
  static func finiteRuns(_ series: Plot.Series) -> [[(Double, Double)]] {
    var runs: [[(Double, Double)]] = []
    var current: [(Double, Double)] = []
    for (x, y) in zip(series.x, series.y) {
      if x.isFinite && y.isFinite {
        current.append((x, y))
      } else if !current.isEmpty {
        runs.append(current)
        current = []
      }
    }
    if !current.isEmpty { runs.append(current) }
    return runs
  }

  /// An estimate of the width of `text` at font `size` (no font metrics
  /// are at hand; DejaVu Sans averages about 0.62 em per character).
  static func textWidth(_ text: String, size: Double) -> Double {
    Double(text.count) * size * 0.62
  }

  /// The attributes of a line from (x1, y1) to (x2, y2).
  static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> [(String, String)] {
    [("x1", fmt(x1)), ("y1", fmt(y1)), ("x2", fmt(x2)), ("y2", fmt(y2))]
  }

  /// A coordinate with at most two decimals and no trailing zeros.
  static func fmt(_ v: Double) -> String {
    var s = String(format: "%.2f", v)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s == "-0" ? "0" : s
  }
}
