import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// `predict` and `step`: the next step's ΔH predictions, and the steps
/// themselves, checked against the paper's check vector and a naive
/// reference (`NaiveMath`).
@Suite struct StepPredictCommandTests {
  /// z and μ of the paper's check vector (shared/spec/paper.md §2.6).
  static let z = [1.0, 0, -1, 0.5]
  static let mu = [1.0, 0, 0, 1]
  static let setup = ["policy logits 1 0 -1 0.5", "rewards 1 0 0 1"]

  /// The PG logit change of the check vector at η.
  static func pgDelta(_ eta: Double) -> [Double] {
    NaiveMath.pgDelta(z, advantages: NaiveMath.advantages(z, rewards: mu), eta: eta)
  }

  // MARK: predict

  @Test func predictGivesThePapersCheckVectorInJSON() {
    let session = LabHarness.session(Self.setup, json: true)
    let p = LabHarness.onlyJSON(session, "predict")
    // The paper's printed values (10 significant digits).
    expectWithin(LabHarness.number(p["first_order"]), -4.0551032e-03, tolerance: 1e-10, "first order")
    expectWithin(LabHarness.number(p["path_integral"]), -0.0040812740, tolerance: 1e-10, "path integral")
    expectWithin(LabHarness.number(p["entropy_before"]), 1.1929791180, tolerance: 1e-10, "H")
    // And the naive reference to full precision.
    let d = Self.pgDelta(0.1)
    expectWithin(LabHarness.number(p["first_order"]), NaiveMath.firstOrder(Self.z, d), tolerance: 1e-15, "first order")
    expectWithin(LabHarness.number(p["first_order"]), -0.1 * 0.0405510317, tolerance: 1e-11, "−η·Cov(log π, π·A)")
    expectWithin(
      LabHarness.number(p["second_order"]), NaiveMath.secondOrder(Self.z, d), tolerance: 1e-15, "second order")
    expectWithin(
      LabHarness.number(p["path_integral"]), NaiveMath.actualChange(Self.z, d), tolerance: 1e-13, "path integral")
    expectWithin(LabHarness.number(p["entropy_before"]), NaiveMath.entropy(Self.z), tolerance: 1e-15, "H")
    let pi = NaiveMath.softmax(Self.z)
    expectWithin(LabHarness.number(p["expected_reward"]), pi[0] + pi[3], tolerance: 1e-15, "R of the current policy")
    #expect(p["kind"] as? String == "predict")
    #expect(p["rule"] as? String == "pg")
    #expect(p["entropy_after"] == nil && p["entropy_change"] == nil)
  }

  @Test(arguments: [(0.01, -4.055103e-4, -4.057753e-4), (0.001, -4.055103e-5, -4.055368e-5)])
  func predictMatchesThePapersSmallerStepSizes(eta: Double, predicted: Double, exact: Double) {
    let session = LabHarness.session(Self.setup + ["lr \(eta)"], json: true)
    let p = LabHarness.onlyJSON(session, "predict")
    expectWithin(LabHarness.number(p["first_order"]), predicted, tolerance: abs(predicted) * 1e-6, "first order")
    expectWithin(LabHarness.number(p["path_integral"]), exact, tolerance: abs(exact) * 1e-6, "path integral")
  }

