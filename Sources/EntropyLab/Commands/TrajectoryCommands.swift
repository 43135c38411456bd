import EntropyCore
import Foundation

/// `run`, `tokens`, `history`, `plot`, `fit` and `compare`: training runs
/// and what they did.
enum TrajectoryCommands {
  static let all: [Command] = [run, tokens, history, plot, fit, compare]

  static let run = Command(
    name: "run", usage: "run N",
    summary: "Take N steps, with a progress line on a terminal; prints a summary (JSON: every step).",
    details: ["Ctrl-C stops the run between steps; the steps taken so far are kept."],
    group: "Trajectory",
    handler: .state { state, args, context throws(LabError) in
      let n = try args.integer("the number of steps N", in: 1...DynamicsCommands.maxSteps)
      try args.expectEnd()
      let startH = state.policy.meanEntropy
      let startR = state.bandit.expectedReward(under: state.policy)
      let result = try DynamicsCommands.runSteps(&state, count: n, context: context, args: args)
      let sampled = state.rule == .grpo
      if context.style.json {
        return [.table(DynamicsCommands.stepTable(result.records, sampled: sampled, rule: state.rule.rawValue))]
          + result.notes
      }
      // Text: at most about ten evenly spaced rows, always the last.
      let every = max(1, (result.records.count + 9) / 10)
      let shown = result.records.enumerated().filter {
        ($0.offset + 1) % every == 0 || $0.offset == result.records.count - 1
      }
      .map(\.element)
      let summary =
        "run: \(result.records.count) step\(result.records.count == 1 ? "" : "s"); "
        + "H \(fmt(startH)) → \(fmt(state.policy.meanEntropy)), R \(fmt(startR)) → "
        + "\(fmt(state.bandit.expectedReward(under: state.policy)))"
      return [
        .table(DynamicsCommands.stepTable(shown, sampled: sampled, rule: state.rule.rawValue)), .message(summary),
      ]
        + result.notes
    })

  static let tokens = Command(
    name: "tokens", usage: "tokens [top n | all | chosen]",
    summary:
      "The last sampled step's tokens sorted by covariance, what PPO and the controls did, and Table 1's summary.",
    details: [
      "cov = (A − mean A)·(log π − mean log π) over the token's minibatch (paper Eq. 10).",
      "ppo: the PPO clip zeroed the token's gradient; chosen: the control that detached (clipcov) or penalised (klcov) it.",
      "The summary is the paper's Table 1: mean covariance of the top 0.02%, 0.2%, 2%, 20%, 50% and all tokens.",
      "'tokens chosen' lists only the tokens a control detached or penalised.",
    ],
    subwords: ["top", "all", "chosen"],
    group: "Trajectory",
    handler: .state { state, args, _ throws(LabError) in
      var limit = 20
      var onlyChosen = false
      if args.consume("all") {
        limit = Int.max
      } else if args.consume("chosen") {
        limit = Int.max
        onlyChosen = true
      } else if args.consume("top") {
        limit = try args.integer("how many tokens n", in: 1...Int.max)
      }
      try args.expectEnd()
      guard !state.lastTokens.isEmpty else {
        if state.lastTokensStep > 0 {
          return [
            .message(
              "tokens: sampled step \(state.lastTokensStep) trained on no tokens (the filter dropped every group)")
          ]
        }
        return [.message("tokens: no sampled step yet ('update grpo' then 'step')")]
      }
      let sorted = state.lastTokens.enumerated().sorted {
        $0.element.covariance != $1.element.covariance
          ? $0.element.covariance > $1.element.covariance : $0.offset < $1.offset
      }.map(\.element)
      let updates = Set(state.lastTokens.map(\.update)).count
      var table = Table(
        columns: [
          .init("update", key: "update"), .init("state", key: "state"), .init("arm", key: "arm"),
          .init("reward", key: "reward"), .init("A", key: "advantage"), .init("log π", key: "log_prob"),
          .init("cov", key: "covariance"), .init("ρ", key: "ratio"), .init("ppo", key: "ppo_clipped"),
          .init("chosen", key: "chosen"),
        ],
        jsonPrefix: [("kind", .string("token"))])
      for t in sorted.prefix(limit) where !onlyChosen || !t.chosenBy.isEmpty {
        table.rows.append([
          .int(t.update + 1), .int(t.token.state), .int(t.token.arm), .number(t.token.reward, .general(6)),
          .number(t.token.advantage, .fixed(4)), .number(t.logProb, .fixed(4)), .number(t.covariance, .fixed(4)),
          .number(t.ratio, .fixed(4)), .text(t.ppoClipped ? "clipped" : "-"),
          .text(t.chosenBy.isEmpty ? "-" : t.chosenBy.joined(separator: ",")),
        ])
      }
      var reports: [Report] = [
        .message(
          "tokens of step \(state.lastTokensStep): \(state.lastTokens.count) token-updates over \(updates) update\(updates == 1 ? "" : "s")"
            + (onlyChosen
              ? ", \(table.rows.count) chosen by a control"
              : limit < sorted.count ? ", top \(limit) by covariance shown" : ""))
      ]
      reports.append(.table(table))
      let fractions: [(String, Double)] = [
        ("top 0.02%", 0.0002), ("top 0.2%", 0.002), ("top 2%", 0.02), ("top 20%", 0.2), ("top 50%", 0.5), ("all", 1),
      ]
      var summary = Table(
        columns: [
          .init("group", key: "group"), .init("tokens", key: "tokens"), .init("mean cov", key: "mean_covariance"),
        ],
        jsonPrefix: [("kind", .string("covariance_summary"))])
      for (label, f) in fractions {
        let n = max(1, Int((f * Double(sorted.count)).rounded(.up)))
        let mean = sorted.prefix(n).reduce(0) { $0 + $1.covariance } / Double(n)
        summary.rows.append([.text(label), .int(n), .number(mean, .fixed(4))])
      }
      reports.append(.message("mean covariance by group (paper Table 1):"))
      reports.append(.table(summary))
      return reports
    })

