import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// `predict sampled [n]` (issue 13): the sampled step's expected ΔH as a
/// mean ± SE over n independent draws, checked against real sampled steps
/// taken from a checkpoint, and the honest labels of `predict` and `show`
/// under `update grpo`.
@Suite struct SampledPredictionTests {
  /// Lesson 5's set-up: 8 states × 16 arms, random logits and rewards,
  /// GRPO at η = 3.
  static let setup = [
    "policy arms 16 states 8", "policy random scale 1", "rewards random", "update grpo", "lr 3",
  ]

  /// The estimate agrees with the mean of n real sampled steps, each taken
  /// from the same checkpoint with its own seed, within 5 combined
  /// standard errors (two independent means: |m₁ − m₂| ≤ 5·√(se₁² + se₂²)
  /// fails by chance with probability below 1e-6).
  @Test func agreesWithRealSampledStepsFromACheckpoint() throws {
    let n = 200
    let session = LabHarness.session(Self.setup, seed: 7, json: true)
    let before = session.state
    let estimate = try #require(LabHarness.json(LabHarness.run(session, "predict sampled \(n)").output).first)
    // Nothing changed, not even the random stream.
    #expect(session.state == before)
    let mean = try #require(LabHarness.number(estimate["entropy_change_mean"]))
    let se = try #require(LabHarness.number(estimate["entropy_change_se"]))
    #expect(LabHarness.number(estimate["draws"]) == Double(n))
    LabHarness.run(session, "checkpoint start")
    var real: [Double] = []
    for k in 0..<n {
      LabHarness.run(session, "restore start")
      LabHarness.run(session, "seed \(1000 + k)")
      let step = try #require(LabHarness.json(LabHarness.run(session, "step").output).first)
      real.append(try #require(LabHarness.number(step["entropy_change"])))
    }
    let (realMean, realSE) = SampledPrediction.meanAndSE(real)
    #expect(se > 0 && realSE > 0)
    #expect(
      abs(mean - realMean) <= 5 * (se * se + realSE * realSE).squareRoot(), "\(mean) ± \(se) vs \(realMean) ± \(realSE)"
    )
    // The exact PG step's first order is a different, larger quantity: the
    // label matters (on this set-up it is more than 5 SE away).
    let exact = try #require(LabHarness.number(estimate["exact_pg_first_order"]))
    #expect(abs(exact - mean) > 5 * se)
  }

  @Test func meanAndStandardErrorOfKnownNumbers() {
    let (m, se) = SampledPrediction.meanAndSE([1, 2, 3, 4])
    #expect(m == 2.5)
    // s² = 5/3, se = √(5/3 / 4).
    expectWithin(se, (5.0 / 12.0).squareRoot(), tolerance: 1e-15, "se")
  }

  @Test func underGRPOPredictAndShowSayWhatTheyPredict() {
    let session = LabHarness.session(Self.setup)
    #expect(LabHarness.run(session, "predict").output.contains("expected direction of a sampled step"))
    let show = LabHarness.run(session, "show state 0").output
    #expect(show.contains("expected direction of a grpo step (exact PG)"))
    let exact = LabHarness.session(["policy arms 4", "rewards 1 0 0 1"])
    #expect(!LabHarness.run(exact, "predict").output.contains("expected direction"))
    LabHarness.refuse(
      exact, "predict sampled",
      output: LabHarness.errorText(
        "predict: needs sampled steps ('update grpo' first); exact steps are not random: 'predict'",
        expected: "predict [sampled [n]]"))
  }
}