  @Test func predictInTextIsOneAlignedRowOfTheDocumentedStyles() {
    let session = LabHarness.session(Self.setup)
    let output = LabHarness.run(session, "predict").output
    let d = Self.pgDelta(0.1)
    let pi = NaiveMath.softmax(Self.z)
    let cells = [
      Printed.value(NaiveMath.entropy(Self.z)), Printed.change(NaiveMath.firstOrder(Self.z, d)),
      Printed.change(NaiveMath.secondOrder(Self.z, d)), Printed.change(NaiveMath.actualChange(Self.z, d)),
      Printed.value(pi[0] + pi[3]),
    ]
    #expect(cells == ["1.1929791180", "-4.05510317e-03", "-4.08163611e-03", "-4.08127399e-03", "0.7614808269"])
    #expect(
      output
        == Self.aligned(["H", "1st order", "2nd order", "path integral", "R"], [cells], floors: [13, 15, 15, 15, 13]))
  }

  @Test func predictChangesNothing() {
    let session = LabHarness.session(Self.setup + ["update grpo", "step"])
    let before = session.state
    LabHarness.run(session, "predict")
    #expect(session.state == before)
  }

  @Test func predictAveragesOverStates() {
    let session = LabHarness.session(
      ["policy arms 3 states 2", "policy logits 2 0 -1 state 0", "policy logits 0 0.5 1 state 1", "rewards 1 0 0.5"],
      json: true)
    let p = LabHarness.onlyJSON(session, "predict")
    let rows: [[Double]] = [[2, 0, -1], [0, 0.5, 1]]
    let mu = [1.0, 0, 0.5]
    let deltas = rows.map { NaiveMath.pgDelta($0, advantages: NaiveMath.advantages($0, rewards: mu), eta: 0.1) }
    let first = zip(rows, deltas).map { NaiveMath.firstOrder($0, $1) }.reduce(0, +) / 2
    let second = zip(rows, deltas).map { NaiveMath.secondOrder($0, $1) }.reduce(0, +) / 2
    let exact = zip(rows, deltas).map { NaiveMath.actualChange($0, $1) }.reduce(0, +) / 2
    let h = rows.map(NaiveMath.entropy).reduce(0, +) / 2
    let r = rows.map { NaiveMath.mean(NaiveMath.softmax($0), mu) }.reduce(0, +) / 2
    expectWithin(LabHarness.number(p["first_order"]), first, tolerance: 1e-15, "first")
    expectWithin(LabHarness.number(p["second_order"]), second, tolerance: 1e-15, "second")
    expectWithin(LabHarness.number(p["path_integral"]), exact, tolerance: 1e-13, "path integral")
    expectWithin(LabHarness.number(p["entropy_before"]), h, tolerance: 1e-15, "H")
    expectWithin(LabHarness.number(p["expected_reward"]), r, tolerance: 1e-15, "R")
  }

  @Test func predictNotesUncentredAdvantages() {
    let session = LabHarness.session(["adv 1 0 0 0"])
    let lines = LabHarness.run(session, "predict").output.split(separator: "\n").map(String.init)
    let note =
      "note: advantages are not centred under π (E_π A = 0.25 at state 0); the update subtracts E_π A first, "
      + "as the paper's Prop. 1 and Thm. 2 assume E_π A = 0"
    #expect(lines.count == 3)
    #expect(lines.last == note)
  }

  // MARK: step

  @Test func stepAppliesThePGUpdateAndReportsEveryQuantity() {
    let session = LabHarness.session(Self.setup, json: true)
    let s = LabHarness.onlyJSON(session, "step")
    let d = Self.pgDelta(0.1)
    let after = NaiveMath.apply(Self.z, d)
    let change = NaiveMath.actualChange(Self.z, d)
    let first = NaiveMath.firstOrder(Self.z, d)
    let piAfter = NaiveMath.softmax(after)
    #expect(s["kind"] as? String == "step")
    #expect(s["rule"] as? String == "pg")
    #expect(LabHarness.number(s["step"]) == 1)
    expectWithin(LabHarness.number(s["entropy_before"]), NaiveMath.entropy(Self.z), tolerance: 1e-15, "before")
    expectWithin(LabHarness.number(s["entropy_after"]), NaiveMath.entropy(after), tolerance: 1e-15, "after")
    expectWithin(LabHarness.number(s["entropy_change"]), change, tolerance: 1e-15, "change")
    expectWithin(LabHarness.number(s["entropy_change"]), -0.0040812740, tolerance: 1e-10, "paper's exact ΔH")
    expectWithin(LabHarness.number(s["first_order"]), first, tolerance: 1e-15, "first order")
    expectWithin(LabHarness.number(s["second_order"]), NaiveMath.secondOrder(Self.z, d), tolerance: 1e-15, "second")
    expectWithin(LabHarness.number(s["path_integral"]), change, tolerance: 1e-13, "path integral = actual")
    expectWithin(LabHarness.number(s["first_order_residual"]), change - first, tolerance: 1e-15, "residual")
    expectWithin(LabHarness.number(s["expected_reward"]), piAfter[0] + piAfter[3], tolerance: 1e-15, "R after")
    // The state moved by exactly Δz and recorded the step.
    expectWithin(session.state.policy.logits, after, tolerance: 1e-15, "logits")
    #expect(session.state.stepsTaken == 1)
    #expect(session.state.trajectory.count == 1)
  }

  @Test func stepNTakesNStepsAndNumbersThemOnFromTheSession() {
    let session = LabHarness.session(Self.setup + ["step"], json: true)
    let rows = LabHarness.json(LabHarness.run(session, "step 3").output)
    #expect(rows.compactMap { LabHarness.number($0["step"]) } == [2, 3, 4])
    var z = Self.z
    var records: [(before: Double, after: Double)] = []
    for _ in 0..<4 {
      let d = NaiveMath.pgDelta(z, advantages: NaiveMath.advantages(z, rewards: Self.mu), eta: 0.1)
      let next = NaiveMath.apply(z, d)
      records.append((NaiveMath.entropy(z), NaiveMath.entropy(next)))
      z = next
    }
    expectWithin(session.state.policy.logits, z, tolerance: 1e-14, "logits after 4 steps")
    for (row, record) in zip(rows, records.dropFirst()) {
      expectWithin(LabHarness.number(row["entropy_before"]), record.before, tolerance: 1e-14, "before")
      expectWithin(LabHarness.number(row["entropy_after"]), record.after, tolerance: 1e-14, "after")
    }
    // Each row's "after" is the next row's "before".
    for (a, b) in zip(rows, rows.dropFirst()) {
      #expect(LabHarness.number(a["entropy_after"]) == LabHarness.number(b["entropy_before"]))
    }
    #expect(session.state.stepsTaken == 4)
    #expect(session.state.trajectory.map(\.step) == [1, 2, 3, 4])
  }

  @Test func stepInTextIsATableWithTheDocumentedColumns() {
    let session = LabHarness.session(Self.setup)
    let output = LabHarness.run(session, "step").output
    let d = Self.pgDelta(0.1)
    let after = NaiveMath.apply(Self.z, d)
    let change = NaiveMath.actualChange(Self.z, d)
    let first = NaiveMath.firstOrder(Self.z, d)
    let pi = NaiveMath.softmax(after)
    let cells = [
      "1", Printed.value(NaiveMath.entropy(Self.z)), Printed.value(NaiveMath.entropy(after)), Printed.change(change),
      Printed.change(first), Printed.change(NaiveMath.secondOrder(Self.z, d)), Printed.change(change),
      String(format: "%.2e", change - first), Printed.value(pi[0] + pi[3]),
    ]
    let headings = [
      "step", "H before", "H after", "ΔH actual", "1st order", "2nd order", "path integral", "residual", "R",
    ]
    #expect(output == Self.aligned(headings, [cells], floors: [0, 13, 13, 15, 15, 15, 15, 9, 13]))
  }

  @Test func stepNotesUncentredAdvantagesOnce() {
    let session = LabHarness.session(["adv 1 0 0 0"])
    let output = LabHarness.run(session, "step 3").output
    let notes = output.split(separator: "\n").filter { $0.hasPrefix("note: ") }
    #expect(
      notes == [
        "note: advantages are not centred under π (E_π A = 0.25 at state 0); the update subtracts E_π A first, as the paper's Prop. 1 and Thm. 2 assume E_π A = 0"
      ])
  }

  @Test func ctrlCStopsAMultiStepCommandBetweenStepsWithTheStateConsistent() {
    let session = Session(seed: 0, style: .plain, isInterrupted: { true })
    for line in Self.setup { LabHarness.run(session, line) }
    let cell = LabHarness.run(session, "step 5")
    #expect(cell.output.hasSuffix("\nnote: interrupted after 1 of 5 steps; the state is as of step 1"))
    #expect(session.state.stepsTaken == 1)
    #expect(session.state.trajectory.count == 1)
    expectWithin(session.state.policy.logits, NaiveMath.apply(Self.z, Self.pgDelta(0.1)), tolerance: 1e-15)
  }

  @Test func aDeterministicOrSingleArmPolicyDoesNotMove() {
    for setup in [["policy arms 1"], ["policy probs 0 1 0 0", "rewards 1 0 0 1"]] {
      let session = LabHarness.session(setup, json: true)
      let before = session.state.policy
      let s = LabHarness.onlyJSON(session, "step")
      for key in ["entropy_before", "entropy_after", "entropy_change", "first_order", "second_order", "path_integral"] {
        #expect(LabHarness.number(s[key]) == 0, "\(setup) \(key)")
      }
      #expect(session.state.policy.probabilities(state: 0) == before.probabilities(state: 0))
    }
  }

  @Test func theFirstOrderResidualShrinksAsEtaSquared() {
    // A residual ratio near 100 for η ↓ 10× is the signature of a correct
    // first-order term (paper.md §9).
    func residual(_ eta: Double) -> Double {
      let session = LabHarness.session(Self.setup + ["lr \(eta)"], json: true)
      return LabHarness.number(LabHarness.onlyJSON(session, "step")["first_order_residual"]) ?? .nan
    }
    let ratio = residual(0.01) / residual(0.001)
    #expect(ratio > 95 && ratio < 105, "ratio \(ratio)")
  }

  // MARK: errors

  @Test func errorsOfStepAndPredict() {
    let session = LabHarness.session(Self.setup + ["step"])
    let usage = "step [n]"
    for bad in ["0", "-1", "-0", "10000001"] {
      LabHarness.refuse(
        session, "step \(bad)",
        output: LabHarness.errorText(
          "step: '\(bad)' is out of range (expected the number of steps n from 1 to 10000000)", expected: usage))
    }
    for bad in ["1.5", "x", "nan", "inf"] {
      LabHarness.refuse(
        session, "step \(bad)",
        output: LabHarness.errorText(
          "step: '\(bad)' is not a whole number (expected the number of steps n)", expected: usage))
    }
    LabHarness.refuse(
      session, "step 2 3", output: LabHarness.errorText("step: '3' is not expected here", expected: usage))
    LabHarness.refuse(
      session, "predict 1",
      output: LabHarness.errorText("predict: '1' is not expected here", expected: "predict [sampled [n]]"))
    LabHarness.refuse(
      session, "predict now",
      output: LabHarness.errorText("predict: 'now' is not expected here", expected: "predict [sampled [n]]"))
  }

  /// A logit change that overflows is refused, naming the cause; the
  /// state is as before.
  @Test func anOverflowingFirstStepIsRefused() async {
    let last = await LabHarness.lastCellInChildProcess(["update npg", "rewards 2 -2 0 0", "lr 1e308", "step"])
    #expect(last?.failedKeepingState == true)
    #expect(
      last?.output
        == "error: step: the step's logit change is not finite (overflow); lower the learning rate\n  expected: step [n]"
    )
  }

  /// A huge but finite η must not crash the process (Δz of about 1e307
  /// once trapped converting the path integral's panel count to Int).
  @Test func aHugeFiniteLearningRateDoesNotCrash() async {
    let last = await LabHarness.lastCellInChildProcess(["rewards 1 0 0 1", "lr 1e308", "step"])
    #expect(last != nil)
  }

  /// Text tables: headings and cells right-aligned (every column here is
  /// numeric), two spaces apart.
  /// The table `TextTable` prints: each column as wide as its widest
  /// entry, and at least `floors[c]` (the widest its number format prints
  /// a number in (−10, 10): 13 for 10 decimals, 15 for 8-decimal
  /// scientific, 9 for 2-decimal scientific), so tables line up.
  static func aligned(_ headings: [String], _ rows: [[String]], floors: [Int] = []) -> String {
    let widths = headings.indices.map { c in
      max(([headings[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0, c < floors.count ? floors[c] : 0)
    }
    func line(_ items: [String]) -> String {
      items.enumerated().map { String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }
        .joined(separator: "  ")
    }
    return ([line(headings)] + rows.map(line)).joined(separator: "\n")
  }
}