  static let history = Command(
    name: "history", usage: "history [last n]",
    summary: "The trajectory: one row per step taken (H, ΔH, the predictions, R, token counts).",
    subwords: ["last"],
    group: "Trajectory",
    handler: .state { state, args, context throws(LabError) in
      var limit = Int.max
      if args.consume("last") { limit = try args.integer("how many steps n", in: 1...Int.max) }
      try args.expectEnd()
      guard !state.trajectory.isEmpty else { return [.message("history: no steps yet")] }
      let records = Array(state.trajectory.suffix(limit))
      // The rendered table: about 200 bytes a row (twice, as text and data).
      do throws(CoreError) {
        try MemoryBudget.check(bytes: Double(records.count) * 400, held: context.heldBytes + state.heldBytes)
      } catch {
        throw LabError.overBudget(
          error, command: "history", what: "listing \(records.count) steps", advice: "use 'history last n'")
      }
      let sampled = records.contains { $0.sampled != nil }
      return [.table(DynamicsCommands.stepTable(records, sampled: sampled, rule: state.rule.rawValue))]
    })

  /// The quantities `plot` can draw.
  static let plotQuantities = ["entropy", "reward", "cov", "residual"]

  static let plot = Command(
    name: "plot", usage: "plot entropy|reward|cov|residual | plot sweep …",
    summary: "Draw the trajectory or the last sweep in the terminal (braille on a Unicode terminal, ASCII otherwise).",
    details: [
      "entropy   mean H after each step        reward    expected reward R after each step",
      "cov       Cov(log π, Δz) of each step (= −first-order ΔH)",
      "residual  actual ΔH − first-order prediction",
      "",
      "plot sweep [M] [band std|se]              each combination's mean curve of metric M (default H)",
      "                                          over seeds, with a ±std (or ±se) band",
      "plot sweep final|mean M vs KEY [band …]   M at the last step (or averaged over the run) against",
      "                                          the swept number KEY, one series per combination of",
      "                                          the other keys, with ±std (or ±se) error bars; log axes",
      "                                          where the values are logarithmic",
      "Series that coincide are named as such in the legend.",
    ],
    subwords: plotQuantities + ["sweep", "final", "mean", "vs", "band"],
    group: "Trajectory",
    handler: .session { session, args throws(LabError) in
      if args.consume("sweep") { return [.plot(try SweepPlots.plot(session: session, args: &args))] }
      let what = try args.choice("what to plot", plotQuantities)
      try args.expectEnd()
      guard !session.state.trajectory.isEmpty else { return [.message("plot: no steps yet")] }
      return [.plot(trajectoryPlot(what, session.state.trajectory))]
    })

