/// Draws a `Plot` in the terminal: Unicode braille (2 × 4 dots per cell,
/// blank cells as U+2800) for one series on a Unicode terminal; plain
/// ASCII markers otherwise, so transcripts stay stable and diffable.
public enum TerminalPlot {
  /// Plot area size in character cells.
  public static let width = 60
  public static let height = 12

  /// ASCII markers for series 1, 2, 3, …
  static let markers: [Character] = ["*", "+", "o", "x", "#", "@", "%", "="]

  /// The chart as text lines.
  public static func render(_ original: Plot, unicode: Bool) -> String {
    let plot = original.drawn
    guard let bounds = plot.bounds else { return "\(plot.title): nothing to plot yet" }
    let hasSpread = plot.series.contains { $0.lower != nil && $0.upper != nil }
    let braille = unicode && plot.series.count == 1 && !hasSpread
    let cols = braille ? width * 2 : width
    let rows = braille ? height * 4 : height
    // grid[r][c] = series index + 1, 0 for empty; row 0 is the top.
    var grid = [[Int]](repeating: [Int](repeating: 0, count: cols), count: rows)
    func cell(_ x: Double, _ y: Double) -> (Int, Int) {
      let fx = (x - bounds.x.lowerBound) / (bounds.x.upperBound - bounds.x.lowerBound)
      let fy = (y - bounds.y.lowerBound) / (bounds.y.upperBound - bounds.y.lowerBound)
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
    for (index, s) in plot.series.enumerated() {
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
              if grid[rr][cc] <= 0 { grid[rr][cc] = index + 1 }
            }
          }
        }
        grid[r][c] = index + 1
        previous = (r, c)
      }
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
          line.unicodeScalars.append(Unicode.Scalar(code) ?? " ")
        }
        body.append(line)
      }
    } else {
      for row in grid {
        body.append(
          String(row.map { $0 == 0 ? " " : $0 == -1 ? "." : $0 == -2 ? "|" : markers[($0 - 1) % markers.count] }))
      }
    }
    let top = NumberStyle.general(6).format(Plot.value(bounds.y.upperBound, log: plot.logY))
    let bottom = NumberStyle.general(6).format(Plot.value(bounds.y.lowerBound, log: plot.logY))
    let labelWidth = max(top.count, bottom.count)
    func pad(_ s: String) -> String { String(repeating: " ", count: labelWidth - s.count) + s }
    var lines = [plot.title]
    for (i, line) in body.enumerated() {
      let label = i == 0 ? pad(top) : i == body.count - 1 ? pad(bottom) : String(repeating: " ", count: labelWidth)
      lines.append(label + " |" + line)
    }
    lines.append(String(repeating: " ", count: labelWidth) + " +" + String(repeating: "-", count: width))
    let left = NumberStyle.general(6).format(Plot.value(bounds.x.lowerBound, log: plot.logX))
    let right = NumberStyle.general(6).format(Plot.value(bounds.x.upperBound, log: plot.logX))
    let gap = max(1, width - left.count - right.count)
    lines.append(String(repeating: " ", count: labelWidth + 2) + left + String(repeating: " ", count: gap) + right)
    let scales = (plot.logX ? ", log x" : "") + (plot.logY ? ", log y" : "")
    lines.append(
      String(repeating: " ", count: labelWidth + 2) + plot.xLabel + "  (y: " + plot.yLabel + scales + ")")
    if hasSpread {
      let bars = plot.series.contains { $0.bars }
      lines.append(
        String(repeating: " ", count: labelWidth + 2) + (bars ? "| error bar" : ". band") + ": mean ± spread")
    }
    if plot.series.count > 1 || !braille {
      let legend = plot.series.enumerated().map { "\(markers[$0.offset % markers.count]) \($0.element.name)" }
      lines.append(String(repeating: " ", count: labelWidth + 2) + legend.joined(separator: "   "))
    }
    return lines.map { line in
      var l = line
      while l.hasSuffix(" ") { l.removeLast() }
      return l
    }.joined(separator: "\n")
  }
}
