import EntropyCore
import Foundation

/// Mean, sample standard deviation (n − 1; 0 for one value) and standard
/// error (std/√n) of some values, summed in the order given.
public struct SweepStatistic: Sendable, Equatable {
  public var mean: Double
  public var std: Double
  public var standardError: Double
  public var count: Int

  /// The statistics of `values` (NaN mean for none).
  public init(_ values: [Double]) {
    count = values.count
    guard !values.isEmpty else {
      mean = .nan
      std = .nan
      standardError = .nan
      return
    }
    var sum = 0.0
    for v in values { sum += v }
    // Identical values (an exact rule over seeds) have exactly that mean
    // and no spread; summing them could round the mean off by an ulp.
    let m = values.allSatisfy({ $0 == values[0] }) ? values[0] : sum / Double(values.count)
    var squares = 0.0
    for v in values { squares += (v - m) * (v - m) }
    mean = m
    std = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
    standardError = std / Double(values.count).squareRoot()
  }

  var json: JSONValue {
    .object([("mean", .number(mean)), ("std", .number(std)), ("se", .number(standardError))])
  }
}

/// One combination's results over its seeds: per metric, statistics of
/// the value at the last step and of the mean over the run's steps.
public struct SweepSummary: Sendable {
  /// The combination's number.
  public var combination: Int
  /// Its settings as JSON (key, typed value).
  public var settings: [(String, JSONValue)]
  /// Runs that finished all their steps.
  public var seeds: Int
  /// Runs that stopped early (a non-finite update); not in the statistics.
  public var failed: Int
  /// Whether some of its runs did not run (the sweep was interrupted).
  public var partial: Bool
  /// Per metric present in every counted run: (metric, at the end, over the run).
  public var metrics: [(metric: SweepMetric, end: SweepStatistic, run: SweepStatistic)]

  /// The statistics of one metric, by shell name or key.
  public func statistic(_ name: String) -> (end: SweepStatistic, run: SweepStatistic)? {
    guard let m = metrics.first(where: { $0.metric.name == name || $0.metric.key == name }) else { return nil }
    return (m.end, m.run)
  }

  /// Summaries of `runs`, each given as its combination, whether it
  /// failed, and its steps' fields; combinations in order, those with no
  /// runs left out.
  ///
  /// - Parameters:
  ///   - planned: how many runs each combination should have had.
  static func make(
    runs: [(combination: Int, failed: Bool, steps: [[String: Double]])], settings: (Int) -> [(String, JSONValue)],
    planned: [Int: Int]
  ) -> [SweepSummary] {
    let byCombination = Dictionary(grouping: runs, by: \.combination)
    return byCombination.keys.sorted().map { c in
      let all = byCombination[c] ?? []
      let good = all.filter { !$0.failed && !$0.steps.isEmpty }
      var metrics: [(metric: SweepMetric, end: SweepStatistic, run: SweepStatistic)] = []
      for metric in SweepMetric.all {
        var ends: [Double] = []
        var means: [Double] = []
        var complete = !good.isEmpty
        for r in good {
          var sum = 0.0
          for step in r.steps {
            guard let v = metric.value(step) else {
              complete = false
              break
            }
            sum += v
          }
          guard complete, let last = r.steps.last.flatMap(metric.value) else {
            complete = false
            break
          }
          ends.append(last)
          means.append(sum / Double(r.steps.count))
        }
        if complete { metrics.append((metric, SweepStatistic(ends), SweepStatistic(means))) }
      }
      return SweepSummary(
        combination: c, settings: settings(c), seeds: good.count, failed: all.count - good.count,
        partial: all.count < (planned[c] ?? 0), metrics: metrics)
    }
  }

  /// The summary's JSON line.
  public var json: JSONValue {
    .object([
      ("kind", .string("summary")), ("combination", .int(combination)), ("settings", .object(settings)),
      ("seeds", .int(seeds)), ("failed", .int(failed)), ("partial", .bool(partial)),
      (
        "metrics",
        .object(metrics.map { m in (m.metric.key, JSONValue.object([("end", m.end.json), ("run", m.run.json)])) })
      ),
    ])
  }
}

extension SweepOutcome {
  /// The settings of combination `c` as JSON fields.
  public func settings(_ c: Int) -> [(String, JSONValue)] {
    zip(grid.axes, settingValues[c]).map { ($0.key, $1) }
  }

  /// How many runs each combination was planned to have.
  var plannedPerCombination: [Int: Int] {
    var out: [Int: Int] = [:]
    for i in planned { out[grid.run(i).combination, default: 0] += 1 }
    return out
  }

  /// One summary per combination with finished runs.
  public var summaries: [SweepSummary] {
    SweepSummary.make(
      runs: runs.map { ($0.combination, $0.failure != nil, $0.records.map(SweepMetric.fields)) },
      settings: settings, planned: plannedPerCombination)
  }

  /// The header line: the grid, so shards can be checked against each other.
  public func header(shard: (index: Int, count: Int)? = nil) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("kind", .string("sweep")), ("runs", .int(grid.runCount)), ("combinations", .int(grid.combinationCount)),
      ("seeds", .array([.int(Int(grid.seeds.first ?? 0)), .int(Int(grid.seeds.last ?? 0))])),
      ("steps", .int(grid.steps)), ("start_step", .int(startStep)),
      (
        "axes",
        .array(
          grid.axes.enumerated().map { a, axis in
            let stride = grid.axes[(a + 1)...].reduce(1) { $0 * $1.values.count }
            let values = axis.values.indices.map { j in settingValues[j * stride][a] }
            return JSONValue.object([("key", .string(axis.key)), ("values", .array(values))])
          })
      ),
    ]
    if !grid.each.isEmpty { fields.append(("each", .array(grid.each.map { .string($0) }))) }
    if let shard { fields.append(("shard", .array([.int(shard.index), .int(shard.count)]))) }
    return .object(fields)
  }

  /// The JSON line of one run: its settings, seed and every step.
  public func runJSON(_ r: SweepRun) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("kind", .string("run")), ("run", .int(r.index)), ("combination", .int(r.combination)),
      ("settings", .object(settings(r.combination))), ("seed", .int(Int(r.seed))),
    ]
    if let failure = r.failure { fields.append(("error", .string(failure))) }
    fields.append(("steps", .array(r.records.map(SweepOutcome.stepJSON))))
    return .object(fields)
  }

  /// A step's exported fields as a JSON object.
  static func stepJSON(_ record: StepRecord) -> JSONValue {
    .object(
      TrajectoryExport.fields(record).map { key, value in
        switch value {
        case .int(let i): return (key, JSONValue.int(i))
        case .number(let x): return (key, JSONValue.number(x))
        }
      })
  }

  /// The JSON lines a sweep prints: the header, one line per finished run,
  /// then (unless this is one shard) one summary per combination.
  public func jsonLines(shard: (index: Int, count: Int)? = nil) -> [String] {
    var lines = [header(shard: shard).serialized]
    lines += runs.map { runJSON($0).serialized }
    if shard == nil { lines += summaries.map(\.json.serialized) }
    return lines
  }
}