  /// A plot of one trajectory quantity (step 0 is the start for H and R).
  static func trajectoryPlot(_ what: String, _ t: [StepRecord]) -> Plot {
    let x = t.map { Double($0.step) }
    switch what {
    case "entropy":
      let x0 = [Double((t.first?.step ?? 1) - 1)] + x
      let y = [t.first?.entropyBefore ?? .nan] + t.map(\.entropyAfter)
      return Plot(title: "mean entropy H", xLabel: "step", yLabel: "H (nats)", series: [.init(name: "H", x: x0, y: y)])
    case "reward":
      return Plot(
        title: "expected reward R", xLabel: "step", yLabel: "R",
        series: [.init(name: "R", x: x, y: t.map(\.expectedReward))])
    case "cov":
      return Plot(
        title: "Cov(log π, Δz) per step (= −first-order ΔH)", xLabel: "step", yLabel: "cov",
        series: [.init(name: "cov", x: x, y: t.map { -$0.prediction.firstOrder })])
    default:
      return Plot(
        title: "first-order residual (actual ΔH − prediction)", xLabel: "step", yLabel: "residual",
        series: [.init(name: "residual", x: x, y: t.map(\.firstOrderResidual))])
    }
  }

  static let fit = Command(
    name: "fit", usage: "fit [first F]",
    summary:
      "Fit R = −a·e^H + b to the trajectory by least squares; 'first F' fits the first fraction F and predicts the rest.",
    details: [
      "The fit is ordinary least squares of R on e^H (closed form; the paper does not state its method).",
      "The predicted ceiling at H = 0 is −a + b. 'fit first 0.15' is the paper's Fig. 5 protocol:",
      "fit on the first 15% of steps and report the RMSE of the prediction on the rest.",
    ],
    subwords: ["first"],
    group: "Trajectory",
    handler: .state { state, args, _ throws(LabError) in
      var fraction = 1.0
      if args.consume("first") {
        let word = args.peek ?? ""
        fraction = try args.number("a fraction F in (0, 1)")
        guard fraction > 0 && fraction < 1 else { throw args.error("must be between 0 and 1 (exclusive)", word: word) }
      }
      try args.expectEnd()
      let h = state.trajectory.map(\.entropyAfter)
      let r = state.trajectory.map(\.expectedReward)
      let n = fraction < 1 ? Int((fraction * Double(h.count)).rounded(.down)) : h.count
      guard n >= 2 else {
        throw args.error("needs at least 2 steps to fit (have \(n)\(fraction < 1 ? " in the first fraction" : ""))")
      }
      guard let law = LawFit.fit(entropies: Array(h.prefix(n)), rewards: Array(r.prefix(n))) else {
        throw args.error("cannot fit: the entropy did not change over the steps, so e^H has no spread")
      }
      var fields: [(String, JSONValue)] = [
        ("kind", .string("fit")), ("a", .number(law.a)), ("b", .number(law.b)), ("ceiling", .number(law.ceiling)),
        ("r_squared", .number(law.rSquared)), ("rmse", .number(law.rmse)), ("points", .int(n)),
      ]
      var text =
        "fit R = −a·e^H + b on \(n) steps: a = \(NumberStyle.general(6).format(law.a)), b = \(NumberStyle.general(6).format(law.b))\n"
        + "  ceiling at H = 0: −a + b = \(NumberStyle.general(6).format(law.ceiling))\n"
        + "  R² = \(NumberStyle.fixed(4).format(law.rSquared)), RMSE = \(NumberStyle.general(3).format(law.rmse))"
      if n < h.count {
        let rest = law.predictionRMSE(entropies: Array(h.dropFirst(n)), rewards: Array(r.dropFirst(n)))
        let finalError = abs((r.last ?? 0) - law.predict(entropy: h.last ?? 0))
        fields += [
          ("predicted_points", .int(h.count - n)), ("prediction_rmse", .number(rest)),
          ("final_error", .number(finalError)),
        ]
        text +=
          "\n  predicting the other \(h.count - n) steps: RMSE = \(NumberStyle.general(3).format(rest)), "
          + "error at the last step = \(NumberStyle.general(3).format(finalError))"
      }
      return [.record(text: text, json: fields)]
    })

