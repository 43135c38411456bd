import EntropyCore
import Foundation

/// `predict`, `step` and `show`: the entropy dynamics of the next step.
enum DynamicsCommands {
  static let all: [Command] = [predict, step, show]

  /// Draws `predict sampled` takes by default.
  static let sampledDraws = 100

  /// What `predict` and `show` predict under `update grpo`.
  static let grpoNote =
    "(update grpo: this is the expected direction of a sampled step, the exact PG step Δz = η·π ⊙ A; "
    + "a sampled step differs: 'predict sampled [n]' estimates its ΔH)"

  /// The most rows `step` prints in text (JSON has every step).
  static let maxTextRows = 100

  /// The most steps one command may take.
  static let maxSteps = 10_000_000

  static let predict = Command(
    name: "predict",
    usage: "predict [sampled [n]]",
    summary: "Predict the next step's ΔH (first order, second order, exact path integral) without taking it.",
    details: [
      "first order    −Cov_π(log π, Δz)                         (Lemma 1)",
      "second order   first order − ½·(Var_π(Δz) + E_π[(f − Ef)(Δz − EΔz)²]),  f = log π",
      "path integral  −∫₀¹ Cov_{π_t}(log π_t, Δz) dt along z + tΔz    (exact, by Gauss–Legendre)",
      "All are means over states. R is the expected reward of the current policy.",
      "Under 'update grpo' these are for the expected direction of a sampled step, the exact PG step",
      "Δz = η·π ⊙ A; a sampled step trains on the tokens it draws and changes H far less.",
      "predict sampled [n]: takes n independent sampled steps (default \(sampledDraws)) from the current",
      "state, each with its own random draw, and prints the mean ± standard error of their actual ΔH and",
      "of their first-order prediction; the state and its random stream are unchanged.",
    ],
    subwords: ["sampled"],
    group: "Dynamics",
    handler: .state { state, args, context throws(LabError) in
      if args.consume("sampled") {
        var n = sampledDraws
        if !args.isAtEnd { n = try args.integer("the number of draws n", in: 2...1_000_000) }
        try args.expectEnd()
        guard state.rule == .grpo else {
          throw args.error("needs sampled steps ('update grpo' first); exact steps are not random: 'predict'")
        }
        return try SampledPrediction.reports(state, draws: n, context: context, args: args)
      }
      try args.expectEnd()
      // Row by row: the numbers of Δz over the whole array, without it.
      let plan = RowwiseExactStep.plan(
        state.policy, rule: state.exactRule, advantages: state.stepAdvantages, learningRate: state.learningRate,
        pathIntegral: true)
      let p = plan.mean
      guard p.firstOrder.isFinite, p.secondOrder.isFinite else {
        throw LabError(.nonFiniteUpdate, command: args.command, expected: args.usage)
      }
      // The plan summed V per state with exact advantages; hand-set ones
      // need the values' own pass.
      let reward: Double
      if case .exact = state.advantages {
        reward = plan.values.reduce(0, +) / Double(plan.values.count)
      } else {
        reward = state.bandit.expectedReward(under: state.policy)
      }
      let table = Table(
        columns: [
          .init("H", key: "entropy_before"), .init("1st order", key: "first_order"),
          .init("2nd order", key: "second_order"), .init("path integral", key: "path_integral"),
          .init("R", key: "expected_reward"),
        ],
        rows: [
          [
            .number(plan.meanEntropyBefore, .value), .number(p.firstOrder, .change),
            .number(p.secondOrder, .change), .number(p.pathIntegral, .change),
            .number(reward, .value),
          ]
        ],
        jsonPrefix: [("kind", .string("predict")), ("rule", .string(state.rule.rawValue))])
      var reports: [Report] = [.table(table)]
      if state.rule == .grpo { reports.append(.message(grpoNote)) }
      if p.pathIntegral.isNaN { reports.append(.warning(unresolvedNote)) }
      if let (s, m) = state.uncentredAdvantage(plan.meanAdvantage) {
        reports.append(.warning(PolicyCommands.uncentredNote(state: s, mean: m)))
      }
      return reports
    })

