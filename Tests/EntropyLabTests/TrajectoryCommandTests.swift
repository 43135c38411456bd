import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// `run`, `tokens`, `history`, `plot`, `fit` and `compare`.
@Suite struct TrajectoryCommandTests {
  static let z = [1.0, 0, -1, 0.5]
  static let mu = [1.0, 0, 0, 1]
  static let setup = ["policy logits 1 0 -1 0.5", "rewards 1 0 0 1"]
  static let sampled = [
    "policy arms 4 states 2", "policy logits 1 0 -1 0.5", "rewards 0.9 0.1 0.2 0.7", "update grpo", "group 4",
    "filter off", "seed 21",
  ]

  /// The naive trajectory of n exact PG steps from the check vector:
  /// H before each step and after the last, R after each step, and each
  /// step's first-order prediction and actual change.
  static func naiveRun(_ n: Int, eta: Double = 0.1) -> (h: [Double], r: [Double], first: [Double], change: [Double]) {
    var z = Self.z
    var h = [NaiveMath.entropy(z)]
    var r: [Double] = []
    var first: [Double] = []
    var change: [Double] = []
    for _ in 0..<n {
      let d = NaiveMath.pgDelta(z, advantages: NaiveMath.advantages(z, rewards: Self.mu), eta: eta)
      first.append(NaiveMath.firstOrder(z, d))
      change.append(NaiveMath.actualChange(z, d))
      z = NaiveMath.apply(z, d)
      h.append(NaiveMath.entropy(z))
      r.append(NaiveMath.mean(NaiveMath.softmax(z), Self.mu))
    }
    return (h, r, first, change)
  }

  // MARK: run

