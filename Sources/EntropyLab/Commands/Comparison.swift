import EntropyCore
import Foundation

/// Counterfactual runs of several control settings from one state with the
/// same seeds: the heart of `compare`.
enum Comparison {
  /// The outcome of one setting over every seed.
  struct Outcome {
    var name: String
    var finalEntropy: [Double] = []
    var meanEntropy: [Double] = []
    var finalReward: [Double] = []
    var meanReward: [Double] = []
    var clipped = 0
    var penalized = 0
    /// Mean over seeds of H after each step (index 0 = start).
    var entropyCurve: [Double] = []
  }

  /// Runs every setting × seed for `steps` steps from `start` (a copy).
  static func run(
    from start: LabState, settings: [String?], steps: Int, seeds: [UInt64], context: CommandContext
  ) -> (reports: [Report], outcomes: [Outcome], failures: [String], interrupted: Bool) {
    var outcomes: [Outcome] = []
    var interrupted = false
    var failures: [String] = []
    let total = settings.count * seeds.count
    var done = 0
    outer: for setting in settings {
      var outcome = Outcome(name: setting ?? "none")
      var curveSum = [Double](repeating: 0, count: steps + 1)
      var runs = 0
      for seed in seeds {
        if context.isInterrupted() {
          interrupted = true
          break outer
        }
        var s = start
        s.controls = start.controls.only(setting)
        s.generator = SplitMix64(seed: seed)
        s.trajectory = []
        s.segmentStart = 0
        var hs = [s.policy.meanEntropy]
        var rs: [Double] = []
        do throws(CoreError) {
          for _ in 0..<steps {
            // Between steps too, not only between runs: one run may be up to
            // 10⁶ sampled steps (found by the fuzzer: a default `compare`,
            // 5 settings × 5 seeds × 50 steps, ran for seconds unstoppable).
            if context.isInterrupted() {
              interrupted = true
              break outer
            }
            let (record, _) = try s.takeStep()
            hs.append(record.entropyAfter)
            rs.append(record.expectedReward)
            outcome.clipped += record.sampled?.clipped ?? 0
            outcome.penalized += record.sampled?.penalized ?? 0
          }
        } catch {
          failures.append("\(outcome.name) seed \(seed): \(LabError.describe(error))")
          continue
        }
        runs += 1
        for i in hs.indices { curveSum[i] += hs[i] }
        outcome.finalEntropy.append(hs.last ?? .nan)
        outcome.meanEntropy.append(hs.dropFirst().reduce(0, +) / Double(steps))
        outcome.finalReward.append(rs.last ?? .nan)
        outcome.meanReward.append(rs.reduce(0, +) / Double(steps))
        done += 1
        context.progress(done, total)
      }
      outcome.entropyCurve = curveSum.map { $0 / Double(max(runs, 1)) }
      if runs > 0 { outcomes.append(outcome) }
    }
    var table = Table(
      columns: [
        .init("setting", key: "setting", priority: .key), .init("final H", key: "final_entropy"),
        .init("±", key: "final_entropy_std"),
        .init("mean H", key: "mean_entropy"), .init("final R", key: "final_reward"),
        .init("±", key: "final_reward_std"),
        .init("mean R", key: "mean_reward"), .init("clipped", key: "clipped"), .init("penalized", key: "penalized"),
      ],
      jsonPrefix: [("kind", .string("compare")), ("steps", .int(steps)), ("seeds", .int(seeds.count))])
    for o in outcomes {
      table.rows.append([
        .text(o.name), .number(mean(o.finalEntropy), .fixed(4)), .number(std(o.finalEntropy), .fixed(4)),
        .number(mean(o.meanEntropy), .fixed(4)), .number(mean(o.finalReward), .fixed(4)),
        .number(std(o.finalReward), .fixed(4)), .number(mean(o.meanReward), .fixed(4)),
        .int(o.clipped), .int(o.penalized),
      ])
    }
    let seedText = seeds.count == 1 ? "seed \(seeds[0])" : "seeds \(seeds.first ?? 0)..\(seeds.last ?? 0)"
    var reports: [Report] = [
      .message(
        "compare: \(steps) step\(steps == 1 ? "" : "s") from step \(start.stepsTaken), \(seedText), mean ± std over seeds"
      ),
      .table(table),
    ]
    let x = (0...steps).map { Double(start.stepsTaken + $0) }
    let plot = Plot(
      title: "mean entropy H, mean over seeds", xLabel: "step", yLabel: "H (nats)",
      series: outcomes.map { Plot.Series(name: $0.name, x: x, y: $0.entropyCurve) })
    reports.append(.plot(plot))
    for f in failures { reports.append(.warning("run failed: " + f)) }
    if interrupted { reports.append(.warning("interrupted: settings not shown were not run")) }
    return (reports, outcomes, failures, interrupted)
  }

  static func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }

  /// The sample standard deviation (n − 1); 0 for a single value.
  static func std(_ v: [Double]) -> Double {
    guard v.count > 1 else { return 0 }
    let m = mean(v)
    return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
  }
}
