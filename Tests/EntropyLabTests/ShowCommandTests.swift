import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// `show`: per arm logit, π, log π, A, μ, Δz, covariance share and effect.
@Suite struct ShowCommandTests {
  static let z = [1.0, 0, -1, 0.5]
  static let mu = [1.0, 0, 0, 1]

  @Test func showListsEveryArmOfTheCheckVector() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1"], json: true)
    let objects = LabHarness.json(LabHarness.run(session, "show").output)
    #expect(objects.count == 5)
    let p = NaiveMath.softmax(Self.z)
    let lp = NaiveMath.logSoftmax(Self.z)
    let a = NaiveMath.advantages(Self.z, rewards: Self.mu)
    let d = NaiveMath.pgDelta(Self.z, advantages: a, eta: 0.1)
    let shares = NaiveMath.shares(Self.z, d)

    let head = objects[0]
    #expect(head["kind"] as? String == "state")
    #expect(LabHarness.number(head["state"]) == 0)
    expectWithin(LabHarness.number(head["entropy"]), NaiveMath.entropy(Self.z), tolerance: 1e-15, "H")
    expectWithin(LabHarness.number(head["value"]), p[0] + p[3], tolerance: 1e-15, "V")
    expectWithin(LabHarness.number(head["first_order"]), NaiveMath.firstOrder(Self.z, d), tolerance: 1e-15, "ΔH")

