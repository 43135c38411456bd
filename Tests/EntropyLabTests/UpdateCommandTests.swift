import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// `update`, `lr` and `seed`: how the next step is taken.
@Suite struct UpdateCommandTests {
  static let z = [1.0, 0, -1, 0.5]
  static let mu = [1.0, 0, 0, 1]

  @Test func updateChoosesTheRuleAndSaysItsFormula() {
    let session = LabHarness.session()
    #expect(session.state.rule == .pg)
    #expect(LabHarness.run(session, "update npg").output == "update: npg, Δz = η·(A − E_π A)")
    #expect(session.state.rule == .npg)
    #expect(LabHarness.run(session, "update pg").output == "update: pg, Δz = η·π ⊙ (A − E_π A)")
    #expect(session.state.rule == .pg)
    #expect(
      LabHarness.run(session, "update grpo").output
        == "update: grpo, sampled: G = 8, Bernoulli rewards, filter on, M = 1, E = 1, clip ε = 0.2/0.2, no controls")
    #expect(session.state.rule == .grpo)
  }

  @Test func grpoDescriptionFollowsTheSettings() {
    let session = LabHarness.session([
      "group 4", "noise gaussian 0.5", "filter off", "minibatches 2", "epochs 3", "clip 0.1 0.28", "clipcov on",
      "entropybonus on",
    ])
    #expect(
      LabHarness.run(session, "update grpo").output
        == "update: grpo, sampled: G = 4, Gaussian rewards σ = 0.5, filter off, M = 2, E = 3, clip ε = 0.1/0.28, "
        + "controls: clipcov, entropybonus")
    LabHarness.run(session, "noise none")
    #expect(LabHarness.run(session, "update grpo").output.contains("noiseless rewards"))
  }

  @Test func pgStepIsEtaPiTimesCentredAdvantage() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "lr 0.25", "step"])
    let a = NaiveMath.advantages(Self.z, rewards: Self.mu)
    let expected = NaiveMath.apply(Self.z, NaiveMath.pgDelta(Self.z, advantages: a, eta: 0.25))
    expectWithin(session.state.policy.logits, expected, tolerance: 1e-15)
  }

  @Test func npgStepIsEtaTimesCentredAdvantage() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "update npg", "lr 0.25", "step"])
    let a = NaiveMath.advantages(Self.z, rewards: Self.mu)
    let expected = NaiveMath.apply(Self.z, NaiveMath.npgDelta(Self.z, advantages: a, eta: 0.25))
    expectWithin(session.state.policy.logits, expected, tolerance: 1e-15)
  }

  @Test func npgCheckVectorAtEtaPointOne() {
    // paper.md §2.6, NPG at η = 0.1: predicted −0.0196189073, exact −0.0199797816.
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "update npg"], json: true)
    let p = LabHarness.onlyJSON(session, "predict")
    expectWithin(LabHarness.number(p["first_order"]), -0.0196189073, tolerance: 1e-10, "first order")
    expectWithin(LabHarness.number(p["path_integral"]), -0.0199797816, tolerance: 1e-10, "path integral")
    #expect(p["rule"] as? String == "npg")
  }

  @Test func lrSetsEta() {
    let session = LabHarness.session()
    #expect(LabHarness.run(session, "lr 0.01").output == "lr: η = 0.01")
    #expect(session.state.learningRate == 0.01)
    #expect(LabHarness.run(session, "lr 2.5e-7").output == "lr: η = 2.5e-07")
    #expect(session.state.learningRate == 2.5e-7)
    #expect(LabHarness.run(session, "lr 1234567").output == "lr: η = 1.23457e+06")
    #expect(session.state.learningRate == 1_234_567)
  }

  @Test func seedResetsTheGenerator() {
    let session = LabHarness.session(["policy random"])
    #expect(LabHarness.run(session, "seed 12345").output == "seed: 12345")
    #expect(session.state.seed == 12345)
    #expect(session.state.generator == SplitMix64(seed: 12345))
    #expect(LabHarness.run(session, "seed 18446744073709551615").output == "seed: 18446744073709551615")
    #expect(session.state.generator == SplitMix64(seed: .max))
    #expect(LabHarness.run(session, "seed 0").output == "seed: 0")
  }

  @Test func aSessionStartsAtItsSeed() {
    let session = LabHarness.session(seed: 77)
    #expect(session.state.seed == 77)
    #expect(session.state.generator == SplitMix64(seed: 77))
    #expect(session.state.learningRate == 0.1)
    #expect(session.state.policy.states == 1 && session.state.policy.arms == 4)
  }

  // MARK: errors

  @Test func errorsOfUpdate() {
    let session = LabHarness.session(["update npg"])
    let usage = "update pg|npg|grpo"
    LabHarness.refuse(session, "update", output: LabHarness.errorText("update: needs an update rule", expected: usage))
    LabHarness.refuse(
      session, "update sgd", output: LabHarness.errorText("update: 'sgd' is not one of: pg, npg, grpo", expected: usage)
    )
    LabHarness.refuse(
      session, "update PG", output: LabHarness.errorText("update: 'PG' is not one of: pg, npg, grpo", expected: usage))
    LabHarness.refuse(
      session, "update pg npg", output: LabHarness.errorText("update: 'npg' is not expected here", expected: usage))
  }

  @Test func errorsOfLr() {
    let session = LabHarness.session(["lr 0.5"])
    let usage = "lr η"
    LabHarness.refuse(session, "lr", output: LabHarness.errorText("lr: needs the learning rate η", expected: usage))
    for bad in ["0", "-0", "-1", "-1e-300"] {
      LabHarness.refuse(
        session, "lr \(bad)",
        output: LabHarness.errorText(
          "lr: '\(bad)' must be greater than 0 (expected the learning rate η)", expected: usage))
    }
    for bad in ["nan", "inf", "-inf", "1e309", "fast", "0.1.2"] {
      LabHarness.refuse(
        session, "lr \(bad)",
        output: LabHarness.errorText(
          "lr: '\(bad)' is not a finite number (expected the learning rate η)", expected: usage))
    }
    LabHarness.refuse(
      session, "lr 0.1 0.2", output: LabHarness.errorText("lr: '0.2' is not expected here", expected: usage))
  }

  @Test func errorsOfSeed() {
    let session = LabHarness.session(["seed 4", "policy random"])
    let usage = "seed n"
    LabHarness.refuse(session, "seed", output: LabHarness.errorText("seed: needs a seed", expected: usage))
    for bad in ["-1", "1.5", "18446744073709551616", "x", "nan"] {
      LabHarness.refuse(
        session, "seed \(bad)",
        output: LabHarness.errorText(
          "seed: '\(bad)' is not a whole number from 0 to 18446744073709551615 (expected a seed)", expected: usage))
    }
    LabHarness.refuse(
      session, "seed 1 2", output: LabHarness.errorText("seed: '2' is not expected here", expected: usage))
  }
}