  @Test func runPrintsItsRowsAndASummary() {
    let session = LabHarness.session(Self.setup)
    let lines = LabHarness.run(session, "run 3").output.split(separator: "\n").map(String.init)
    let naive = Self.naiveRun(3)
    #expect(lines.count == 5)
    #expect(lines[1...3].map { $0.split(separator: " ").first.map(String.init) } == ["1", "2", "3"])
    let r0 = NaiveMath.mean(NaiveMath.softmax(Self.z), Self.mu)
    #expect(
      lines[4]
        == "run: 3 steps; H \(Printed.value(naive.h[0])) → \(Printed.value(naive.h[3])), "
        + "R \(Printed.value(r0)) → \(Printed.value(naive.r[2]))")
    #expect(session.state.stepsTaken == 3)
  }

  @Test func aLongRunShowsAboutTenEvenlySpacedRowsAndAlwaysTheLast() {
    let session = LabHarness.session(Self.setup)
    let lines = LabHarness.run(session, "run 25").output.split(separator: "\n")
    let steps = lines.dropFirst().dropLast().compactMap { Int($0.split(separator: " ").first ?? "") }
    #expect(steps == [3, 6, 9, 12, 15, 18, 21, 24, 25])
    #expect(lines.last?.hasPrefix("run: 25 steps; ") == true)
    #expect(session.state.trajectory.count == 25)
  }

  @Test func runInJSONIsEveryStep() {
    let session = LabHarness.session(Self.setup, json: true)
    let rows = LabHarness.json(LabHarness.run(session, "run 12").output)
    #expect(rows.count == 12)
    let naive = Self.naiveRun(12)
    for (i, row) in rows.enumerated() {
      #expect(row["kind"] as? String == "step")
      #expect(LabHarness.number(row["step"]) == Double(i + 1))
      expectWithin(LabHarness.number(row["entropy_after"]), naive.h[i + 1], tolerance: 1e-13, "H after \(i + 1)")
      expectWithin(LabHarness.number(row["expected_reward"]), naive.r[i], tolerance: 1e-13, "R after \(i + 1)")
    }
  }

  @Test func ctrlCStopsARunBetweenSteps() {
    let session = Session(seed: 0, style: .plain, isInterrupted: { true })
    for line in Self.setup { LabHarness.run(session, line) }
    let output = LabHarness.run(session, "run 100").output
    #expect(output.hasSuffix("\nnote: interrupted after 1 of 100 steps; the state is as of step 1"))
    #expect(session.state.trajectory.count == 1)
  }

  @Test func errorsOfRun() {
    let session = LabHarness.session(Self.setup + ["step"])
    LabHarness.refuse(
      session, "run", output: LabHarness.errorText("run: needs the number of steps N", expected: "run N"))
    LabHarness.refuse(
      session, "run 0",
      output: LabHarness.errorText(
        "run: '0' is out of range (expected the number of steps N from 1 to 10000000)", expected: "run N"))
    LabHarness.refuse(
      session, "run x",
      output: LabHarness.errorText("run: 'x' is not a whole number (expected the number of steps N)", expected: "run N")
    )
    LabHarness.refuse(
      session, "run 3 4", output: LabHarness.errorText("run: '4' is not expected here", expected: "run N"))
  }

  /// BUG: when `run`'s first step is refused, the error names `step` (it
  /// is built in the step loop shared with `step`, with a fixed name).
  @Test func aRefusedRunNamesRunNotStep() {
    let session = LabHarness.session(["rewards 2 0 0 0", "update grpo"])
    let cell = LabHarness.refuseKeepingState(session, "run 3")
    #expect(cell?.error?.command == "run")
    #expect(cell?.output.hasPrefix("error: run: ") == true, "\(cell?.output ?? "")")
    #expect(cell?.output.hasSuffix("\n  expected: run N") == true)
  }

  // MARK: tokens

  @Test func tokensBeforeAnySampledStep() {
    let session = LabHarness.session(Self.setup + ["step"])
    #expect(LabHarness.run(session, "tokens").output == "tokens: no sampled step yet ('update grpo' then 'step')")
  }

  @Test func tokensAreSortedByTheirMinibatchCovariance() {
    let session = LabHarness.session(Self.sampled + ["step"], json: true)
    let objects = LabHarness.json(LabHarness.run(session, "tokens all").output)
    #expect(objects.first?["message"] as? String == "tokens of step 1: 8 token-updates over 1 update")
    let tokens = objects.filter { $0["kind"] as? String == "token" }
    #expect(tokens.count == 8)
    // Cov_i = (A_i − mean A)·(log π_i − mean log π) over the minibatch.
    let a = tokens.compactMap { LabHarness.number($0["advantage"]) }
    let lp = tokens.compactMap { LabHarness.number($0["log_prob"]) }
    let ma = a.reduce(0, +) / 8
    let ml = lp.reduce(0, +) / 8
    let cov = tokens.compactMap { LabHarness.number($0["covariance"]) }
    expectWithin(cov, zip(a, lp).map { ($0 - ma) * ($1 - ml) }, tolerance: 1e-12, "covariance")
    #expect(cov == cov.sorted(by: >))
    // The tokens are the step's rollout: each arm's log π under the policy before the step.
    for t in tokens {
      let s = Int(LabHarness.number(t["state"]) ?? -1)
      let arm = Int(LabHarness.number(t["arm"]) ?? -1)
      #expect((0..<2).contains(s) && (0..<4).contains(arm))
      expectWithin(LabHarness.number(t["log_prob"]), NaiveMath.logSoftmax(Self.z)[arm], tolerance: 1e-15, "log π")
      #expect(LabHarness.number(t["ratio"]) == 1)
    }
    // Table 1's groups: max(1, ⌈f·N⌉) tokens from the top, their mean covariance.
    let summary = objects.filter { $0["kind"] as? String == "covariance_summary" }
    #expect(
      summary.compactMap { $0["group"] as? String } == ["top 0.02%", "top 0.2%", "top 2%", "top 20%", "top 50%", "all"])
    let counts = [1, 1, 1, 2, 4, 8]
    #expect(summary.compactMap { LabHarness.number($0["tokens"]) } == counts.map(Double.init))
    for (row, n) in zip(summary, counts) {
      expectWithin(
        LabHarness.number(row["mean_covariance"]), cov.prefix(n).reduce(0, +) / Double(n), tolerance: 1e-12,
        "mean of top \(n)")
    }
  }

  @Test func tokensTopNLimitsTheRows() {
    let session = LabHarness.session(Self.sampled + ["step"])
    let lines = LabHarness.run(session, "tokens top 3").output.split(separator: "\n").map(String.init)
    #expect(lines[0] == "tokens of step 1: 8 token-updates over 1 update, top 3 by covariance shown")
    #expect(
      lines[1].split(separator: " ") == [
        "update", "state", "arm", "reward", "A", "log", "π", "cov", "ρ", "ppo", "chosen",
      ])
    #expect(lines[5] == "mean covariance by group (paper Table 1):")
    let twenty = LabHarness.session(Self.sampled + ["group 20", "step"])
    let rows = LabHarness.run(twenty, "tokens").output.split(separator: "\n")
    #expect(rows[0] == "tokens of step 1: 40 token-updates over 1 update, top 20 by covariance shown")
  }

  @Test func tokensShowWhatClipCovChose() {
    let session = LabHarness.session(Self.sampled + ["clipcov on ratio 0.25 low -100 high 100", "step"], json: true)
    let tokens = LabHarness.json(LabHarness.run(session, "tokens all").output).filter {
      $0["kind"] as? String == "token"
    }
    // ⌊0.25 × 8⌋ = 2 tokens detached, from a band that holds every token.
    #expect(tokens.filter { $0["chosen"] as? String == "clipcov" }.count == 2)
    let step = session.state.trajectory.last?.sampled
    #expect(step?.activity.count("clipped") == 2)
    #expect(step?.activity.count("candidates") == 8)
  }

  /// BUG: `tokens` labels the last sampled step's tokens with the current
  /// step number, even after exact steps that sampled nothing.
  @Test func tokensNameTheStepTheyCameFrom() {
    let session = LabHarness.session(Self.sampled + ["step", "update pg", "step"])
    let first = LabHarness.run(session, "tokens").output.split(separator: "\n").first
    #expect(first == "tokens of step 1: 8 token-updates over 1 update")
  }

  @Test func errorsOfTokens() {
    let session = LabHarness.session(Self.sampled + ["step"])
    let usage = "tokens [top n | all | chosen | responses | flips]"
    LabHarness.refuse(
      session, "tokens top", output: LabHarness.errorText("tokens: needs how many tokens n", expected: usage))
    LabHarness.refuse(
      session, "tokens top 0",
      output: LabHarness.errorText(
        "tokens: '0' is out of range (expected how many tokens n at least 1)", expected: usage))
    LabHarness.refuse(
      session, "tokens top x",
      output: LabHarness.errorText("tokens: 'x' is not a whole number (expected how many tokens n)", expected: usage))
    LabHarness.refuse(
      session, "tokens foo", output: LabHarness.errorText("tokens: 'foo' is not expected here", expected: usage))
    LabHarness.refuse(
      session, "tokens all 3", output: LabHarness.errorText("tokens: '3' is not expected here", expected: usage))
  }

  // MARK: history

  @Test func historyListsTheTrajectory() {
    let session = LabHarness.session(Self.setup, json: true)
    #expect(LabHarness.onlyJSON(session, "history")["message"] as? String == "history: no steps yet")
    LabHarness.run(session, "step 4")
    let rows = LabHarness.json(LabHarness.run(session, "history").output)
    #expect(rows.compactMap { LabHarness.number($0["step"]) } == [1, 2, 3, 4])
    let naive = Self.naiveRun(4)
    for (i, row) in rows.enumerated() {
      expectWithin(LabHarness.number(row["entropy_before"]), naive.h[i], tolerance: 1e-13, "before \(i)")
      expectWithin(LabHarness.number(row["first_order"]), naive.first[i], tolerance: 1e-13, "first \(i)")
    }
    let last = LabHarness.json(LabHarness.run(session, "history last 2").output)
    #expect(last.compactMap { LabHarness.number($0["step"]) } == [3, 4])
    #expect(LabHarness.json(LabHarness.run(session, "history last 99").output).count == 4)
  }

  @Test func historyInTextMarksTheSampledColumnsOfExactSteps() {
    let session = LabHarness.session(Self.sampled + ["step", "update pg", "step"])
    let lines = LabHarness.run(session, "history").output.split(separator: "\n").map(String.init)
    #expect(lines.count == 3)
    #expect(lines[0].hasSuffix("tokens  cand  clipped  penal  ppo-clip  NPG-step 1st order"))
    #expect(lines[2].hasSuffix("-     -        -      -         -                   -"))
  }

  /// BUG: in JSON every history row carries the *current* rule, not the
  /// rule the step was taken with.
  @Test func historyRowsCarryTheRuleOfTheirStep() {
    let session = LabHarness.session(
      Self.sampled + ["update pg", "step", "update grpo", "step", "update npg", "step"], json: true)
    let rows = LabHarness.json(LabHarness.run(session, "history").output)
    #expect(rows.map { $0["rule"] as? String } == ["pg", "grpo", "npg"])
  }

  @Test func errorsOfHistory() {
    let session = LabHarness.session(Self.setup + ["step"])
    let usage = "history [last n]"
    LabHarness.refuse(
      session, "history last", output: LabHarness.errorText("history: needs how many steps n", expected: usage))
    LabHarness.refuse(
      session, "history last 0",
      output: LabHarness.errorText(
        "history: '0' is out of range (expected how many steps n at least 1)", expected: usage))
    LabHarness.refuse(
      session, "history first 2",
      output: LabHarness.errorText("history: 'first' is not expected here", expected: usage))
  }

  // MARK: plot

  @Test func plotDrawsTheTrajectoryQuantities() {
    let session = LabHarness.session(Self.setup, json: true)
    #expect(LabHarness.onlyJSON(session, "plot entropy")["message"] as? String == "plot: no steps yet")
    LabHarness.run(session, "step 3")
    let naive = Self.naiveRun(3)
    func series(_ what: String) -> (title: String?, x: [Double], y: [Double]) {
      let plot = LabHarness.onlyJSON(session, "plot \(what)")
      #expect(plot["kind"] as? String == "plot")
      let s = (plot["series"] as? [[String: Any]])?.first ?? [:]
      let x = (s["x"] as? [Any] ?? []).compactMap { LabHarness.number($0) }
      let y = (s["y"] as? [Any] ?? []).compactMap { LabHarness.number($0) }
      return (plot["title"] as? String, x, y)
    }
    let h = series("entropy")
    #expect(h.title == "mean entropy H")
    #expect(h.x == [0, 1, 2, 3])
    expectWithin(h.y, naive.h, tolerance: 1e-13, "H")
    let r = series("reward")
    #expect(r.x == [1, 2, 3])
    expectWithin(r.y, naive.r, tolerance: 1e-13, "R")
    let c = series("cov")
    expectWithin(c.y, naive.first.map { -$0 }, tolerance: 1e-13, "cov")
    let res = series("residual")
    expectWithin(res.y, zip(naive.change, naive.first).map { $0 - $1 }, tolerance: 1e-13, "residual")
    #expect(session.lastPlot?.title == "first-order residual (actual ΔH − prediction)")
  }

  @Test func plotInTextIsAnASCIIChart() {
    let session = LabHarness.session(Self.setup + ["step 5"])
    let lines = LabHarness.run(session, "plot entropy").output.split(separator: "\n", omittingEmptySubsequences: false)
      .map(String.init)
    #expect(lines.first == "mean entropy H")
    #expect(lines.count == 1 + 12 + 4)
    // The y axis runs from a nice tick at or below the last H (bottom) to
    // one at or above the first (top): H falls.
    let h = Self.naiveRun(5).h
    func label(_ line: String) -> Double? {
      Double(line.split(separator: "|").first?.trimmingCharacters(in: .whitespaces) ?? "")
    }
    let top = label(lines[1]) ?? .nan
    let bottom = label(lines[12]) ?? .nan
    #expect(top >= h[0] && top - h[0] < (h[0] - h[5]))
    #expect(bottom <= h[5] && h[5] - bottom < (h[0] - h[5]))
    #expect(lines.last?.hasSuffix("* H") == true)
    #expect(lines[15].hasSuffix("step  (y: H (nats))"))
    #expect(lines.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) || $0 == lines[0] })
  }

  @Test func errorsOfPlot() {
    let session = LabHarness.session(Self.setup + ["step"])
    let usage = "plot entropy|reward|cov|residual … | plot law | plot sweep …"
    LabHarness.refuse(
      session, "plot", output: LabHarness.errorText("plot: needs what to plot", expected: usage))
    LabHarness.refuse(
      session, "plot loss",
      output: LabHarness.errorText("plot: 'loss' is not one of: entropy, reward, cov, residual, law", expected: usage)
    )
    LabHarness.refuse(
      session, "plot entropy loss",
      output: LabHarness.errorText(
        "plot: 'loss' is not one of: entropy, reward, cov, residual",
        expected: usage))
    LabHarness.refuse(
      session, "plot law 2", output: LabHarness.errorText("plot: '2' is not expected here", expected: usage))
    LabHarness.refuse(
      session, "plot sweep",
      output: LabHarness.errorText(
        "plot: needs a sweep first ('sweep KEY=V1,V2,…')",
        expected: "plot sweep [M] [band std|se] | plot sweep final|mean M vs KEY [band std|se]"))
  }

  // MARK: fit

  @Test func fitIsLeastSquaresOfRewardOnExpEntropy() {
    let session = LabHarness.session(Self.setup + ["lr 1", "run 10"], json: true)
    // The fit's object (a warning about its ceiling may follow).
    let fit = LabHarness.json(LabHarness.run(session, "fit").output).first ?? [:]
    let naive = Self.naiveRun(10, eta: 1)
    let law = NaiveMath.lawFit(entropies: Array(naive.h.dropFirst()), rewards: naive.r)
    #expect(fit["kind"] as? String == "fit")
    #expect(LabHarness.number(fit["points"]) == 10)
    expectWithin(LabHarness.number(fit["a"]), law.a, tolerance: 1e-9 * abs(law.a), "a")
    expectWithin(LabHarness.number(fit["b"]), law.b, tolerance: 1e-9 * abs(law.b), "b")
    expectWithin(LabHarness.number(fit["ceiling"]), law.b - law.a, tolerance: 1e-9, "ceiling")
    let residuals = zip(naive.h.dropFirst(), naive.r).map { $1 - (-law.a * exp($0) + law.b) }
    let rmse = (residuals.map { $0 * $0 }.reduce(0, +) / 10).squareRoot()
    expectWithin(LabHarness.number(fit["rmse"]), rmse, tolerance: 1e-9, "rmse")
  }

  @Test func fitFirstFractionPredictsTheRest() {
    let session = LabHarness.session(Self.setup + ["lr 1", "run 10"], json: true)
    let fit = LabHarness.json(LabHarness.run(session, "fit first 0.5").output).first ?? [:]
    let naive = Self.naiveRun(10, eta: 1)
    let h = Array(naive.h.dropFirst())
    let law = NaiveMath.lawFit(entropies: Array(h.prefix(5)), rewards: Array(naive.r.prefix(5)))
    #expect(LabHarness.number(fit["points"]) == 5)
    #expect(LabHarness.number(fit["predicted_points"]) == 5)
    expectWithin(LabHarness.number(fit["a"]), law.a, tolerance: 1e-8 * abs(law.a), "a")
    let errors = zip(h.dropFirst(5), naive.r.dropFirst(5)).map { $1 - (-law.a * exp($0) + law.b) }
    let rmse = (errors.map { $0 * $0 }.reduce(0, +) / 5).squareRoot()
    expectWithin(LabHarness.number(fit["prediction_rmse"]), rmse, tolerance: 1e-8, "prediction rmse")
    expectWithin(LabHarness.number(fit["final_error"]), abs(errors.last ?? .nan), tolerance: 1e-8, "final error")
  }

  @Test func fitInText() {
    let session = LabHarness.session(Self.setup + ["lr 1", "run 10"])
    let lines = LabHarness.run(session, "fit first 0.3").output.split(separator: "\n").map(String.init)
    // Then possibly a note that the ceiling is out of reach.
    #expect(lines.count == 4 || (lines.count == 5 && lines[4].hasPrefix("note: the ceiling")))
    #expect(lines[0].hasPrefix("fit R = −a·e^H + b on 3 steps: a = "))
    #expect(lines[1].hasPrefix("  ceiling at H = 0: −a + b = "))
    #expect(lines[2].hasPrefix("  R² = "))
    #expect(lines[3].hasPrefix("  predicting the other 7 steps: RMSE = "))
  }

  @Test func errorsOfFit() {
    let session = LabHarness.session(Self.setup)
    let usage = "fit [first F]"
    LabHarness.refuse(
      session, "fit", output: LabHarness.errorText("fit: needs at least 2 steps to fit (have 0)", expected: usage))
    LabHarness.run(session, "step 3")
    LabHarness.refuse(
      session, "fit first 0.5",
      output: LabHarness.errorText("fit: needs at least 2 steps to fit (have 1 in the first fraction)", expected: usage)
    )
    LabHarness.refuse(
      session, "fit first", output: LabHarness.errorText("fit: needs a fraction F in (0, 1)", expected: usage))
    for bad in ["0", "1", "-0.5", "1.5"] {
      LabHarness.refuse(
        session, "fit first \(bad)",
        output: LabHarness.errorText("fit: '\(bad)' must be between 0 and 1 (exclusive)", expected: usage))
    }
    LabHarness.refuse(
      session, "fit first nan",
      output: LabHarness.errorText(
        "fit: 'nan' is not a finite number (expected a fraction F in (0, 1))", expected: usage))
    LabHarness.refuse(
      session, "fit all", output: LabHarness.errorText("fit: 'all' is not expected here", expected: usage))

    let flat = LabHarness.session(["policy arms 1", "step 3"])
    LabHarness.refuse(
      flat, "fit",
      output: LabHarness.errorText(
        "fit: cannot fit: the entropy did not change over the steps, so e^H has no spread", expected: usage))
  }

  // MARK: compare

  @Test func compareRunsEachSettingFromTheSameStateWithTheSameSeeds() {
    let session = LabHarness.session(Self.sampled + ["step"], json: true)
    let before = session.state
    let objects = LabHarness.json(LabHarness.run(session, "compare none clipcov steps 3 seeds 1..2").output)
    #expect(session.state == before)
    #expect(objects.first?["message"] as? String == "compare: 3 steps from step 1, seeds 1..2, mean ± std over seeds")
    let rows = objects.filter { $0["kind"] as? String == "compare" }
    #expect(rows.compactMap { $0["setting"] as? String } == ["none", "clipcov"])
    // "none" is plain GRPO: replay it through the shell itself, once per seed.
    var finals: [Double] = []
    for seed in 1...2 {
      let replay = LabHarness.session(Self.sampled + ["step", "seed \(seed)", "step 3"])
      finals.append(replay.state.policy.meanEntropy)
    }
    let mean = finals.reduce(0, +) / 2
    let std = (finals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 1).squareRoot()
    expectWithin(LabHarness.number(rows[0]["final_entropy"]), mean, tolerance: 1e-12, "final H")
    expectWithin(LabHarness.number(rows[0]["final_entropy_std"]), std, tolerance: 1e-12, "± H")
    #expect(LabHarness.number(rows[0]["steps"]) == 3)
    #expect(LabHarness.number(rows[0]["seeds"]) == 2)
    #expect(objects.last?["kind"] as? String == "plot")
  }

  @Test func compareWithoutSettingsRunsNoneAndEveryControl() {
    let session = LabHarness.session(Self.sampled, json: true)
    let rows = LabHarness.json(LabHarness.run(session, "compare steps 1 seeds 3").output)
      .filter { $0["kind"] as? String == "compare" }
    #expect(rows.compactMap { $0["setting"] as? String } == ["none", "clipcov", "klcov", "cliphigher", "entropybonus"])
    #expect(rows.allSatisfy { LabHarness.number($0["seeds"]) == 1 && LabHarness.number($0["final_entropy_std"]) == 0 })
  }

  @Test func errorsOfCompare() {
    let exact = LabHarness.session(Self.setup)
    let usage = "compare [SETTING …] [KEY=VALUE …] [steps N] [seeds s1..s2]"
    LabHarness.refuse(
      exact, "compare",
      output: LabHarness.errorText(
        "compare: needs sampled steps: the controls act on GRPO updates ('update grpo' first)", expected: usage))
    let session = LabHarness.session(Self.sampled)
    LabHarness.refuse(
      session, "compare foo",
      output: LabHarness.errorText(
        "compare: 'foo' is not a setting (none, "
          + EntropyControls.all.map { $0.name }.joined(separator: ", ") + ", KEY=VALUE, steps or seeds)",
        expected: usage))
    LabHarness.refuse(
      session, "compare steps", output: LabHarness.errorText("compare: needs the number of steps N", expected: usage))
    LabHarness.refuse(
      session, "compare steps 0",
      output: LabHarness.errorText(
        "compare: '0' is out of range (expected the number of steps N from 1 to 1000000)", expected: usage))
    LabHarness.refuse(
      session, "compare seeds", output: LabHarness.errorText("compare: needs seeds as s1..s2", expected: usage))
    for bad in ["5..1", "1..2000", "x", "1..2..3", "..5", "-1..3", "1.5"] {
      LabHarness.refuse(
        session, "compare seeds \(bad)",
        output: LabHarness.errorText(
          "compare: '\(bad)' is not a seed range s1..s2 (s1 ≤ s2, at most 1000 seeds)", expected: usage))
    }
  }
}
