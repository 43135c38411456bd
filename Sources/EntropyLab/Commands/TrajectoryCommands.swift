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
    changesInPlace: true,
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
    name: "tokens", usage: "tokens [top n | all | chosen | responses | flips]",
    summary:
      "The last sampled step's tokens sorted by covariance, what PPO and the controls did, and Table 1's summary.",
    details: [
      "cov = (A − mean A)·(log π − mean log π) over the token's minibatch (paper Eq. 10).",
      "ppo: the PPO clip zeroed the token's gradient; chosen: the controls that selected it (each control's help",
      "says what it does to the tokens it selects: detach, penalise, cap, reweight).",
      "The summary is the paper's Table 1: mean covariance of the top 0.02%, 0.2%, 2%, 20%, 50% and all tokens.",
      "'tokens chosen' lists only the tokens a control selected.",
      "'tokens responses': per prompt (group), the paper's Fig. 8 covariance over its responses of the",
      "length-normalised log π_old and the advantage (dividing by the group's size), next to the token-level one.",
      "'tokens flips': how many tokens their own update moved against their advantage's sign (A > 0 and log π",
      "fell, or A < 0 and log π rose): token flipping, the cancellation hypothesis's measure.",
    ],
    subwords: ["top", "all", "chosen", "responses", "flips"],
    group: "Trajectory",
    handler: .state { state, args, context throws(LabError) in
      var limit = 20
      var onlyChosen = false
      if args.consume("responses") {
        try args.expectEnd()
        return try responseReport(state, context)
      }
      if args.consume("flips") {
        try args.expectEnd()
        return flipReport(state)
      }
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
      let tokens = state.lastTokens
      // Checked before anything is allocated: the rows listed, and a sort
      // order (one index per token-update; the records are not copied).
      let listed = onlyChosen ? tokens.reduce(0) { $0 + ($1.chosenBy.isEmpty ? 0 : 1) } : min(limit, tokens.count)
      try ListingBudget.check(
        rows: listed, scratch: Double(tokens.count) * Double(MemoryLayout<Int>.stride), state: state,
        context: context, command: "tokens",
        what: "listing \(listed) of \(tokens.count) token-updates", advice: "use 'tokens top n'")
      let sorted = tokens.indices.sorted {
        tokens[$0].covariance != tokens[$1].covariance ? tokens[$0].covariance > tokens[$1].covariance : $0 < $1
      }.lazy.map { tokens[$0] }
      var seenUpdates = Set<Int>()
      for t in tokens { seenUpdates.insert(t.update) }
      let updates = seenUpdates.count
      var table = Table(
        columns: [
          .init("update", key: "update", priority: .key), .init("state", key: "state", priority: .key),
          .init("arm", key: "arm", priority: .key), .init("reward", key: "reward"), .init("A", key: "advantage"),
          .init("log π", key: "log_prob"), .init("cov", key: "covariance"), .init("ρ", key: "ratio"),
          .init("ppo", key: "ppo_clipped"), .init("chosen", key: "chosen", priority: .detail),
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

  /// `tokens flips`: tokens whose own update moved log π against the sign
  /// of their advantage, by advantage sign.
  static func flipReport(_ state: LabState) -> [Report] {
    guard !state.lastTokens.isEmpty else {
      return [.message("tokens: no sampled step with tokens yet ('update grpo' then 'step')")]
    }
    var table = Table(
      columns: [
        .init("advantage", key: "advantage_sign"), .init("token-updates", key: "tokens"),
        .init("log π rose", key: "rose"), .init("log π fell", key: "fell"), .init("flipped", key: "flipped"),
        .init("fraction", key: "fraction"),
      ],
      jsonPrefix: [("kind", .string("token_flips"))])
    for (label, sign) in [("A > 0", 1.0), ("A < 0", -1.0)] {
      // Counted in place: no copy of the (budgeted, possibly huge) records.
      var count = 0
      var rose = 0
      var fell = 0
      for t in state.lastTokens where t.token.advantage * sign > 0 {
        count += 1
        if t.logProbChange > 0 { rose += 1 }
        if t.logProbChange < 0 { fell += 1 }
      }
      let flipped = sign > 0 ? fell : rose
      table.rows.append([
        .text(label), .int(count), .int(rose), .int(fell), .int(flipped),
        count == 0 ? .none : .number(Double(flipped) / Double(count), .fixed(4)),
      ])
    }
    return [
      .message("token flipping in step \(state.lastTokensStep): each token-update's own Δlog π against the sign of A"),
      .table(table),
    ]
  }

  /// `tokens responses`: the Fig. 8 covariance per group of the last sampled step.
  static func responseReport(_ state: LabState, _ context: CommandContext) throws(LabError) -> [Report] {
    guard !state.lastTokens.isEmpty else {
      return [.message("tokens: no sampled step with tokens yet ('update grpo' then 'step')")]
    }
    // Each token once: the first epoch's records (one per rollout token).
    let counts = state.trajectory.last(where: { $0.step == state.lastTokensStep })?.sampled
    let firstEpoch = state.lastTokens.prefix(counts?.tokens ?? state.lastTokens.count)
    // Checked before anything is allocated: a row per group (at most the
    // largest group number + 1) and, per token, at most one entry in its
    // group's set of responses and in the index by group.
    let groupCount = min(firstEpoch.count, firstEpoch.reduce(0) { max($0, $1.token.group) } + 1)
    try ListingBudget.check(
      rows: groupCount, scratch: Double(firstEpoch.count) * 64, state: state, context: context,
      command: "tokens", what: "listing \(groupCount) groups of \(firstEpoch.count) tokens",
      advice: "take a smaller sampled step (fewer states or a smaller group)")
    var groups: [(group: Int, state: Int, responses: Set<Int>, tokens: Int, cov: Double)] = []
    var indexOfGroup: [Int: Int] = [:]
    for r in firstEpoch {
      if let g = indexOfGroup[r.token.group] {
        groups[g].responses.insert(r.token.response)
        groups[g].tokens += 1
      } else {
        indexOfGroup[r.token.group] = groups.count
        groups.append((r.token.group, r.token.state, [r.token.response], 1, r.groupCovariance))
      }
    }
    groups.sort { $0.group < $1.group }
    var table = Table(
      columns: [
        .init("group", key: "group"), .init("state", key: "state"), .init("responses", key: "responses"),
        .init("tokens", key: "tokens"), .init("Fig. 8 cov", key: "response_covariance"),
      ],
      jsonPrefix: [("kind", .string("group_covariance"))])
    for g in groups {
      table.rows.append([
        .int(g.group), .int(g.state), .int(g.responses.count), .int(g.tokens), .number(g.cov, .fixed(6)),
      ])
    }
    var reports: [Report] = [.table(table)]
    if let c = counts {
      reports.append(
        .message(
          "step \(state.lastTokensStep): Fig. 8 covariance (mean over groups) = "
            + NumberStyle.setting.format(c.responseCovariance) + "; token-level Cov(log π_old, A) = "
            + NumberStyle.setting.format(c.tokenCovariance)))
    }
    return reports
  }

  static let history = Command(
    name: "history", usage: "history [last n]",
    summary: "The trajectory: one row per step taken (H, ΔH, the predictions, R, token counts).",
    details: [
      "A 'policy logits|probs|random' change starts a new segment, numbered from step 1 again;",
      "history, plot and fit show the current segment only.",
    ],
    subwords: ["last"],
    group: "Trajectory",
    handler: .state { state, args, context throws(LabError) in
      var limit = Int.max
      if args.consume("last") { limit = try args.integer("how many steps n", in: 1...Int.max) }
      try args.expectEnd()
      guard !state.segment.isEmpty else {
        return [.message("history: no steps yet" + (state.segmentStart > 0 ? " since the last 'policy' change" : ""))]
      }
      // Checked before anything is allocated, like `show` and `tokens`: a
      // table row per step listed, and the copy of the records it lists.
      let listed = min(limit, state.segment.count)
      let copy = Double(listed) * Double(MemoryLayout<StepRecord>.stride)
      try ListingBudget.check(
        rows: listed, scratch: copy, state: state, context: context, command: "history",
        what: "listing \(listed) steps", advice: "use 'history last n'")
      let records = Array(state.segment.suffix(limit))
      let sampled = records.contains { $0.sampled != nil }
      var reports: [Report] = [
        .table(DynamicsCommands.stepTable(records, sampled: sampled, rule: state.rule.rawValue))
      ]
      if state.segmentStart > 0 {
        reports.append(
          .message(
            "(the steps since the last 'policy' change; \(state.segmentStart) earlier "
              + "step\(state.segmentStart == 1 ? "" : "s") of other policies not shown)"))
      }
      return reports
    })

  /// The quantities `plot` can draw.
  static let plotQuantities = ["entropy", "reward", "cov", "residual"]

  static let plot = Command(
    name: "plot", usage: "plot entropy|reward|cov|residual … | plot law | plot sweep …",
    summary: "Draw the trajectory or the last sweep in the terminal (braille on a Unicode terminal, ASCII otherwise).",
    details: [
      "entropy   mean H after each step        reward    expected reward R after each step",
      "cov       Cov(log π, Δz) of each step (= −first-order ΔH)",
      "residual  actual ΔH − first-order prediction",
      "Several quantities ('plot entropy reward') are stacked panels over one step axis.",
      "law       R against H: the trajectory, the fitted R = −a·e^H + b (as 'fit') and its ceiling −a + b",
      "",
      "plot sweep [M] [band std|se]              each combination's mean curve of metric M (default H)",
      "                                          over seeds, with a ±std (or ±se) band",
      "plot sweep final|mean M vs KEY [band …]   M at the last step (or averaged over the run) against",
      "                                          the swept number KEY, one series per combination of",
      "                                          the other keys, with ±std (or ±se) error bars; log axes",
      "                                          where the values are logarithmic",
      "Series that coincide are named as such in the legend.",
    ],
    subwords: plotQuantities + ["law", "sweep", "final", "mean", "vs", "band"],
    group: "Trajectory",
    handler: .session { session, args throws(LabError) in
      if args.consume("sweep") { return [.plot(try SweepPlots.plot(session: session, args: &args))] }
      let trajectory = Array(session.state.segment)
      if args.consume("law") {
        try args.expectEnd()
        guard !trajectory.isEmpty else { return [.message("plot: no steps yet")] }
        return [.plot(lawPlot(trajectory))]
      }
      var quantities = [try args.choice("what to plot", plotQuantities + ["law"])]
      while !args.isAtEnd {
        let word = args.peek ?? ""
        let next = try args.choice("another quantity to plot", plotQuantities)
        if quantities.contains(next) { throw args.error("is already plotted", word: word) }
        quantities.append(next)
      }
      guard !trajectory.isEmpty else { return [.message("plot: no steps yet")] }
      if quantities.count == 1 { return [.plot(trajectoryPlot(quantities[0], trajectory))] }
      return [
        .plot(
          Plot.stacked(
            title: quantities.map { plotNames[$0] ?? $0 }.joined(separator: ", ") + " per step",
            quantities.map { trajectoryPlot($0, trajectory) }))
      ]
    })

  /// Short names of the quantities, for a stacked plot's title.
  static let plotNames = ["entropy": "H", "reward": "R", "cov": "Cov(log π, Δz)", "residual": "residual"]

  /// R against H: the trajectory, the law fitted to it and its ceiling.
  static func lawPlot(_ t: [StepRecord]) -> Plot {
    let h = t.map(\.entropyAfter)
    var series = [Plot.Series(name: "trajectory (after each step)", x: h, y: t.map(\.expectedReward))]
    var title = "R against H"
    if let law = (try? LawFit.fit(entropies: h, rewards: t.map(\.expectedReward))) ?? nil {
      let top = max(h.filter(\.isFinite).max() ?? 1, 1e-9)
      let xs = (0...40).map { top * Double($0) / 40 }
      series.append(.init(name: "fit R = −a·e^H + b", x: xs, y: xs.map { law.predict(entropy: $0) }))
      series.append(.init(name: "ceiling −a + b", x: [0, top], y: [law.ceiling, law.ceiling]))
      title +=
        ": fit a = \(NumberStyle.general(4).format(law.a)), b = \(NumberStyle.general(4).format(law.b)), "
        + "ceiling \(NumberStyle.general(4).format(law.ceiling))"
    }
    return Plot(title: title, xLabel: "H (nats)", yLabel: "R", series: series)
  }

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
      let h = state.segment.map(\.entropyAfter)
      let r = state.segment.map(\.expectedReward)
      let n = fraction < 1 ? Int((fraction * Double(h.count)).rounded(.down)) : h.count
      guard n >= 2 else {
        throw args.error("needs at least 2 steps to fit (have \(n)\(fraction < 1 ? " in the first fraction" : ""))")
      }
      // h and r are the same trajectory's columns: fit cannot throw here.
      guard let law = (try? LawFit.fit(entropies: Array(h.prefix(n)), rewards: Array(r.prefix(n)))) ?? nil else {
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
      var reports: [Report] = [.record(text: text, json: fields)]
      // The best R any policy reaches: each state's best arm, averaged.
      let k = state.bandit.arms
      let best =
        (0..<state.bandit.states).map { s in state.bandit.meanRewards[s * k..<(s + 1) * k].max() ?? 0 }
        .reduce(0, +) / Double(max(1, state.bandit.states))
      if law.ceiling > best + 1e-9 * max(1, abs(best)) {
        reports.append(
          .warning(
            "the ceiling \(NumberStyle.general(6).format(law.ceiling)) is above the largest expected reward any "
              + "policy can reach here, \(NumberStyle.general(6).format(best)) (each state's best arm μ, averaged "
              + "over states): the fitted curve does not hold all the way to H = 0"))
      }
      return reports
    })

  static let compare = Command(
    name: "compare", usage: "compare [SETTING …] [KEY=VALUE …] [steps N] [seeds s1..s2]",
    summary: "Run each setting from the current state with the same seeds, side by side (the state is not changed).",
    details: [
      "SETTING is none (plain GRPO) or a control: "
        + (["none"] + EntropyControls.all.map { $0.name }).joined(separator: ", ") + ";",
      "with none given: none and the paper's four ("
        + EntropyControls.all.filter { $0.isClassic }.map { $0.name }.joined(separator: ", ")
        + "); name any other control to add it.",
      "Each setting turns on only that control (with its current values; 'none' = plain GRPO),",
      "then takes N sampled steps (default 50) once per seed (default seeds 1..5), every run starting",
      "from the current policy. Prints final and mean H and R per setting (mean ± std over seeds)",
      "and one overlaid plot of the mean entropy. Needs 'update grpo' (or update=grpo).",
      "KEY=VALUE: any setting (as 'set'), applied to every run before its control, e.g.",
      "'compare clipcov klcov ratio=0.01 lr=0.5'. For several values of a setting use 'sweep'.",
      "compare is a view over the sweep engine: it is 'sweep control=none,… KEY=VALUE seeds s1..s2 steps N'",
      "shown as a table; runs spread over every core, 'plot sweep' and 'export csv|json' work after it.",
      "Under --json it prints the sweep's lines too: one per run (settings, seed, every step) and one summary",
      "per setting. Ctrl-C stops between steps; finished runs are kept and their rows marked partial.",
    ],
    subwords: ["none"] + EntropyControls.all.map { $0.name } + ["steps", "seeds"],
    group: "Trajectory",
    handler: .session { session, args throws(LabError) in
      var controls: [String] = []
      var settings: [(key: String, value: String)] = []
      var steps = 50
      var seeds: ClosedRange<UInt64> = 1...5
      while !args.isAtEnd {
        let word = try args.next("a setting")
        if word == "none" || EntropyControls.named(word) != nil {
          controls.append(word)
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
        } else if word.contains("=") {
          let pair = try SettingsRegistry.split(word, command: "compare", expected: args.usage)
          guard let setting = SettingsRegistry.setting(pair.key), setting.key != "seed", setting.key != "control"
          else {
            let why = pair.key == "seed" ? "is set per run: give the seeds with 'seeds s1..s2'" : nil
            let what = pair.key == "control" ? "is what compare varies: name the controls (none, clipcov, …)" : nil
            throw args.error(why ?? what ?? "is not a setting key ('get' lists every key)", word: pair.key)
          }
          settings.append((setting.key, pair.value))
        } else {
          throw args.error(
            "is not a setting (none, \(EntropyControls.all.map { $0.name }.joined(separator: ", ")), KEY=VALUE, "
              + "steps or seeds)",
            word: word)
        }
      }
      var probe = session.state
      try SettingsRegistry.apply(settings, to: &probe, command: "compare")
      guard probe.rule == .grpo else {
        throw args.error("needs sampled steps: the controls act on GRPO updates ('update grpo' first)")
      }
      if controls.isEmpty { controls = ["none"] + EntropyControls.all.filter { $0.isClassic }.map { $0.name } }
      let grid = Comparison.grid(settings: settings, controls: controls, steps: steps, seeds: Array(seeds))
      let runs = Array(0..<grid.runCount)
      try RunBudget.check(steps: Double(runs.count) * Double(steps), command: "compare")
      try SweepCommands.checkMemory(
        grid: grid, runs: runs.count, session: session, threads: session.sweepThreads, args: args)
      let outcome = try SweepEngine.run(
        grid: grid, runs: runs, from: session.state, threads: session.sweepThreads,
        apply: SettingsRegistry.sweepApply, read: SettingsRegistry.sweepRead, isInterrupted: session.stopRequested,
        progress: session.runProgress)
      let result = Comparison.reports(outcome, from: session.state, json: session.style.json)
      if result.outcomes.isEmpty && !outcome.interrupted {
        throw args.error("every run failed: " + result.failures.joined(separator: "; "))
      }
      session.lastSweep = outcome
      session.lastSweepMark = session.trajectoryMark
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
