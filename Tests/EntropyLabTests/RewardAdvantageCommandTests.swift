import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// `rewards` and `adv`: mean rewards, exact and hand-set advantages.
@Suite struct RewardAdvantageCommandTests {
  // MARK: rewards

  @Test func rewardsSetMuAndPrintTheExpectedReward() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5"])
    let cell = LabHarness.run(session, "rewards 1 0 0 1")
    let p = NaiveMath.softmax([1, 0, -1, 0.5])
    let r = p[0] + p[3]
    #expect(cell.output == "rewards: state 0; R = \(Printed.value(r))")
    #expect(cell.output == "rewards: state 0; R = 0.7614808269")
    #expect(session.state.bandit.meanRewards == [1, 0, 0, 1])
    expectWithin(session.state.currentAdvantages, NaiveMath.advantages([1, 0, -1, 0.5], rewards: [1, 0, 0, 1]))
    expectWithin(
      session.state.currentAdvantages, [0.2385191731, -0.7614808269, -0.7614808269, 0.2385191731], tolerance: 1e-10)
  }

  @Test func rewardsOfEveryStateOrOneState() {
    let session = LabHarness.session(["policy arms 2 states 3", "policy logits 1 0 state 2"])
    let all = LabHarness.run(session, "rewards 0.5 1")
    #expect(session.state.bandit.meanRewards == [0.5, 1, 0.5, 1, 0.5, 1])
    let p2 = NaiveMath.softmax([1, 0])
    let r = (0.75 + 0.75 + p2[0] * 0.5 + p2[1]) / 3
    #expect(all.output == "rewards: every state (3); R = \(Printed.value(r))")
    let one = LabHarness.run(session, "rewards -2 3 state 1")
    #expect(session.state.bandit.meanRewards == [0.5, 1, -2, 3, 0.5, 1])
    let r2 = (0.75 + 0.5 + p2[0] * 0.5 + p2[1]) / 3
    #expect(one.output == "rewards: state 1; R = \(Printed.value(r2))")
  }

  @Test func rewardsRandomDrawsEveryMuFromTheSessionGenerator() {
    let session = LabHarness.session(["policy arms 3 states 2", "policy logits 1 0 -1 state 1", "seed 13"])
    let cell = LabHarness.run(session, "rewards random")
    var g = SplitMix64(seed: 13)
    let mu = (0..<6).map { _ in g.nextUnit() }
    #expect(session.state.bandit.meanRewards == mu)
    #expect(session.state.generator == g)
    #expect(mu.allSatisfy { $0 >= 0 && $0 < 1 })
    let r =
      (NaiveMath.mean([1.0 / 3, 1.0 / 3, 1.0 / 3], Array(mu[0..<3]))
        + NaiveMath.mean(NaiveMath.softmax([1, 0, -1]), Array(mu[3..<6]))) / 2
    #expect(cell.output == "rewards random: μ ~ U[0, 1) for every state and arm; R = \(Printed.value(r))")
    LabHarness.refuse(
      session, "rewards random 3",
      output: LabHarness.errorText(
        "rewards: '3' is not expected here",
        expected: "rewards v1 … vK [state s] | rewards random"))
  }

  @Test func exactAdvantagesFollowThePolicyAfterEveryStep() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "step"])
    let z = session.state.policy.logits
    expectWithin(session.state.currentAdvantages, NaiveMath.advantages(z, rewards: [1, 0, 0, 1]), tolerance: 1e-15)
  }

  // MARK: adv

  @Test func advByHandIsKeptAcrossSteps() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1"])
    let a = NaiveMath.advantages([1, 0, -1, 0.5], rewards: [1, 0, 0, 1])
    // Type the exact advantages by hand: centred, so no note.
    let typed = a.map { String(format: "%.17g", $0) }.joined(separator: " ")
    let cell = LabHarness.run(session, "adv " + typed)
    #expect(cell.output == "adv: set by hand for state 0")
    #expect(session.state.advantages == .manual(a))
    LabHarness.run(session, "step")
    #expect(session.state.advantages == .manual(a))
    #expect(session.state.currentAdvantages == a)
  }

  @Test func uncentredAdvantagesGetANoteWithTheirMean() {
    let session = LabHarness.session()
    let cell = LabHarness.run(session, "adv 1 0 0 0")
    #expect(
      cell.output
        == "adv: set by hand for state 0\nnote: advantages are not centred under π (E_π A = 0.25 at state 0); "
        + "the update subtracts E_π A first, as the paper's Prop. 1 and Thm. 2 assume E_π A = 0")
    // The step uses A − E_π A, so Δz of PG is η·π·(A − 0.25).
    LabHarness.run(session, "step")
    let expected = NaiveMath.apply([0, 0, 0, 0], NaiveMath.pgDelta([0, 0, 0, 0], advantages: [1, 0, 0, 0], eta: 0.1))
    expectWithin(session.state.policy.logits, expected, tolerance: 1e-15)
    expectWithin(
      expected, [0.1 * 0.25 * 0.75, -0.1 * 0.25 * 0.25, -0.1 * 0.25 * 0.25, -0.1 * 0.25 * 0.25], tolerance: 1e-15)
  }

  @Test func advOfOneStateFreezesTheOthersAtTheirCurrentExactValues() {
    let session = LabHarness.session(["policy arms 2 states 2", "policy logits 1 0 state 0", "rewards 1 0"])
    let cell = LabHarness.run(session, "adv 0.5 -0.5 state 1")
    #expect(cell.output == "adv: set by hand for state 1")
    let a0 = NaiveMath.advantages([1, 0], rewards: [1, 0])
    guard case .manual(let all) = session.state.advantages else {
      Issue.record("advantages should be manual")
      return
    }
    expectWithin(Array(all[0..<2]), a0, tolerance: 1e-15)
    #expect(Array(all[2..<4]) == [0.5, -0.5])
  }

  @Test func advExactAndTheAlias() {
    let session = LabHarness.session(["adv 1 -1 1 -1"])
    #expect(session.state.advantages == .manual([1, -1, 1, -1]))
    let cell = LabHarness.run(session, "adv exact")
    #expect(cell.output == "adv: exact, A = μ − V under the current policy, recomputed before every step")
    #expect(session.state.advantages == .exact)
    LabHarness.run(session, "advantages 2 0 0 -2")
    #expect(session.state.advantages == .manual([2, 0, 0, -2]))
  }

  @Test func resizingResetsHandSetAdvantages() {
    let session = LabHarness.session(["adv 1 -1 1 -1", "policy arms 3"])
    #expect(session.state.advantages == .exact)
  }

  // MARK: errors

  @Test func errorsOfRewards() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1"])
    let usage = "rewards v1 … vK [state s] | rewards random"
    LabHarness.refuse(
      session, "rewards",
      output: LabHarness.errorText("rewards: expected 4 values (one per arm), got 0", expected: usage))
    LabHarness.refuse(
      session, "rewards 1 2",
      output: LabHarness.errorText("rewards: expected 4 values (one per arm), got 2", expected: usage))
    for bad in ["nan", "inf", "-inf", "1e309", "one"] {
      LabHarness.refuse(
        session, "rewards 1 2 3 \(bad)",
        output: LabHarness.errorText(
          "rewards: '\(bad)' is not a finite number (expected mean rewards)", expected: usage))
    }
    LabHarness.refuse(
      session, "rewards 1 2 3 4 state", output: LabHarness.errorText("rewards: needs a state number", expected: usage))
    LabHarness.refuse(
      session, "rewards 1 2 3 4 state 0.5",
      output: LabHarness.errorText("rewards: '0.5' is not a whole number (expected a state number)", expected: usage))
    LabHarness.refuse(
      session, "rewards 1 2 3 4 state 0 state 0",
      output: LabHarness.errorText("rewards: 'state' is not expected here", expected: usage))
    LabHarness.refuse(
      session, "rewards 1 2 3 4 state 9",
      output: LabHarness.errorText(
        "rewards: '9' is out of range (expected a state number from 0 to 0)",
        expected: usage))
  }

  @Test func errorsOfAdv() {
    let session = LabHarness.session(["policy arms 4 states 2", "adv 1 -1 1 -1"])
    let usage = "adv v1 … vK [state s] | adv exact"
    LabHarness.refuse(
      session, "adv", output: LabHarness.errorText("adv: expected 4 values (one per arm), got 0", expected: usage))
    LabHarness.refuse(
      session, "adv 1 2", output: LabHarness.errorText("adv: expected 4 values (one per arm), got 2", expected: usage))
    LabHarness.refuse(
      session, "advantages 1 2",
      output: LabHarness.errorText("adv: expected 4 values (one per arm), got 2", expected: usage))
    for bad in ["nan", "inf", "-inf", "1e400"] {
      LabHarness.refuse(
        session, "adv 1 2 3 \(bad)",
        output: LabHarness.errorText("adv: '\(bad)' is not a finite number (expected advantages)", expected: usage))
    }
    LabHarness.refuse(
      session, "adv exact 1", output: LabHarness.errorText("adv: '1' is not expected here", expected: usage))
    LabHarness.refuse(
      session, "adv 1 2 3 4 state 2",
      output: LabHarness.errorText("adv: '2' is out of range (expected a state number from 0 to 1)", expected: usage))
  }
}
