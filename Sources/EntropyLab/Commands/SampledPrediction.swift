import EntropyCore
import Foundation

/// `predict sampled [n]`: the expected ΔH of the next sampled GRPO step,
/// estimated as the mean ± standard error over n independent sampled steps
/// from the current state.
///
/// Each draw starts from a copy of the state with its own generator,
/// seeded from the session's stream without advancing it (draw i uses
/// SplitMix64(seed: s₀ + i·φ), s₀ the stream's next value and φ the
/// SplitMix64 increment), so the command changes nothing and the same
/// state always gives the same estimate.
enum SampledPrediction {
  static func reports(_ state: LabState, draws n: Int, context: CommandContext, args: ArgumentReader)
    throws(LabError) -> [Report]
  {
    var stream = state.generator
    let base = stream.next()
    var changes: [Double] = []
    var firsts: [Double] = []
    for i in 0..<n {
      if i > 0 && context.isInterrupted() { break }
      var copy = state
      copy.generator = SplitMix64(seed: base &+ UInt64(i) &* SplitMix64.increment)
      do throws(CoreError) {
        let record = try copy.takeSampledStep()
        changes.append(record.entropyChange)
        firsts.append(record.prediction.firstOrder)
      } catch {
        throw LabError(error, command: "predict sampled", expected: args.usage)
      }
      context.progress(i + 1, n)
    }
    let exact = EntropyDynamics.predictShaped(policy: state.policy, change: state.nextExactStep.delta).mean.firstOrder
    let population = SampledTrainer.populationTerm(
      policy: state.policy, bandit: state.bandit, learningRate: state.learningRate)
    let (dh, dhSE) = meanAndSE(changes)
    let (fo, foSE) = meanAndSE(firsts)
    let table = Table(
      columns: [
        .init("draws", key: "draws", priority: .key), .init("ΔH mean", key: "entropy_change_mean"),
        .init("± SE", key: "entropy_change_se"), .init("1st order mean", key: "first_order_mean"),
        .init("± SE", key: "first_order_se"),
        .init("exact PG 1st order", key: "exact_pg_first_order", priority: .detail),
        .init("NPG-step 1st order", key: "population_term", priority: .detail),
      ],
      rows: [
        [
          .int(changes.count), .number(dh, .scientific(4)), .number(dhSE, .scientific(2)),
          .number(fo, .scientific(4)), .number(foSE, .scientific(2)), .number(exact, .scientific(4)),
          .number(population, .scientific(4)),
        ]
      ],
      jsonPrefix: [("kind", .string("predict_sampled"))])
    var reports: [Report] = [
      .table(table),
      .message(
        "(\(changes.count) sampled steps from the current state, each with its own draw; the state and its "
          + "random stream are unchanged. exact PG: the expected direction 'predict' shows; NPG-step: "
          + "−η·Cov(log π, A), an exact NPG step's first order)"),
    ]
    if changes.count < n {
      reports.append(.warning("interrupted after \(changes.count) of \(n) draws"))
    }
    return reports
  }

  /// The sample mean and its standard error s/√n (s with n − 1).
  static func meanAndSE(_ xs: [Double]) -> (Double, Double) {
    guard !xs.isEmpty else { return (.nan, .nan) }
    let mean = xs.reduce(0, +) / Double(xs.count)
    guard xs.count > 1 else { return (mean, .nan) }
    let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
    return (mean, (variance / Double(xs.count)).squareRoot())
  }
}