  static let step = Command(
    name: "step",
    usage: "step [n]",
    summary: "Take n steps (default 1): H before/after, actual ΔH, the three predictions, the residual, R.",
    details: [
      "residual = actual ΔH − first-order prediction; it shrinks as η² (second order: η³).",
      "R is the expected reward after the step. Ctrl-C stops a long run between steps.",
      "Sampled steps add: tokens trained on, candidates/clipped/penalised by a control, PPO-clipped,",
      "and 'NPG-step 1st order' = −η·Cov_π(log π, A) with the exact advantages (the population term):",
      "the first-order ΔH an exact NPG step of size η would make (Thm. 2), not this step's. A sampled",
      "step trains on the tokens it drew, token-mean weighted, and its own prediction is '1st order'.",
      "Read the column for its sign and trend; 'predict sampled' estimates a sampled step's ΔH.",
    ],
    group: "Dynamics",
    changesInPlace: true,
    handler: .state { state, args, context throws(LabError) in
      var n = 1
      if !args.isAtEnd { n = try args.integer("the number of steps n", in: 1...maxSteps) }
      try args.expectEnd()
      let run = try runSteps(&state, count: n, context: context, args: args)
      let sampled = state.rule == .grpo
      guard !context.style.json && run.records.count > maxTextRows else {
        return [.table(stepTable(run.records, sampled: sampled, rule: state.rule.rawValue))] + run.notes
      }
      // A long text table helps no one: show evenly spaced rows and the last.
      let every = (run.records.count + maxTextRows - 1) / maxTextRows
      let shown = run.records.enumerated().filter { ($0.offset + 1) % every == 0 || $0.offset == run.records.count - 1 }
        .map(\.element)
      return [
        .table(stepTable(shown, sampled: sampled, rule: state.rule.rawValue)),
        .message("(every \(every)th of \(run.records.count) steps shown; 'history' lists them all)"),
      ] + run.notes
    })

  /// What a multi-step command did.
  struct StepRun {
    var records: [StepRecord] = []
    var notes: [Report] = []
  }

  /// Takes up to `count` steps, stopping between steps on Ctrl-C or when a
  /// step would not be finite (the state is then as of the last good step).
  static func runSteps(
    _ state: inout LabState, count n: Int, context: CommandContext, args: ArgumentReader
  ) throws(LabError) -> StepRun {
    try checkBudget(state, steps: n, context: context, args: args)
    var run = StepRun()
    var uncentred: (state: Int, mean: Double)?
    var overflow = false
    var filteredAll = 0
    for i in 0..<n {
      if i > 0 && context.isInterrupted() { break }
      do throws(CoreError) {
        let (record, means) = try state.takeStep()
        if uncentred == nil { uncentred = state.uncentredAdvantage(means) }
        if let counts = record.sampled, counts.tokens == 0 { filteredAll += 1 }
        run.records.append(record)
        RunBudget.count(1)
      } catch {
        if i == 0 { throw LabError(error, command: args.command, expected: args.usage) }
        overflow = true
        break
      }
      context.progress(i + 1, n)
    }
    if let (s, m) = uncentred { run.notes.append(.warning(PolicyCommands.uncentredNote(state: s, mean: m))) }
    if run.records.contains(where: { $0.prediction.pathIntegral.isNaN }) { run.notes.append(.warning(unresolvedNote)) }
    if filteredAll > 0 {
      run.notes.append(
        .warning(
          "\(filteredAll) step\(filteredAll == 1 ? " had" : "s had") nothing to train on: every group's rewards "
            + "were equal and the filter dropped them ('filter off' keeps them)"))
    }
    let taken = run.records.count
    if overflow {
      run.notes.append(.warning("stopped after \(taken) of \(n) steps: the next step's logit change is not finite"))
    } else if taken < n, let spent = RunBudget.exhausted {
      run.notes.append(
        .warning("stopped after \(taken) of \(n) steps: \(spent); the state is as of step \(state.stepsTaken)"))
    } else if taken < n {
      run.notes.append(
        .warning("interrupted after \(taken) of \(n) steps; the state is as of step \(state.stepsTaken)"))
    }
    return run
  }

