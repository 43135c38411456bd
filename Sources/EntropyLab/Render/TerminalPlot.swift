/// Draws a `Plot` in the terminal: Unicode braille (2 × 4 dots per cell,
/// blank cells as U+2800) for one series on a Unicode terminal; plain
/// ASCII markers otherwise, so transcripts stay stable and diffable.
///
/// The plot takes the output's width (80 columns when it has none). The
/// y axis has at least four labelled ticks at "nice" values (`AxisTicks`),
/// all printed with the same number of decimals; the x axis has labelled
/// ticks too. Stacked panels (`Plot.panels`) share the x axis, which is
/// labelled once under the last. A series that coincides with an earlier
/// one, or is entirely hidden under later ones at this resolution, says
/// so in the legend. With colour, each series has its own ANSI colour.
public enum TerminalPlot {
  /// The plot's width in columns (labels included) when the output has no
  /// width limit.
  public static let defaultWidth = 80
  /// Plot area height in character cells.
  public static let height = 12

  /// ASCII markers for series 1, 2, 3, … (twelve: a compare of every control gets one each)
  static let markers: [Character] = ["*", "+", "o", "x", "#", "@", "%", "=", "&", "~", "$", "?"]
  /// ANSI colours of series 1, 2, 3, … (the 16 base colours, so themes apply).
  static let colors = ["34", "31", "32", "35", "36", "33"]

  /// The chart as text lines.
  public static func render(_ original: Plot, unicode: Bool, width total: Int? = nil, color: Bool = false) -> String {
    let plot = original.drawn
    let panels = plot.panels.isEmpty ? [plot] : plot.panels
    let drawable = panels.filter { $0.bounds != nil }
    guard !drawable.isEmpty else { return "\(plot.title): nothing to plot yet" }
    let ticks = panels.map { panel in panel.bounds.map { yTicks($0.y, log: panel.logY) } }
    let labelWidth =
      zip(panels, ticks).compactMap { panel, t in t.map { labels($0, log: panel.logY) } }
      .flatMap { $0 }.map(\.count).max() ?? 1
    let width = max(20, (total ?? defaultWidth) - labelWidth - 2)
    var lines = [plot.title]
    for (index, panel) in panels.enumerated() {
      guard let t = ticks[index] else {
        lines.append("\(panel.title): nothing to plot")
        continue
      }
      if !plot.panels.isEmpty { lines.append(panel.title) }
      lines += self.panel(
        panel, ticks: t, labelWidth: labelWidth, width: width, unicode: unicode, color: color,
        xAxis: index == panels.count - 1)
    }
    // Grid and legend lines are built to fit (and their colour codes take
    // no columns); titles and axis labels wrap.
    return lines.flatMap { $0.contains("\u{1B}") ? [$0] : TextWrap.lines($0, width: total) }.map { line in
      var l = line
      while l.hasSuffix(" ") { l.removeLast() }
      return l
    }.joined(separator: "\n")
  }

  /// The y ticks of `range`: at least four nice values (a narrower step
  /// when the first choice gives fewer), or four evenly spaced ones when
  /// the range is too narrow to split.
  static func yTicks(_ range: ClosedRange<Double>, log: Bool) -> AxisTicks {
    for target in [4, 6, 8, 10] {
      let t = AxisTicks(covering: range, target: target)
      if t.values.count >= 4 { return t }
    }
    return AxisTicks(evenly: range, count: 4)
  }

  /// The tick labels: the values (on a log axis, 10^v to 3 digits).
  static func labels(_ t: AxisTicks, log: Bool) -> [String] {
    log ? t.values.map { NumberStyle.general(3).format(Plot.value($0, log: true)) } : t.values.map(t.label)
  }

