import EntropyCore
import Foundation

/// `sweep`: any grid of settings × seeds from the current state, in
/// parallel, summarised per combination (see `SweepEngine`).
enum SweepCommands {
  static let all: [Command] = [sweep]

  static let sweep = Command(
    name: "sweep", usage: "sweep KEY=V1,V2,… [KEY=…] [seeds A..B] [steps N] [show M,…] [each \"CMD\"]",
    summary:
      "Run every combination of the values × seeds from the current state, in parallel (the state is not changed).",
    details: [
      "KEY=V1,V2,…        a setting's values; or a range: KEY=A..B lin N (evenly spaced) or KEY=A..B log N",
      "                   (logarithmically spaced), both ends included. Several KEYs: every combination.",
      "seeds A..B         the seeds each combination runs with (default 1..5); 'sweep seeds A..B' alone",
      "                   runs the current settings over the seeds.",
      "each \"CMD\"         a command each run runs after its seed is set, before its steps (repeatable):",
      "                   each \"policy random\" gives every seed its own random policy.",
      "steps N            steps per run (default 50).",
      "show M,…           the metrics in the table (default H,R): "
        + SweepMetric.all.map(\.name).joined(separator: ", ") + ".",
      "",
      "Each run starts from the current state (policy, rewards, settings) with its settings applied and its",
      "seed set, exactly as 'set …', 'seed n', 'run N' typed here would. Runs spread over every core; a run's",
      "result depends only on its settings and seed. The table shows, per combination, each metric at the",
      "last step ('end') and averaged over the run's steps ('mean'): the mean over seeds, the sample std",
      "and the standard error se = std/√n. Under --json: one line for the grid, one per run (settings,",
      "seed, every step) and one summary per combination. Then 'plot sweep …' draws it and",
      "'export csv|json FILE' writes it tidy (one row per combination × seed × step).",
      "Ctrl-C stops between steps and reports the runs that finished (their summaries marked partial).",
    ],
    subwords: ["seeds", "steps", "show", "each"] + SweepMetric.all.map(\.name),
    group: "Trajectory",
    handler: .session { session, args throws(LabError) in
      let grid = try SweepGrid.parse(&args)
      let runs = Array(0..<grid.runCount)
      try checkMemory(
        grid: grid, runs: runs.count, session: session, threads: session.sweepThreads, args: args)
      let outcome = try SweepEngine.run(
        grid: grid, runs: runs, from: session.state, threads: session.sweepThreads, apply: SettingsRegistry.sweepApply,
        read: SettingsRegistry.sweepRead, isInterrupted: session.stopRequested, progress: session.runProgress)
      session.lastSweep = outcome
      session.lastSweepMark = session.trajectoryMark
      return reports(outcome, json: session.style.json)
    })

  /// Refuses a sweep whose trajectories would not fit, with the figure.
  static func checkMemory(grid: SweepGrid, runs: Int, session: Session, threads: Int, args: ArgumentReader)
    throws(LabError)
  {
    try RunBudget.check(steps: Double(runs) * Double(grid.steps), command: "sweep")
    let needed = SweepEngine.bytesNeeded(grid: grid, runs: runs, state: session.state, threads: threads)
    do throws(CoreError) {
      try MemoryBudget.check(bytes: needed, held: session.heldBytes)
    } catch {
      guard case .tooLarge(let n, let available) = error else { throw LabError(error, command: "sweep") }
      throw args.error(
        "needs \(LabError.formatBytes(n)) of memory (\(runs) runs × \(grid.steps) steps of trajectory, plus a working "
          + "state per thread), more than the \(LabError.formatBytes(available)) allowed (\(LabError.budgetOrigin)); sweep fewer runs or steps, or split it: entropy-lab sweep FILE --shard I/N"
      )
    }
  }

  /// The text or JSON reports of a sweep.
  static func reports(_ outcome: SweepOutcome, json: Bool) -> [Report] {
    var notes: [Report] = []
    let failed = outcome.runs.filter { $0.failure != nil }
    for r in failed.prefix(5) {
      notes.append(
        .warning(
          "run \(r.index) (\(outcome.grid.label(r.combination)), seed \(r.seed)) stopped after \(r.records.count) "
            + "step\(r.records.count == 1 ? "" : "s"): \(r.failure ?? ""); it is left out of the summary"))
    }
    if failed.count > 5 { notes.append(.warning("\(failed.count - 5) more runs stopped early")) }
    if outcome.interrupted {
      notes.append(
        .warning(
          "interrupted: \(outcome.runs.count) of \(outcome.planned.count) runs finished; summaries over fewer seeds "
            + "than planned are marked partial"))
    }
    if json {
      return outcome.jsonLines().map { line in
        // Each line is already JSON; parse it back into fields for the renderer.
        if case .object(let fields)? = try? JSONParser.parse(line) { return .record(text: line, json: fields) }
        return .message(line)
      } + notes
    }
    let grid = outcome.grid
    let n = grid.seeds.count
    let seedText = n == 1 ? "seed \(grid.seeds[0])" : "seeds \(grid.seeds[0])..\(grid.seeds[n - 1])"
    let header =
      "sweep: \(grid.combinationCount) combination\(grid.combinationCount == 1 ? "" : "s") × \(n) seed"
      + "\(n == 1 ? "" : "s") (\(seedText)) = \(grid.runCount) run\(grid.runCount == 1 ? "" : "s") of \(grid.steps) "
      + "step\(grid.steps == 1 ? "" : "s") from step \(outcome.startStep); end = last step, mean = over the run; "
      + "std and se = std/√n over seeds"
    return [.message(header), .table(table(outcome))] + notes
  }

  /// One row per combination: its settings, seeds, and per metric the
  /// end and run-mean statistics.
  static func table(_ outcome: SweepOutcome) -> Table {
    let grid = outcome.grid
    let metrics = (grid.shownMetrics.isEmpty ? ["H", "R"] : grid.shownMetrics).compactMap(SweepMetric.named)
    var columns: [Table.Column] = grid.axes.map { .init($0.key, key: $0.key, priority: .key) }
    if columns.isEmpty { columns.append(.init("settings", key: "settings", priority: .key)) }
    columns.append(.init("n", key: "seeds", priority: .key))
    for m in metrics {
      columns += [
        .init("\(m.name) end", key: m.key + "_end"), .init("std", key: m.key + "_end_std", priority: .detail),
        .init("se", key: m.key + "_end_se"), .init("\(m.name) mean", key: m.key + "_mean"),
        .init("std", key: m.key + "_mean_std", priority: .detail), .init("se", key: m.key + "_mean_se"),
      ]
    }
    var table = Table(columns: columns, jsonPrefix: [("kind", .string("sweep_row"))])
    let style = NumberStyle.general(5)
    for s in outcome.summaries {
      var row: [Table.Cell] = grid.combination(s.combination).map { .text(SweepGrid.display($0.value)) }
      if row.isEmpty { row.append(.text("current")) }
      row.append(.text(s.partial ? "\(s.seeds) (partial)" : "\(s.seeds)"))
      for m in metrics {
        guard let st = s.statistic(m.key) else {
          row += Array(repeating: .none, count: 6)
          continue
        }
        row += [
          .number(st.end.mean, style), .number(st.end.std, style), .number(st.end.standardError, style),
          .number(st.run.mean, style), .number(st.run.std, style), .number(st.run.standardError, style),
        ]
      }
      table.rows.append(row)
    }
    return table
  }
}
