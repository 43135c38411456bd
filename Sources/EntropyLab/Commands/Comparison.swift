import EntropyCore
import Foundation

/// `compare` as a view over the sweep engine: the controls are one more
/// setting (`control=none,clipcov,…`), swept with the user's settings and
/// seeds; the view turns the runs into compare's table and plot.
enum Comparison {
  /// The outcome of one control setting over its finished runs.
  struct Outcome {
    var name: String
    var finalEntropy: [Double] = []
    var meanEntropy: [Double] = []
    var finalReward: [Double] = []
    var meanReward: [Double] = []
    /// Totals over its runs of the controls' counts, by measure key.
    var totals: [String: Int] = [:]
    /// Mean over seeds of H after each step (index 0 = start).
    var entropyCurve: [Double] = []
    /// Runs that finished all their steps.
    var runs = 0
  }

  /// The grid of a comparison: each of `settings` (single values, applied
  /// first) and then `control` over `controls`, × seeds.
  static func grid(settings: [(key: String, value: String)], controls: [String], steps: Int, seeds: [UInt64])
    -> SweepGrid
  {
    let axes =
      settings.map { SweepAxis(key: $0.key, values: [$0.value]) } + [SweepAxis(key: "control", values: controls)]
    return SweepGrid(axes: axes, seeds: seeds, steps: steps)
  }

  /// Compare's reports from a sweep over `control` (the grid's last axis).
  static func reports(_ outcome: SweepOutcome, from start: LabState, json: Bool) -> (
    reports: [Report], outcomes: [Outcome], failures: [String]
  ) {
    let grid = outcome.grid
    let steps = grid.steps
    let seeds = grid.seeds
    let names = grid.axes.last?.values ?? []
    var outcomes: [Outcome] = []
    var failures: [String] = []
    for (c, name) in names.enumerated() {
      var o = Outcome(name: name)
      var curveSum = [Double](repeating: 0, count: steps + 1)
      // Runs in seed order, as the engine numbers them.
      for r in outcome.runs where r.combination == c {
        for record in r.records {
          guard let a = record.sampled?.activity else { continue }
          for key in a.keys where a.isCount(key) { o.totals[key, default: 0] += a.count(key) }
        }
        if let failure = r.failure {
          failures.append("\(name) seed \(r.seed): \(failure)")
          continue
        }
        let hs = [start.policy.meanEntropy] + r.records.map(\.entropyAfter)
        let rs = r.records.map(\.expectedReward)
        for i in hs.indices { curveSum[i] += hs[i] }
        o.finalEntropy.append(hs.last ?? .nan)
        o.meanEntropy.append(hs.dropFirst().reduce(0, +) / Double(steps))
        o.finalReward.append(rs.last ?? .nan)
        o.meanReward.append(rs.reduce(0, +) / Double(steps))
        o.runs += 1
      }
      o.entropyCurve = curveSum.map { $0 / Double(max(o.runs, 1)) }
      if o.runs > 0 { outcomes.append(o) }
    }
    // The classic controls' totals always (compare's recorded layout), then
    // those of any other control that reported.
    let classic = EntropyControls.all.filter { $0.isClassic }.flatMap { $0.activity }.filter(\.inCompare)
    let reported = Set(outcomes.flatMap { $0.totals.keys })
    let others = EntropyControls.all.filter { !$0.isClassic }.flatMap { $0.activity }
      .filter { $0.inCompare && reported.contains($0.key) }
    let counted = classic + others
    var table = Table(
      columns: [
        .init("setting", key: "setting", priority: .key), .init("final H", key: "final_entropy"),
        .init("±", key: "final_entropy_std"),
        .init("mean H", key: "mean_entropy"), .init("final R", key: "final_reward"),
        .init("±", key: "final_reward_std"),
        .init("mean R", key: "mean_reward"),
      ] + counted.map { .init($0.key, key: $0.key) },
      jsonPrefix: [("kind", .string("compare")), ("steps", .int(steps)), ("seeds", .int(seeds.count))])
    for o in outcomes {
      let partial = o.runs < seeds.count
      table.rowJSON[table.rows.count] = [("runs", .int(o.runs)), ("partial", .bool(partial))]
      table.rows.append(
        [
          .text(partial ? "\(o.name) (partial: \(o.runs) of \(seeds.count) seeds)" : o.name),
          .number(mean(o.finalEntropy), .fixed(4)), .number(std(o.finalEntropy), .fixed(4)),
          .number(mean(o.meanEntropy), .fixed(4)), .number(mean(o.finalReward), .fixed(4)),
          .number(std(o.finalReward), .fixed(4)), .number(mean(o.meanReward), .fixed(4)),
        ] + counted.map { .int(o.totals[$0.key] ?? 0) })
    }
    let seedText = seeds.count == 1 ? "seed \(seeds[0])" : "seeds \(seeds.first ?? 0)..\(seeds.last ?? 0)"
    var reports: [Report] = [
      .message(
        "compare: \(steps) step\(steps == 1 ? "" : "s") from step \(start.stepsTaken), \(seedText), mean ± std over seeds"
      )
    ]
    if json {
      // Every run (settings, seed, each step) and each combination's
      // summary, exactly as `sweep --json` prints them.
      reports += outcome.jsonLines().compactMap { line in
        guard case .object(let fields)? = try? JSONParser.parse(line) else { return nil }
        return .record(text: line, json: fields)
      }
    }
    reports.append(.table(table))
    let x = (0...steps).map { Double(start.stepsTaken + $0) }
    let plot = Plot(
      title: "mean entropy H, mean over seeds", xLabel: "step", yLabel: "H (nats)",
      series: outcomes.map { Plot.Series(name: $0.name, x: x, y: $0.entropyCurve) })
    reports.append(.plot(plot))
    for f in failures { reports.append(.warning("run failed: " + f)) }
    if outcome.interrupted {
      reports.append(
        .warning(
          "interrupted: \(outcome.runs.count) of \(outcome.planned.count) runs finished; the rows are over the "
            + "finished runs only, those with fewer seeds than asked marked partial"))
    }
    return (reports, outcomes, failures)
  }

  static func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }

  /// The sample standard deviation (n − 1); 0 for a single value.
  static func std(_ v: [Double]) -> Double {
    guard v.count > 1 else { return 0 }
    let m = mean(v)
    return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
  }
}
