import EntropyCore
import Foundation

/// `plot sweep …`: the last sweep's mean curves with bands, or a metric at
/// the end against a swept number with error bars.
enum SweepPlots {
  static func plot(session: Session, args: inout ArgumentReader) throws(LabError) -> Plot {
    args.usage = "plot sweep [M] [band std|se] | plot sweep final|mean M vs KEY [band std|se]"
    guard let outcome = session.lastSweep else { throw args.error("needs a sweep first ('sweep KEY=V1,V2,…')") }
    var against: (final: Bool, key: String)?
    var metricName = "H"
    var useSE = outcome.grid.bandIsStandardError
    if args.peek == "final" || args.peek == "mean" {
      let final = try args.next("final or mean") == "final"
      metricName = try args.next("a metric")
      _ = try args.choice("vs", ["vs"])
      against = (final, try args.next("a swept setting KEY"))
    } else if !args.isAtEnd, args.peek != "band" {
      metricName = try args.next("a metric")
    }
    if args.consume("band") { useSE = try args.choice("std or se", ["std", "se"]) == "se" }
    try args.expectEnd()
    guard let metric = SweepMetric.named(metricName) else {
      throw args.error(
        "is not a metric (expected one of: \(SweepMetric.all.map(\.name).joined(separator: ", ")))", word: metricName)
    }
    if let against {
      return try endPlot(outcome, metric: metric, final: against.final, key: against.key, se: useSE, args: args)
    }
    return try curvePlot(outcome, metric: metric, se: useSE, args: args)
  }

  /// Each combination's mean curve over seeds with a ±std (±se) band.
  static func curvePlot(_ o: SweepOutcome, metric: SweepMetric, se: Bool, args: ArgumentReader) throws(LabError) -> Plot
  {
    var series: [Plot.Series] = []
    let byCombination = Dictionary(grouping: o.runs.filter { $0.failure == nil }, by: \.combination)
    for c in byCombination.keys.sorted() {
      let runs = byCombination[c] ?? []
      // Step 0 (the start) for H, from the first step's H before.
      let withStart = metric.key == "entropy_after"
      var columns: [[Double]] = []
      for r in runs {
        var ys = r.records.map { metric.value(SweepMetric.fields($0)) ?? .nan }
        if withStart { ys.insert(r.records.first?.entropyBefore ?? .nan, at: 0) }
        columns.append(ys)
      }
      let length = columns.map(\.count).min() ?? 0
      guard length > 0 else { continue }
      var mean: [Double] = []
      var lower: [Double] = []
      var upper: [Double] = []
      for t in 0..<length {
        let st = SweepStatistic(columns.map { $0[t] })
        let spread = se ? st.standardError : st.std
        mean.append(st.mean)
        lower.append(st.mean - spread)
        upper.append(st.mean + spread)
      }
      let first = o.startStep + (withStart ? 0 : 1)
      let x = (0..<length).map { Double(first + $0) }
      series.append(.init(name: o.grid.label(c), x: x, y: mean, lower: lower, upper: upper))
    }
    guard !series.isEmpty else { throw args.error("the sweep has no finished run to plot") }
    return Plot(
      title: "\(metric.title), mean over seeds ± \(se ? "se" : "std")", xLabel: "step", yLabel: metric.title,
      series: markCoinciding(series))
  }

  /// A metric at the end (or its run mean) against a swept number.
  static func endPlot(
    _ o: SweepOutcome, metric: SweepMetric, final: Bool, key: String, se: Bool, args: ArgumentReader
  ) throws(LabError) -> Plot {
    guard let a = o.grid.axes.firstIndex(where: { $0.key == key }) else {
      throw args.error(
        "was not swept (swept: \(o.grid.axes.map(\.key).joined(separator: ", ")))", word: key)
    }
    guard let numbers = o.grid.axes[a].numbers else { throw args.error("has values that are not numbers", word: key) }
    let summaries = o.summaries
    // One series per combination of the other axes.
    var groups: [[Int]: [(x: Double, st: SweepStatistic)]] = [:]
    var order: [[Int]] = []
    for s in summaries {
      guard let st = s.statistic(metric.key) else { continue }
      var idx = o.grid.valueIndices(s.combination)
      let j = idx.remove(at: a)
      if groups[idx] == nil { order.append(idx) }
      groups[idx, default: []].append((numbers[j], final ? st.end : st.run))
    }
    let series: [Plot.Series] = order.map { idx in
      let points = groups[idx] ?? []
      let others = o.grid.axes.indices.filter { $0 != a }
      let name = zip(others, idx).map {
        "\(o.grid.axes[$0.0].key)=\(SweepGrid.display(o.grid.axes[$0.0].values[$0.1]))"
      }
      .joined(separator: " ")
      let spread = points.map { se ? $0.st.standardError : $0.st.std }
      return Plot.Series(
        name: name.isEmpty ? metric.name : name, x: points.map(\.x), y: points.map(\.st.mean),
        lower: zip(points, spread).map { $0.st.mean - $1 }, upper: zip(points, spread).map { $0.st.mean + $1 },
        bars: true)
    }
    guard !series.isEmpty else { throw args.error("no run of the sweep has the metric", word: metric.name) }
    let ys = series.flatMap(\.y).filter(\.isFinite)
    let logY = !ys.isEmpty && ys.allSatisfy { $0 > 0 } && (ys.max() ?? 1) / (ys.min() ?? 1) >= 100
    let logX = o.grid.axes[a].logarithmic && numbers.allSatisfy { $0 > 0 }
    return Plot(
      title: "\(metric.title) \(final ? "at the last step" : "over the run"), mean over seeds ± \(se ? "se" : "std")",
      xLabel: key + (logX ? " (log scale)" : ""), yLabel: metric.title + (logY ? " (log scale)" : ""),
      series: markCoinciding(series), logX: logX, logY: logY)
  }

  /// Renames series identical to an earlier one: "B (coincides with A)".
  static func markCoinciding(_ series: [Plot.Series]) -> [Plot.Series] {
    var out = series
    for i in series.indices {
      if let j = series[..<i].firstIndex(where: { $0.x == series[i].x && $0.y == series[i].y }) {
        out[i].name += " (coincides with \(series[j].name))"
      }
    }
    return out
  }
}