  /// Refuses `n` steps that would pass the step budget, or whose records
  /// (in the trajectory and in the command's result, with the rendered
  /// rows), rollout and the rollback copy of the state would not fit in the
  /// memory budget, before taking any.
  static func checkBudget(_ state: LabState, steps n: Int, context: CommandContext, args: ArgumentReader)
    throws(LabError)
  {
    try RunBudget.check(steps: Double(n), command: args.command)
    let needed = Double(n) * (2 * LabState.recordBytes + (context.style.json ? 600 : 0)) + rolloutBytes(state)
    do throws(CoreError) {
      // The state twice: the working copy and the session's, kept for rollback.
      try MemoryBudget.check(bytes: needed, held: context.heldBytes + 2 * state.heldBytes)
    } catch {
      let what =
        state.rule == .grpo
        ? "\(n) sampled step\(n == 1 ? "" : "s") of \(state.policy.states) states × G = \(state.grpo.groupSize)"
        : "\(n) step\(n == 1 ? "" : "s")"
      throw LabError.overBudget(
        error, command: args.command, what: what,
        advice: "take fewer steps, a smaller group or policy, or free checkpoints")
    }
  }

  /// The bytes the next step's rollout allocates (sampled steps only).
  static func rolloutBytes(_ state: LabState) -> Double {
    let sampled = state.rule == StepRule.grpo
    return sampled
      ? SampledTrainer.bytesNeeded(states: state.policy.states, arms: state.policy.arms, config: state.grpo) : 0
  }

  /// Why a path integral shows as nan.
  static let unresolvedNote =
    "the path integral is shown as nan where a state's Δz spans more than "
    + "\(Int(EntropyDynamics.maxResolvedSpan)): the quadrature cannot resolve so steep a step (lower the learning rate)"

  /// A step table with the keys scripts rely on; sampled steps add their
  /// token counts and the population term.
  static func stepTable(_ records: [StepRecord], sampled: Bool, rule: String) -> Table {
    // At 80 columns the first line holds step, H after, ΔH, the first-order
    // prediction, its residual and R; the rest wrap under them.
    var columns: [Table.Column] = [
      .init("step", key: "step", priority: .key), .init("H before", key: "entropy_before", priority: .detail),
      .init("H after", key: "entropy_after"), .init("ΔH actual", key: "entropy_change", short: "ΔH"),
      .init("1st order", key: "first_order", short: "1st"),
      .init("2nd order", key: "second_order", priority: .detail, short: "2nd"),
      .init("path integral", key: "path_integral", priority: .detail, short: "path"),
      .init("residual", key: "first_order_residual", priority: .detail), .init("R", key: "expected_reward"),
    ]
    // The controls' activity: the classic controls' columns where they
    // always were, any other control's (and scheduled values) at the end.
    let classic = ActivityColumns.classic
    let extra = sampled ? ActivityColumns.extra(records.compactMap { $0.sampled?.activity }) : []
    if sampled {
      columns += [.init("tokens", key: "tokens", priority: .detail)]
      columns += classic.map { .init($0.heading, key: $0.key, priority: .detail) }
      columns += [
        .init("ppo-clip", key: "ppo_clipped", priority: .detail),
        .init("NPG-step 1st order", key: "population_term", priority: .detail, short: "NPG 1st"),
      ]
      columns += extra.map { .init($0.heading, key: $0.key, priority: .detail) }
    }
    let rows = records.map { r in
      var row: [Table.Cell] = [
        .int(r.step), .number(r.entropyBefore, .value), .number(r.entropyAfter, .value),
        .number(r.entropyChange, .change), .number(r.prediction.firstOrder, .change),
        .number(r.prediction.secondOrder, .change), .number(r.prediction.pathIntegral, .change),
        .number(r.firstOrderResidual, .scientific(2)), .number(r.expectedReward, .value),
      ]
      if sampled {
        if let c = r.sampled {
          row += [.int(c.tokens)] + classic.map { ActivityColumns.cell($0, c.activity, zeroWhenAbsent: true) }
          row += [.int(c.ppoClipped), .number(c.populationTerm, .scientific(4))]
          row += extra.map { ActivityColumns.cell($0, c.activity) }
        } else {
          row += [Table.Cell](repeating: .none, count: 3 + classic.count + extra.count)
        }
      }
      return row
    }
    var table = Table(columns: columns, rows: rows, jsonPrefix: [("kind", .string("step"))])
    for (i, r) in records.enumerated() {
      table.rowJSON[i] = [("rule", .string(r.rule.isEmpty ? rule : r.rule))]
      // Issue 14's per-step quantities: in the JSON rows only, so the text
      // row stays narrow.
      if let c = r.sampled {
        table.rowJSON[i]? += [
          ("responses", .int(c.responses)), ("dual_clipped", .int(c.dualClipped)), ("rollout_passes", .int(c.passes)),
          ("groups_drawn", .int(c.groupsDrawn)), ("updates", .int(c.updates)),
          ("response_covariance", .number(c.responseCovariance)), ("token_covariance", .number(c.tokenCovariance)),
        ]
      }
    }
    return table
  }