    for arm in 0..<4 {
      let row = objects[arm + 1]
      #expect(row["kind"] as? String == "arm")
      #expect(LabHarness.number(row["arm"]) == Double(arm))
      #expect(LabHarness.number(row["logit"]) == Self.z[arm])
      expectWithin(LabHarness.number(row["prob"]), p[arm], tolerance: 1e-15, "π\(arm)")
      expectWithin(LabHarness.number(row["log_prob"]), lp[arm], tolerance: 1e-15, "log π\(arm)")
      expectWithin(LabHarness.number(row["advantage"]), a[arm], tolerance: 1e-15, "A\(arm)")
      #expect(LabHarness.number(row["reward"]) == Self.mu[arm])
      expectWithin(LabHarness.number(row["logit_change"]), d[arm], tolerance: 1e-16, "Δz\(arm)")
      expectWithin(LabHarness.number(row["cov_share"]), shares[arm], tolerance: 1e-16, "share\(arm)")
      #expect(row["effect"] as? String == (shares[arm] > 0 ? "lowers H" : "raises H"))
    }
    // The check vector: three arms lower H, the fourth (π 0.29, A > 0) raises it.
    #expect(objects.dropFirst().map { $0["effect"] as? String } == ["lowers H", "lowers H", "lowers H", "raises H"])
    // The shares sum to Cov(log π, Δz) = −(first-order ΔH).
    let sum = objects.dropFirst().compactMap { LabHarness.number($0["cov_share"]) }.reduce(0, +)
    expectWithin(sum, -NaiveMath.firstOrder(Self.z, d), tolerance: 1e-16, "Σ shares")
  }

  @Test func showHeadingInText() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "update npg", "lr 0.5"])
    let lines = LabHarness.run(session, "show").output.split(separator: "\n").map(String.init)
    let d = NaiveMath.npgDelta(Self.z, advantages: NaiveMath.advantages(Self.z, rewards: Self.mu), eta: 0.5)
    let p = NaiveMath.softmax(Self.z)
    #expect(
      lines.first
        == "state 0: H = \(Printed.value(NaiveMath.entropy(Self.z))), V = \(Printed.value(p[0] + p[3])), "
        + "next npg step at η = 0.5: ΔH ≈ \(Printed.change(NaiveMath.firstOrder(Self.z, d))) (first order)")
    #expect(lines.count == 6)
    #expect(
      lines[1].split(separator: " ") == ["arm", "logit", "π", "log", "π", "A", "μ", "Δz", "cov", "share", "effect"])
    #expect(lines[2].hasSuffix("lowers H"))
    #expect(
      lines[2].split(separator: " ").prefix(3).map(String.init) == ["0", "1.000000", String(format: "%.6f", p[0])])
  }

  @Test func aZeroProbabilityArmHasNoShareAndNoEffect() {
    let session = LabHarness.session(["policy logits -inf 0 1 2", "rewards 1 1 0 0"], json: true)
    let arms = LabHarness.json(LabHarness.run(session, "show").output).filter { $0["kind"] as? String == "arm" }
    #expect(LabHarness.number(arms[0]["prob"]) == 0)
    #expect(LabHarness.number(arms[0]["logit_change"]) == 0)
    #expect(LabHarness.number(arms[0]["cov_share"]) == 0)
    #expect(arms[0]["effect"] as? String == "none")
    // JSON has no −∞: the logit and log π of that arm are null.
    #expect(arms[0]["logit"] is NSNull)
    #expect(arms[0]["log_prob"] is NSNull)
  }

  @Test func showStateSelectsOneState() {
    let session = LabHarness.session(
      ["policy arms 2 states 3", "policy logits 2 0 state 2", "rewards 0 1"], json: true)
    let objects = LabHarness.json(LabHarness.run(session, "show state 2").output)
    #expect(objects.count == 3)
    #expect(objects.allSatisfy { LabHarness.number($0["state"]) == 2 })
    expectWithin(LabHarness.number(objects[0]["entropy"]), NaiveMath.entropy([2, 0]), tolerance: 1e-15, "H")
  }

  @Test func showListsAtMostEightStatesAndSaysSo() {
    let session = LabHarness.session(["policy arms 2 states 10"])
    let output = LabHarness.run(session, "show").output
    let headings = output.split(separator: "\n").filter { $0.hasPrefix("state ") }
    #expect(headings.count == 8)
    #expect(output.hasSuffix("\n(states 0–7 of 10 shown; 'show state s' for another)"))
    #expect(LabHarness.run(session, "show state 9").output.hasPrefix("state 9: H = 0.6931471806"))
  }

  @Test func showChangesNothing() {
    let session = LabHarness.session(["policy random", "rewards 1 0 0 1"])
    let before = session.state
    LabHarness.run(session, "show")
    #expect(session.state == before)
  }

  @Test func errorsOfShow() {
    let session = LabHarness.session(["policy arms 2 states 3"])
    let usage = "show [last] [state s] [top n | all]"
    LabHarness.refuse(
      session, "show state", output: LabHarness.errorText("show: needs a state number", expected: usage))
    LabHarness.refuse(
      session, "show state one",
      output: LabHarness.errorText("show: 'one' is not a whole number (expected a state number)", expected: usage))
    LabHarness.refuse(
      session, "show 1", output: LabHarness.errorText("show: '1' is not expected here", expected: usage))
    LabHarness.refuse(
      session, "show state 1 2", output: LabHarness.errorText("show: '2' is not expected here", expected: usage))
    LabHarness.refuse(
      session, "show state 3",
      output: LabHarness.errorText("show: '3' is out of range (expected a state number from 0 to 2)", expected: usage))
    LabHarness.refuse(
      session, "show state -1",
      output: LabHarness.errorText("show: '-1' is out of range (expected a state number from 0 to 2)", expected: usage))
    LabHarness.refuse(
      session, "show top 0",
      output: LabHarness.errorText(
        "show: '0' is out of range (expected how many arms n at least 1)", expected: usage))
  }

  /// At 151,936 arms (Qwen's vocabulary) `show` prints the 20 arms with
  /// the largest |share| and one line for the rest, whose total share is
  /// the covariance minus the shown shares.
  @Test func showAtAVocabularyIsBounded() throws {
    let session = LabHarness.session(["policy arms 151936", "policy random", "rewards random"])
    let text = LabHarness.run(session, "show").output
    let lines = text.split(separator: "\n")
    // Heading, table heading, 20 rows, the summary line.
    #expect(lines.count == 23)
    #expect(lines.last?.hasPrefix("(20 of 151936 arms shown, largest |cov share| first; the other 151916:") == true)
    let json = LabHarness.session(["policy arms 151936", "policy random", "rewards random"], json: true)
    let objects = LabHarness.json(LabHarness.run(json, "show").output)
    #expect(objects.count == 22)
    let shares = objects.dropFirst().prefix(20).map { LabHarness.number($0["cov_share"]) ?? .nan }
    // Largest |share| first.
    #expect(zip(shares, shares.dropFirst()).allSatisfy { abs($0) >= abs($1) })
    let rest = try #require(objects.last)
    #expect(rest["kind"] as? String == "rest")
    #expect(LabHarness.number(rest["arms"]) == 151916)
    // The shares sum to the covariance: −(first-order ΔH); summing
    // 151,936 terms of either sign in a different order agrees to ~1e-12
    // of the largest term.
    let total = shares.reduce(0, +) + (LabHarness.number(rest["cov_share"]) ?? .nan)
    let firstOrder = try #require(LabHarness.number(objects[0]["first_order"]))
    expectWithin(total, -firstOrder, tolerance: 1e-9 * max(1e-12, abs(firstOrder)) + 1e-15, "Σ shares")
    // 'show top 3' and 'show all'.
    #expect(LabHarness.run(session, "show top 3").output.split(separator: "\n").count == 6)
    #expect(
      LabHarness.run(LabHarness.session(["policy arms 25"]), "show all").output.split(separator: "\n").count == 27)
    // Up to 20 arms: all of them, in order, and no summary line.
    let small = LabHarness.run(LabHarness.session(["policy arms 20"]), "show").output.split(separator: "\n")
    #expect(small.count == 22)
  }
}