  static let compare = Command(
    name: "compare", usage: "compare [SETTING …] [steps N] [seeds s1..s2]",
    summary: "Run each setting from the current state with the same seeds, side by side (the state is not changed).",
    details: [
      "SETTING is none (plain GRPO) or a control: "
        + (["none"] + EntropyControls.all.map { $0.name }).joined(separator: ", ") + ";",
      "with none given, every one is compared.",
      "Each setting turns on only that control (with its current values; 'none' = plain GRPO),",
      "then takes N sampled steps (default 50) once per seed (default seeds 1..5), every run starting",
      "from the current policy. Prints final and mean H and R per setting (mean ± std over seeds)",
      "and one overlaid plot of the mean entropy. Needs 'update grpo'.",
    ],
    subwords: ["none"] + EntropyControls.all.map { $0.name } + ["steps", "seeds"],
    group: "Trajectory",
    handler: .state { state, args, context throws(LabError) in
      var settings: [String?] = []
      var steps = 50
      var seeds: ClosedRange<UInt64> = 1...5
      while !args.isAtEnd {
        let word = try args.next("a setting")
        if word == "none" {
          settings.append(nil)
        } else if EntropyControls.named(word) != nil {
          settings.append(word)
        } else if word == "steps" {
          steps = try args.integer("the number of steps N", in: 1...1_000_000)
        } else if word == "seeds" {
          let spec = try args.next("seeds as s1..s2")
          let parts = spec.components(separatedBy: "..")
          guard parts.count <= 2, let a = UInt64(parts[0]), let b = UInt64(parts.last ?? ""), a <= b, b - a < 1000
          else {
            throw args.error("is not a seed range s1..s2 (s1 ≤ s2, at most 1000 seeds)", word: spec)
          }
          seeds = a...b
        } else {
          throw args.error(
            "is not a setting (none, \(EntropyControls.all.map { $0.name }.joined(separator: ", ")), steps or seeds)",
            word: word)
        }
      }
      guard state.rule == .grpo else {
        throw args.error("needs sampled steps: the controls act on GRPO updates ('update grpo' first)")
      }
      if settings.isEmpty { settings = [nil] + EntropyControls.all.map { $0.name } }
      try checkCompareBudget(state, runs: settings.count * seeds.count, steps: steps, context: context)
      let result = Comparison.run(from: state, settings: settings, steps: steps, seeds: Array(seeds), context: context)
      if result.outcomes.isEmpty && !result.interrupted {
        throw args.error("every run failed: " + result.failures.joined(separator: "; "))
      }
      return result.reports
    })
}

extension TrajectoryCommands {
  /// Refuses a `compare` whose steps would pass the step budget, or whose
  /// runs would not fit in memory: each run copies the state and keeps its
  /// trajectory and curves; sampled steps need their rollout too.
  static func checkCompareBudget(_ state: LabState, runs: Int, steps: Int, context: CommandContext) throws(LabError) {
    try RunBudget.check(steps: Double(runs) * Double(steps), command: "compare")
    let needed =
      state.heldBytes + Double(steps) * (LabState.recordBytes + 3 * 8) + DynamicsCommands.rolloutBytes(state)
    do throws(CoreError) {
      try MemoryBudget.check(bytes: needed, held: context.heldBytes + state.heldBytes)
    } catch {
      throw LabError.overBudget(
        error, command: "compare", what: "each run of \(steps) steps", advice: "compare fewer steps or a smaller policy"
      )
    }
  }
}