  /// Arms `show` lists per state by default.
  static let showTop = 20

  /// States `show` lists in full before asking for `show state s`.
  static let showAllUpTo = 8

  static let show = Command(
    name: "show",
    usage: "show [last] [state s] [top n | all]",
    summary: "Per arm: logit, π, log π, A, μ, the next step's Δz, its share of the covariance and its effect on H.",
    details: [
      "share = π_a·(log π_a − E log π)·(Δz_a − E Δz); the shares sum to Cov_π(log π, Δz),",
      "and the first-order ΔH is −(sum of shares): a positive share lowers entropy.",
      "High-probability arms pushed up, or rare arms pushed down, lower H; the other two quadrants raise it.",
      "With more than \(showTop) arms, the \(showTop) with the largest |share| are listed (largest first), then one",
      "line sums up the rest; 'top n' lists n, 'all' lists every arm in order.",
      "'show last': the same for the Δz the last step actually applied (any rule and optimiser, e.g. AdamW).",
    ],
    subwords: ["last", "state", "top", "all"],
    group: "Dynamics",
    completer: { typed in
      // show [last] [state s] [top n | all]: a number after 'state' or 'top'.
      if let last = typed.last, last == "state" || last == "top" { return .words([]) }
      if typed.contains("top") || typed.contains("all") { return .words([]) }
      if typed.first == "last" { return .words(typed.contains("state") ? [] : ["state"]) }
      return .words(
        typed.contains("state") ? ["top", "all"] : (typed.isEmpty ? ["last"] : []) + ["state", "top", "all"])
    },
    handler: .state { state, args, context throws(LabError) in
      if args.consume("last") {
        let target = try PolicyCommands.readState(&args, state.policy)
        try args.expectEnd()
        try checkShowFits(
          state, context, states: target == nil ? min(state.policy.states, showAllUpTo) : 1, limit: showTop)
        return lastStepReport(state, target: target)
      }
      let target = try PolicyCommands.readState(&args, state.policy)
      var limit = showTop
      if args.consume("all") {
        limit = Int.max
      } else if args.consume("top") {
        limit = try args.integer("how many arms n", in: 1...Int.max)
      }
      try args.expectEnd()
      let policy = state.policy
      let rows = target.map { [$0] } ?? Array(0..<min(policy.states, showAllUpTo))
      try checkShowFits(state, context, states: rows.count, limit: limit)
      // Every state's first-order prediction, row by row (no S × K Δz);
      // the shown states' A and Δz are computed again one row at a time.
      let plan = RowwiseExactStep.plan(
        policy, rule: state.exactRule, advantages: state.stepAdvantages, learningRate: state.learningRate,
        pathIntegral: false)
      let predictions = plan.predictions
      // A step whose Δz (or its prediction) overflows is refused by `step`;
      // show the arms without it rather than print inf and nan.
      let overflows = !plan.deltaFinite || predictions.contains { !$0.firstOrder.isFinite }
      var reports: [Report] = []
      for s in rows {
        let p = policy.probabilities(state: s)
        let lp = policy.logProbabilities(state: s)
        let (advantages, delta) = RowwiseExactStep.row(
          s, of: policy, rule: state.exactRule, advantages: state.stepAdvantages, learningRate: state.learningRate)
        let shares = EntropyDynamics.contributions(policy: policy, changeRow: delta, state: s)
        let k = policy.arms
        let v = zip(p, state.bandit.meanRewards[s * k..<(s + 1) * k]).reduce(0) { $0 + $1.0 * $1.1 }
        let heading =
          "state \(s): H = \(fmt(policy.entropy(state: s))), V = \(fmt(v)), "
          + (state.rule == .grpo
            ? "expected direction of a grpo step (exact PG) at η = \(NumberStyle.setting.format(state.learningRate)): "
            : "next \(state.rule.rawValue) step at η = \(NumberStyle.setting.format(state.learningRate)): ")
          + (overflows
            ? "its logit change is not finite (overflow); lower the learning rate"
            : "ΔH ≈ \(NumberStyle.change.format(predictions[s].firstOrder)) (first order)")
        reports.append(
          .record(
            text: heading,
            json: [
              ("kind", .string("state")), ("state", .int(s)), ("entropy", .number(policy.entropy(state: s))),
              ("value", .number(v)), ("first_order", overflows ? .null : .number(predictions[s].firstOrder)),
            ]))
        var table = Table(
          columns: [
            .init("arm", key: "arm", priority: .key), .init("logit", key: "logit", priority: .detail),
            .init("π", key: "prob"), .init("log π", key: "log_prob", priority: .detail), .init("A", key: "advantage"),
            .init("μ", key: "reward", priority: .detail), .init("Δz", key: "logit_change"),
            .init("cov share", key: "cov_share", short: "share"), .init("effect", key: "effect"),
          ],
          jsonPrefix: [("kind", .string("arm")), ("state", .int(s))])
        // Every arm in order when they all fit the limit; else the
        // largest |share| first.
        let arms = k <= limit ? Array(0..<k) : largestShares(shares, count: limit)
        for a in arms {
          let i = s * k + a
          let share = shares[a].covarianceShare
          let effect = overflows ? "—" : share > 0 ? "lowers H" : share < 0 ? "raises H" : "none"
          table.rows.append([
            .int(a), .number(policy.logits[i], .fixed(6)), .number(p[a], .fixed(6)), .number(lp[a], .fixed(6)),
            .number(advantages[a], .fixed(6)), .number(state.bandit.meanRewards[i], .fixed(6)),
            overflows ? .text("—") : .number(delta[a], .scientific(4)),
            overflows ? .text("—") : .number(share, .scientific(4)), .text(effect),
          ])
        }
        reports.append(.table(table))
        if arms.count < k {
          let (rest, total) = restOfShares(shares, shown: arms)
          reports.append(
            .record(
              text: "(\(arms.count) of \(k) arms shown, largest |cov share| first; the other \(rest): "
                + "total cov share \(overflows ? "—" : NumberStyle.scientific(4).format(total)); 'show top n' or 'show all')",
              json: [
                ("kind", .string("rest")), ("state", .int(s)), ("arms", .int(rest)),
                ("cov_share", overflows ? .null : .number(total)),
              ]))
        }
      }
      if state.rule == .grpo { reports.append(.message(grpoNote)) }
      if target == nil && policy.states > showAllUpTo {
        reports.append(.message("(states 0–\(showAllUpTo - 1) of \(policy.states) shown; 'show state s' for another)"))
      }
      return reports
    })

