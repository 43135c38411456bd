import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// Issue 14's shell commands: `length`, `reward`, `aggregation`,
/// `microbatches`, `optimizer`, `gradclip`, `dualclip`, and the new words of
/// `minibatches`, `filter`, `clip`, `tokens` and `show`.
@Suite struct TrainerKnobCommandTests {
  @Test func settingsReachTheConfig() {
    let session = LabHarness.session()
    #expect(LabHarness.run(session, "length 4").output == "length: T = 4 tokens per response")
    #expect(session.state.grpo.response == ResponseModel(minLength: 4, maxLength: 4))
    #expect(LabHarness.run(session, "length 2..6").output == "length: T = 2..6 tokens per response")
    #expect(LabHarness.run(session, "reward all").output == "reward: all (T = 2..6)")
    #expect(session.state.grpo.response == ResponseModel(minLength: 2, maxLength: 6, reward: .all))
    #expect(LabHarness.run(session, "aggregation seq-mean-token-sum").output == "aggregation: seq-mean-token-sum")
    #expect(session.state.grpo.aggregation == .seqMeanTokenSum)
    #expect(LabHarness.run(session, "microbatches 4").output == "microbatches: m = 4")
    #expect(
      LabHarness.run(session, "minibatches 4 groups keep order fixed").output
        == "minibatches: M = 4, groups keep, order fixed")
    #expect(session.state.grpo.keepGroups && session.state.grpo.order == .fixed)
    #expect(LabHarness.run(session, "filter on refill cap 5").output == "filter: on, refill up to 5 passes")
    #expect(session.state.grpo.refill && session.state.grpo.refillCap == 5)
    #expect(LabHarness.run(session, "filter on").output == "filter: on")
    #expect(!session.state.grpo.refill)
    #expect(LabHarness.run(session, "clip clipcov").output == "clip: ε_low = 1, ε_high = 1")
    #expect(LabHarness.run(session, "clip cliphigher").output == "clip: ε_low = 0.2, ε_high = 0.28")
    #expect(LabHarness.run(session, "gradclip 1").output == "gradclip: global norm ≤ 1")
    #expect(session.state.grpo.gradientClip == 1)
    #expect(LabHarness.run(session, "gradclip off").output == "gradclip: off")
    #expect(session.state.grpo.gradientClip == nil)
    #expect(LabHarness.run(session, "dualclip 3").output == "dualclip: c = 3")
    #expect(session.state.grpo.dualClip == 3)
    LabHarness.run(session, "update grpo")
    #expect(
      LabHarness.run(session, "optimizer adamw beta2 0.95 decay 0").output
        == "optimizer adamw β1 = 0.9, β2 = 0.95, ε = 1e-08, decay = 0")
    #expect(session.state.grpo.optimizer == .adamw(beta1: 0.9, beta2: 0.95, eps: 1e-8, decay: 0))
    #expect(LabHarness.run(session, "optimizer sgd").output == "optimizer sgd")
  }

  @Test func errorsNameTheWordAndLeaveTheStateAlone() {
    let session = LabHarness.session(["length 3", "optimizer adamw"])
    LabHarness.refuse(session, "length 0", command: "length", word: "0")
    LabHarness.refuse(session, "length 5..2", command: "length", word: "5..2")
    LabHarness.refuse(session, "length two", command: "length", word: "two")
    LabHarness.refuse(session, "length 1..2..3", command: "length", word: "1..2..3")
    LabHarness.refuse(session, "reward some", command: "reward", word: "some")
    LabHarness.refuse(session, "aggregation mean", command: "aggregation", word: "mean")
    LabHarness.refuse(session, "microbatches 0", command: "microbatches", word: "0")
    LabHarness.refuse(session, "minibatches 2 groups maybe", command: "minibatches", word: "maybe")
    LabHarness.refuse(session, "minibatches 2 order random", command: "minibatches", word: "random")
    LabHarness.refuse(session, "filter off refill", command: "filter", word: "refill")
    LabHarness.refuse(session, "filter on refill cap 0", command: "filter", word: "0")
    LabHarness.refuse(session, "optimizer adam", command: "optimizer", word: "adam")
    LabHarness.refuse(session, "optimizer adamw beta1 1", command: "optimizer", word: "1")
    LabHarness.refuse(session, "optimizer adamw eps 0", command: "optimizer", word: "0")
    LabHarness.refuse(session, "optimizer adamw gamma 1", command: "optimizer", word: "gamma")
    LabHarness.refuse(session, "gradclip 0", command: "gradclip", word: "0")
    LabHarness.refuse(session, "dualclip 1", command: "dualclip", word: "1")
    LabHarness.refuse(session, "clip clipcov 2", command: "clip", word: "2")
    LabHarness.refuse(
      session, "length 0",
      output: LabHarness.errorText(
        "length: '0' is out of range (expected 1 ≤ T1 ≤ T2 ≤ 1000)", expected: "length T | length T1..T2"))
  }

  @Test func rewardAlonePrintsTheExactExpectedReward() {
    // One state, π uniform over 2 arms, μ = (1, 0): V = 0.5. mean, T = 3:
    // E[r] = 0.5, A = ±0.5/3; all, T = 3: E[r] = 0.125, A = ±0.25·0.5.
    let session = LabHarness.session(["policy arms 2 states 1", "rewards 1 0", "length 3"])
    let mean = LabHarness.run(session, "reward").output
    #expect(mean.hasPrefix("reward mean, T = 3: exact expected reward E[r] = 0.5\n"))
    #expect(mean.contains("0.1667") && mean.contains("-0.1667"))
    LabHarness.run(session, "reward all")
    let all = LabHarness.run(session, "reward").output
    #expect(all.hasPrefix("reward all, T = 3: exact expected reward E[r] = 0.125\n"))
    #expect(all.contains("0.1250") && all.contains("-0.1250"))
  }

  @Test func multiTokenStepsRunAndReportFlipsAndResponses() {
    let session = LabHarness.session([
      "policy arms 4 states 3", "policy logits 1 0 -1 0.5", "rewards 0.9 0.2 0.5 0.7", "update grpo", "lr 2",
      "length 3", "minibatches 3 groups keep order fixed", "seed 4", "step 2",
    ])
    #expect(session.state.trajectory.count == 2)
    let flips = LabHarness.run(session, "tokens flips").output
    #expect(flips.contains("A > 0") && flips.contains("A < 0"))
    let responses = LabHarness.run(session, "tokens responses").output
    #expect(responses.contains("Fig. 8 covariance (mean over groups)"))
    let last = LabHarness.run(session, "show last state 0").output
    #expect(last.contains("path integral") && last.contains("cov share"))
    // The trajectory's path integral equals the actual ΔH (1e-12, issue 14).
    for r in session.state.trajectory {
      #expect(abs(r.prediction.pathIntegral - r.entropyChange) <= 1e-12)
    }
  }

  @Test func adamMomentsPersistAndClearWithTheTrajectory() {
    let session = LabHarness.session([
      "policy arms 4 states 2", "rewards 0.9 0.2 0.5 0.7", "update grpo", "optimizer adamw", "lr 0.1", "step 3",
    ])
    #expect(session.state.adam.step == 3)
    LabHarness.run(session, "policy arms 5 states 2")
    #expect(session.state.adam.step == 0)
  }

  @Test func helpClipcovNamesTheReferenceClip() {
    let session = LabHarness.session()
    let help = LabHarness.run(session, "help clipcov").output
    #expect(help.contains("PPO ε = 1/1 ('clip clipcov')"))
  }
}
