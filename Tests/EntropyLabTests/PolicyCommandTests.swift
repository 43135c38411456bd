import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// `policy arms|logits|probs|random`: happy paths with their values, and
/// the errors of each form word for word.
@Suite struct PolicyCommandTests {
  /// The paper's check vector (shared/spec/paper.md §2.6).
  static let checkLogits = [1.0, 0, -1, 0.5]

  // MARK: arms

  @Test func armsResetsToAUniformPolicyOfTheNewSize() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "adv 1 0 0 0", "step 2"])
    let cell = LabHarness.run(session, "policy arms 3 states 2")
    #expect(cell.output == "policy: 2 states × 3 arms, all logits 0 (uniform); H = \(Printed.value(log(3))) = log 3")
    let state = session.state
    #expect(state.policy.states == 2 && state.policy.arms == 3)
    #expect(state.policy.logits == [Double](repeating: 0, count: 6))
    #expect(state.bandit.meanRewards == [Double](repeating: 0, count: 6))
    #expect(state.advantages == .exact)
    #expect(state.trajectory.isEmpty && state.stepsTaken == 0 && state.lastTokens.isEmpty)
  }

  @Test func armsDefaultsToOneStateAndKEqualsOneIsAllowed() {
    let session = LabHarness.session()
    #expect(
      LabHarness.run(session, "policy arms 7").output
        == "policy: 1 state × 7 arms, all logits 0 (uniform); H = \(Printed.value(log(7))) = log 7")
    #expect(
      LabHarness.run(session, "policy arms 1").output
        == "policy: 1 state × 1 arm, all logits 0 (uniform); H = 0.0000000000 = log 1")
    #expect(session.state.policy.arms == 1 && session.state.policy.states == 1)
  }

  @Test func armsKeepsTheSettingsThatDoNotBelongToTheSize() {
    let session = LabHarness.session(["lr 0.3", "update npg", "seed 9", "group 4"])
    LabHarness.run(session, "policy arms 5 states 3")
    #expect(session.state.learningRate == 0.3)
    #expect(session.state.rule == .npg)
    #expect(session.state.seed == 9)
    #expect(session.state.grpo.groupSize == 4)
  }

  // MARK: logits

  @Test func logitsSetEveryStateAndPrintTheEntropy() {
    let session = LabHarness.session()
    let cell = LabHarness.run(session, "policy logits 1 0 -1 0.5")
    #expect(cell.output == "policy logits: state 0; H = 1.1929791180")
    #expect(session.state.policy.logits == Self.checkLogits)
    expectWithin(
      session.state.policy.probabilities(state: 0), [0.4739908463, 0.1743714876, 0.0641476854, 0.2874899807],
      tolerance: 1e-10)

    LabHarness.run(session, "policy arms 2 states 3")
    let all = LabHarness.run(session, "policy logits 2 -1")
    #expect(all.output == "policy logits: every state (3); mean H = \(Printed.value(NaiveMath.entropy([2, -1])))")
    #expect(session.state.policy.logits == [2, -1, 2, -1, 2, -1])
  }

  @Test func logitsOfOneStateLeaveTheOthers() {
    let session = LabHarness.session(["policy arms 2 states 3"])
    let cell = LabHarness.run(session, "policy logits 3 1 state 1")
    #expect(cell.output == "policy logits: state 1; H = \(Printed.value(NaiveMath.entropy([3, 1])))")
    #expect(session.state.policy.logits == [0, 0, 3, 1, 0, 0])
    let mean = (2 * log(2.0) + NaiveMath.entropy([3, 1])) / 3
    expectWithin(session.state.policy.meanEntropy, mean)
  }

  @Test func minusInfinityMeansProbabilityZero() {
    let session = LabHarness.session()
    let cell = LabHarness.run(session, "policy logits -inf 0 0 -INF")
    #expect(cell.output == "policy logits: state 0; H = \(Printed.value(log(2)))")
    #expect(session.state.policy.probabilities(state: 0) == [0, 0.5, 0.5, 0])
    LabHarness.run(session, "policy logits -infinity 0 0 0")
    #expect(session.state.policy.logits[0] == -.infinity)
  }

  @Test func addingAConstantChangesNothingObservable() {
    let a = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1"], json: true)
    let b = LabHarness.session(["policy logits 101 100 99 100.5", "rewards 1 0 0 1"], json: true)
    let pa = LabHarness.onlyJSON(a, "predict")
    let pb = LabHarness.onlyJSON(b, "predict")
    for key in ["entropy_before", "first_order", "second_order", "path_integral", "expected_reward"] {
      expectWithin(LabHarness.number(pb[key]), LabHarness.number(pa[key]) ?? .nan, tolerance: 1e-12, key)
    }
  }

  // MARK: probs

  @Test func probsAreNormalisedAndZeroGivesMinusInfinity() {
    let session = LabHarness.session()
    let cell = LabHarness.run(session, "policy probs 2 3 0 5")
    let h = -(0.2 * log(0.2) + 0.3 * log(0.3) + 0.5 * log(0.5))
    #expect(cell.output == "policy probs: state 0; H = \(Printed.value(h))")
    expectWithin(session.state.policy.probabilities(state: 0), [0.2, 0.3, 0, 0.5], tolerance: 1e-15)
    #expect(session.state.policy.logits[2] == -.infinity)
  }

  @Test func probsOfOneStateInAMultiStatePolicy() {
    let session = LabHarness.session(["policy arms 2 states 2"])
    let cell = LabHarness.run(session, "policy probs 0.9 0.1 state 0")
    #expect(cell.output == "policy probs: state 0; H = \(Printed.value(-(0.9 * log(0.9) + 0.1 * log(0.1))))")
    expectWithin(session.state.policy.probabilities(state: 0), [0.9, 0.1], tolerance: 1e-15)
    #expect(session.state.policy.probabilities(state: 1) == [0.5, 0.5])
  }

  // MARK: random

  @Test func randomDrawsNormalLogitsFromTheSessionGenerator() {
    let session = LabHarness.session(["policy arms 3 states 2", "seed 42"])
    let cell = LabHarness.run(session, "policy random scale 2")
    var g = SplitMix64(seed: 42)
    let expected = (0..<6).map { _ in 2 * Sampling.standardNormal(using: &g) }
    #expect(session.state.policy.logits == expected)
    #expect(session.state.generator == g)
    let mean = (NaiveMath.entropy(Array(expected[0..<3])) + NaiveMath.entropy(Array(expected[3..<6]))) / 2
    #expect(cell.output == "policy random: logits ~ N(0, 2²); mean H = \(Printed.value(mean))")
  }

  @Test func randomDefaultsToScaleOneAndScaleZeroIsUniform() {
    let session = LabHarness.session(["seed 7"])
    LabHarness.run(session, "policy random")
    var g = SplitMix64(seed: 7)
    #expect(session.state.policy.logits == (0..<4).map { _ in Sampling.standardNormal(using: &g) })
    let zero = LabHarness.run(session, "policy random scale 0")
    #expect(zero.output == "policy random: logits ~ N(0, 0²); H = \(Printed.value(log(4)))")
    #expect(session.state.policy.logits.allSatisfy { $0 == 0 })
  }

  @Test func reseedingRepeatsTheSameRandomPolicy() {
    let session = LabHarness.session(["seed 3", "policy random scale 1.5"])
    let first = session.state.policy.logits
    LabHarness.run(session, "policy random scale 1.5")
    #expect(session.state.policy.logits != first)
    LabHarness.run(session, "seed 3")
    LabHarness.run(session, "policy random scale 1.5")
    #expect(session.state.policy.logits == first)
  }

  // MARK: errors (word for word)

  @Test func errorsOfTheModeWord() {
    let session = LabHarness.session()
    let usage = "policy arms|logits|probs|random …"
    LabHarness.refuse(
      session, "policy", output: LabHarness.errorText("policy: needs arms, logits, probs or random", expected: usage))
    LabHarness.refuse(
      session, "policy foo",
      output: LabHarness.errorText("policy: 'foo' is not one of: arms, logits, probs, random", expected: usage))
    LabHarness.refuse(
      session, "policy Arms 3",
      output: LabHarness.errorText("policy: 'Arms' is not one of: arms, logits, probs, random", expected: usage))
  }

  @Test func errorsOfArms() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5"])
    let usage = "policy arms K [states S]"
    LabHarness.refuse(
      session, "policy arms", output: LabHarness.errorText("policy arms: needs the number of arms K", expected: usage))
    for k in ["0", "-1", "-0"] {
      LabHarness.refuse(
        session, "policy arms \(k)",
        output: LabHarness.errorText(
          "policy arms: '\(k)' is out of range (expected the number of arms K at least 1)", expected: usage))
    }
    for k in ["2.5", "three", "nan"] {
      LabHarness.refuse(
        session, "policy arms \(k)",
        output: LabHarness.errorText(
          "policy arms: '\(k)' is not a whole number (expected the number of arms K)", expected: usage))
    }
    LabHarness.refuse(
      session, "policy arms 3 states",
      output: LabHarness.errorText("policy arms: needs the number of states S", expected: usage))
    LabHarness.refuse(
      session, "policy arms 3 states 0",
      output: LabHarness.errorText(
        "policy arms: '0' is out of range (expected the number of states S at least 1)", expected: usage))
    LabHarness.refuse(
      session, "policy arms 3 extra",
      output: LabHarness.errorText("policy arms: 'extra' is not expected here", expected: usage))
  }

  /// Sizes that would not fit are refused with the figure, before any
  /// allocation.
  @Test func armsTooLargeForMemoryIsRefusedWithTheFigure() {
    let session = LabHarness.session()
    let usage = "policy arms K [states S]"
    let available = Printed.bytes(Double(ProcessInfo.processInfo.physicalMemory) / 2)
    for (k, s) in [(1_000_000_000, 1_000), (100_000_000_000, 100_000_000_000), (Int.max, 1)] {
      let needed = Printed.bytes(Double(k) * Double(s) * 8 * 6)
      LabHarness.refuse(
        session, "policy arms \(k) states \(s)",
        output: LabHarness.errorText(
          "policy arms: that size needs \(needed) of memory, more than the \(available) allowed (half of this machine's memory; raise it with --memory-limit SIZE); choose fewer states or arms",
          expected: usage))
    }
  }

  @Test func errorsOfLogits() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5"])
    let usage = "policy logits v1 … vK [state s]"
    LabHarness.refuse(
      session, "policy logits",
      output: LabHarness.errorText("policy logits: expected 4 values (one per arm), got 0", expected: usage))
    LabHarness.refuse(
      session, "policy logits 1 2",
      output: LabHarness.errorText("policy logits: expected 4 values (one per arm), got 2", expected: usage))
    LabHarness.refuse(
      session, "policy logits 1 2 3 4 5",
      output: LabHarness.errorText("policy logits: expected 4 values (one per arm), got 5", expected: usage))
    LabHarness.refuse(
      session, "policy logits -inf -inf -inf -inf",
      output: LabHarness.errorText(
        "policy logits: at least one logit must be finite (a state needs an arm with π > 0)", expected: usage))
    LabHarness.refuse(
      session, "policy logits 1 2 3 4 state",
      output: LabHarness.errorText("policy logits: needs a state number", expected: usage))
    for bad in ["nan", "inf", "+inf", "1e309", "-1e309", "x", "--1"] {
      LabHarness.refuse(
        session, "policy logits 1 2 3 \(bad)",
        output: LabHarness.errorText(
          "policy logits: '\(bad)' is not a finite number or -inf (expected logits)", expected: usage))
    }
    LabHarness.refuse(
      session, "policy logits 1 2 3 4 state x",
      output: LabHarness.errorText(
        "policy logits: 'x' is not a whole number (expected a state number)", expected: usage))
    for bad in ["1", "-1"] {
      LabHarness.refuse(
        session, "policy logits 1 2 3 4 state \(bad)",
        output: LabHarness.errorText(
          "policy logits: '\(bad)' is out of range (expected a state number from 0 to 0)", expected: usage))
    }
  }

  @Test func errorsOfProbs() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5"])
    let usage = "policy probs p1 … pK [state s]"
    LabHarness.refuse(
      session, "policy probs 1 2 3",
      output: LabHarness.errorText("policy probs: expected 4 values (one per arm), got 3", expected: usage))
    LabHarness.refuse(
      session, "policy probs 0 0 0 0",
      output: LabHarness.errorText(
        "policy probs: the probabilities sum to 0 (at least one must be positive)", expected: usage))
    LabHarness.refuse(
      session, "policy probs 0 -0 0 0",
      output: LabHarness.errorText(
        "policy probs: the probabilities sum to 0 (at least one must be positive)", expected: usage))
    // The negative value is named as typed.
    LabHarness.refuse(
      session, "policy probs -1 1 1 1",
      output: LabHarness.errorText("policy probs: '-1' is negative (expected probabilities ≥ 0)", expected: usage))
    LabHarness.refuse(
      session, "policy probs 1 1 1 -0.5",
      output: LabHarness.errorText("policy probs: '-0.5' is negative (expected probabilities ≥ 0)", expected: usage))
    for bad in ["inf", "-inf", "nan"] {
      LabHarness.refuse(
        session, "policy probs 1 1 1 \(bad)",
        output: LabHarness.errorText(
          "policy probs: '\(bad)' is not a finite number (expected probabilities)", expected: usage))
    }
  }

  @Test func errorsOfRandom() {
    let session = LabHarness.session(["seed 5"])
    let usage = "policy random [scale σ]"
    LabHarness.refuse(
      session, "policy random scale", output: LabHarness.errorText("policy random: needs the scale σ", expected: usage))
    LabHarness.refuse(
      session, "policy random scale -1",
      output: LabHarness.errorText("policy random: '-1' must not be negative (expected the scale σ)", expected: usage))
    LabHarness.refuse(
      session, "policy random scale nan",
      output: LabHarness.errorText(
        "policy random: 'nan' is not a finite number (expected the scale σ)", expected: usage))
    LabHarness.refuse(
      session, "policy random scale 1e999",
      output: LabHarness.errorText(
        "policy random: '1e999' is not a finite number (expected the scale σ)", expected: usage))
    LabHarness.refuse(
      session, "policy random 3",
      output: LabHarness.errorText("policy random: '3' is not expected here", expected: usage))
    // The generator was not advanced by any of these.
    #expect(session.state.generator == SplitMix64(seed: 5))
  }
}