  /// Refuses a `show` whose listing would not fit in the memory budget:
  /// per state listed, a table row per arm shown, and the per-arm scratch
  /// of one state (π, log π, the shares and a sort order). The next step's
  /// Δz and the advantages are among the S × K arrays a session is
  /// allowed for already (`MemoryBudget.arraysPerSession`).
  static func checkShowFits(_ state: LabState, _ context: CommandContext, states: Int, limit: Int) throws(LabError) {
    let k = state.policy.arms
    let shown = min(k, limit)
    let perArm = Double(3 * MemoryLayout<Double>.stride + MemoryLayout<ArmContribution>.stride)
    let scratch = Double(k) * perArm
    try ListingBudget.check(
      rows: states * shown, scratch: scratch, state: state, context: context, command: "show",
      what: "listing \(shown) arm\(shown == 1 ? "" : "s")\(states > 1 ? " of \(states) states" : "")",
      advice: "use 'show top n' or 'show state s'")
  }

  /// The `count` arms with the largest |share|, largest first, ties by
  /// arm: the first `count` of sorting every arm that way, found with a
  /// bounded selection (O(K log count)) rather than a sort of all K.
  static func largestShares(_ shares: [ArmContribution], count: Int) -> [Int] {
    // a comes before b in the order `show` lists arms.
    func before(_ a: Int, _ b: Int) -> Bool {
      let (x, y) = (abs(shares[a].covarianceShare), abs(shares[b].covarianceShare))
      return x != y ? x > y : a < b
    }
    // Insertion into a short list is quadratic in `count`: sort beyond it.
    guard count <= 64 else { return Array(shares.indices.sorted(by: before).prefix(count)) }
    var chosen: [Int] = []
    chosen.reserveCapacity(count + 1)
    for a in shares.indices {
      if chosen.count == count, let last = chosen.last, !before(a, last) { continue }
      // Insert in order (count is small: 20 by default).
      var i = chosen.count
      while i > 0 && before(a, chosen[i - 1]) { i -= 1 }
      chosen.insert(a, at: i)
      if chosen.count > count { chosen.removeLast() }
    }
    return chosen
  }