  /// One panel's lines: the grid with its y axis, then (for the last
  /// panel) the x axis, then the legend.
  static func panel(
    _ plot: Plot, ticks: AxisTicks, labelWidth: Int, width: Int, unicode: Bool, color: Bool, xAxis: Bool
  ) -> [String] {
    guard let bounds = plot.bounds else { return [] }
    let yRange = ticks.lower...ticks.upper
    let hasSpread = plot.series.contains { $0.lower != nil && $0.upper != nil }
    let braille = unicode && plot.series.count == 1 && !hasSpread
    let cols = braille ? width * 2 : width
    let rows = braille ? height * 4 : height
    // grid[r][c] = series index + 1, 0 for empty; row 0 is the top.
    var grid = [[Int]](repeating: [Int](repeating: 0, count: cols), count: rows)
    func cell(_ x: Double, _ y: Double) -> (Int, Int) {
      let fx = (x - bounds.x.lowerBound) / (bounds.x.upperBound - bounds.x.lowerBound)
      let fy = (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)
      let c = min(cols - 1, max(0, Int((fx * Double(cols - 1)).rounded())))
      let r = min(rows - 1, max(0, Int(((1 - fy) * Double(rows - 1)).rounded())))
      return (r, c)
    }
    // Bands and error bars first (-1: drawn as '.' or '|'), lines on top.
    for s in plot.series {
      guard let lower = s.lower, let upper = s.upper else { continue }
      for (x, (lo, hi)) in zip(s.x, zip(lower, upper)) where x.isFinite && lo.isFinite && hi.isFinite {
        let (r0, c) = cell(x, hi)
        let (r1, _) = cell(x, lo)
        for r in min(r0, r1)...max(r0, r1) where grid[r][c] == 0 { grid[r][c] = s.bars ? -2 : -1 }
      }
    }
    // The cells each series drew, to tell which ones end up hidden.
    var drawn: [[(Int, Int)]] = []
    for (index, s) in plot.series.enumerated() {
      var mine: [(Int, Int)] = []
      var previous: (Int, Int)?
      for (x, y) in zip(s.x, s.y) where x.isFinite && y.isFinite {
        let (r, c) = cell(x, y)
        // Join consecutive points with a straight run of dots.
        if let (pr, pc) = previous {
          let n = max(abs(r - pr), abs(c - pc))
          if n > 1 {
            for t in 1..<n {
              let rr = pr + (r - pr) * t / n
              let cc = pc + (c - pc) * t / n
              // Later series are drawn on top, joins included.
              grid[rr][cc] = index + 1
              mine.append((rr, cc))
            }
          }
        }
        grid[r][c] = index + 1
        mine.append((r, c))
        previous = (r, c)
      }
      drawn.append(mine)
    }
    func paint(_ text: String, _ series: Int) -> String {
      color ? "\u{1B}[\(colors[series % colors.count])m\(text)\u{1B}[0m" : text
    }
    var body: [String] = []
    if braille {
      // Dot bit layout of U+2800: columns (0,1) × rows 0–3.
      let bits: [[UInt32]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
      for row in 0..<height {
        var line = ""
        for col in 0..<width {
          var code: UInt32 = 0x2800
          for dr in 0..<4 {
            for dc in 0..<2 where grid[row * 4 + dr][col * 2 + dc] > 0 { code |= bits[dr][dc] }
          }
          let char = String(Unicode.Scalar(code).map(Character.init) ?? " ")
          line += code == 0x2800 ? char : paint(char, 0)
        }
        body.append(line)
      }
    } else {
      for row in grid {
        body.append(
          row.map { v -> String in
            v == 0 ? " " : v == -1 ? "." : v == -2 ? "|" : paint(String(markers[(v - 1) % markers.count]), v - 1)
          }.joined())
      }
    }
    // The y labels at their rows (a later tick on a taken row is skipped).
    var rowLabels = [String](repeating: "", count: height)
    for (value, label) in zip(ticks.values, labels(ticks, log: plot.logY)) {
      let f = (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)
      let r = min(height - 1, max(0, Int(((1 - f) * Double(height - 1)).rounded())))
      if rowLabels[r].isEmpty { rowLabels[r] = label }
    }
    func pad(_ s: String) -> String { String(repeating: " ", count: max(0, labelWidth - s.count)) + s }
    var lines: [String] = []
    for (i, line) in body.enumerated() { lines.append(pad(rowLabels[i]) + " |" + line) }
    let margin = String(repeating: " ", count: labelWidth + 2)
    lines.append(String(repeating: " ", count: labelWidth) + " +" + String(repeating: "-", count: width))
    if xAxis { lines.append(margin + xLabels(bounds.x, log: plot.logX, width: width)) }
    let scales = (plot.logX ? ", log x" : "") + (plot.logY ? ", log y" : "")
    lines.append(margin + (xAxis ? plot.xLabel + "  " : "") + "(y: " + plot.yLabel + scales + ")")
    if hasSpread {
      let bars = plot.series.contains { $0.bars }
      lines.append(margin + (bars ? "| error bar" : ". band") + ": mean ± spread")
    }
    if plot.series.count > 1 || !braille {
      var names = plot.legendNames
      for (i, cells) in drawn.enumerated() where !cells.isEmpty && !names[i].contains("(coincides with") {
        // Hidden: every cell it drew was drawn over by a later series.
        guard cells.allSatisfy({ grid[$0.0][$0.1] != i + 1 }) else { continue }
        // A later series with the same points is drawn exactly over this
        // one and its legend already says "(coincides with …)": naming
        // whichever other series happens to cover a few more cells would
        // suggest the wrong pair coincide.
        let s = plot.series[i]
        if plot.series.dropFirst(i + 1).contains(where: { $0.x == s.x && $0.y == s.y }) { continue }
        var owners: [Int: Int] = [:]
        for (r, c) in cells where grid[r][c] > 0 { owners[grid[r][c] - 1, default: 0] += 1 }
        if let top = owners.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key {
          names[i] += " (hidden under \(plot.series[top].name))"
        }
      }
      let entries = names.enumerated().map {
        (paint(String(markers[$0.offset % markers.count]), $0.offset), $0.element)
      }
      // Packed by their visible length (colour codes take no columns).
      var line = ""
      var used = 0
      for (marker, name) in entries {
        let length = 2 + name.count
        if used > 0 && used + 3 + length > width {
          lines.append(margin + line)
          line = ""
          used = 0
        }
        line += (used > 0 ? "   " : "") + marker + " " + name
        used += (used > 0 ? 3 : 0) + length
      }
      if !line.isEmpty { lines.append(margin + line) }
    }
    return lines
  }

  /// The x tick labels under the axis, each centred on its column where it
  /// does not overlap the one before.
  static func xLabels(_ range: ClosedRange<Double>, log: Bool, width: Int) -> String {
    let t = AxisTicks(covering: range, target: max(2, width / 12), widen: false)
    var line = [Character](repeating: " ", count: width)
    var free = 0
    for value in t.values {
      let label = log ? NumberStyle.general(3).format(Plot.value(value, log: true)) : t.label(value)
      let f = (value - range.lowerBound) / (range.upperBound - range.lowerBound)
      let c = Int((f * Double(width - 1)).rounded())
      let start = min(width - label.count, max(0, c - label.count / 2))
      guard start >= free, start + label.count <= width else { continue }
      for (k, ch) in label.enumerated() { line[start + k] = ch }
      free = start + label.count + 1
    }
    return String(line)
  }
}