  /// How many arms are not in `shown`, and the sum of their shares in arm
  /// order (as the sum over the rest of the arms, filtered in order).
  static func restOfShares(_ shares: [ArmContribution], shown: [Int]) -> (count: Int, total: Double) {
    var isShown = [Bool](repeating: false, count: shares.count)
    for a in shown { isShown[a] = true }
    var total = 0.0
    var count = 0
    for a in shares.indices where !isShown[a] {
      total += shares[a].covarianceShare
      count += 1
    }
    return (count, total)
  }

  /// `show last`: per arm, the last step's applied Δz and its covariance share.
  static func lastStepReport(_ state: LabState, target: Int?) -> [Report] {
    guard let last = state.lastStep, last.before.logits.count == last.delta.count else {
      if state.lastStepDropped {
        return [
          .message(
            "show last: not kept at this size: a step keeps the policy before it and its Δz only up to "
              + "S × K = \(state.lastStepLimit) logits (this policy has \(state.policy.states * state.policy.arms); "
              + "keeping them would double the memory a step needs)")
        ]
      }
      return [.message("show last: no step taken yet")]
    }
    let policy = last.before
    let rows = target.map { [$0] } ?? Array(0..<min(policy.states, showAllUpTo))
    let predictions = EntropyDynamics.predictShaped(policy: policy, change: last.delta).perState
    var reports: [Report] = []
    let fmt = NumberStyle.value.format
    for s in rows where s < policy.states {
      let p = policy.probabilities(state: s)
      let lp = policy.logProbabilities(state: s)
      let shares = EntropyDynamics.contributions(policy: policy, change: last.delta, state: s)
      let k = policy.arms
      reports.append(
        .record(
          text:
            "state \(s) before step \(state.stepsTaken): H = \(fmt(policy.entropy(state: s))); the applied Δz gives "
            + "ΔH ≈ \(NumberStyle.change.format(predictions[s].firstOrder)) (first order), "
            + "\(NumberStyle.change.format(predictions[s].pathIntegral)) (path integral)",
          json: [
            ("kind", .string("last_step_state")), ("state", .int(s)),
            ("first_order", .number(predictions[s].firstOrder)),
            ("path_integral", .number(predictions[s].pathIntegral)),
          ]))
      var table = Table(
        columns: [
          .init("arm", key: "arm"), .init("π", key: "prob"), .init("log π", key: "log_prob"),
          .init("Δz", key: "logit_change"), .init("cov share", key: "cov_share"), .init("effect", key: "effect"),
        ],
        jsonPrefix: [("kind", .string("last_step_arm")), ("state", .int(s))])
      // As 'show': at most the arms with the largest |share|, then the rest summed.
      let arms = k <= showTop ? Array(0..<k) : largestShares(shares, count: showTop)
      for a in arms {
        let share = shares[a].covarianceShare
        table.rows.append([
          .int(a), .number(p[a], .fixed(6)), .number(lp[a], .fixed(6)), .number(last.delta[s * k + a], .scientific(4)),
          .number(share, .scientific(4)), .text(share > 0 ? "lowers H" : share < 0 ? "raises H" : "none"),
        ])
      }
      reports.append(.table(table))
      if arms.count < k {
        let (rest, total) = restOfShares(shares, shown: arms)
        reports.append(
          .message(
            "(\(arms.count) of \(k) arms shown, largest |cov share| first; the other \(rest): "
              + "total cov share \(NumberStyle.scientific(4).format(total)))"))
      }
    }
    return reports
  }
}
