/// How per-token loss terms become one scalar per loss call: verl's
/// `loss_agg_mode` (`agg_loss` in verl/trainer/ppo/core_algos.py, one call
/// per micro-batch, data-parallel size 1, no global-batch token count).
///
/// Every token of the micro-batch stays in the denominators, including the
/// ones whose gradient PPO, dual-clip or Clip-Cov zeroed (their loss term is
/// 0, their mask is 1).
/// - `token-mean`: Σ_{i,t} ℓ_{i,t} / N_tokens.
/// - `seq-mean-token-mean`: (1/N_seq)·Σ_i (Σ_t ℓ_{i,t}) / (T_i + 1e-8), the
///   1e-8 as in verl.
/// - `seq-mean-token-sum`: (1/N_seq)·Σ_i Σ_t ℓ_{i,t}.
/// - `token-sum`: Σ_{i,t} ℓ_{i,t}.
public enum LossAggregation: String, Sendable, Equatable, CaseIterable {
  case tokenMean = "token-mean"
  case seqMeanTokenMean = "seq-mean-token-mean"
  case seqMeanTokenSum = "seq-mean-token-sum"
  case tokenSum = "token-sum"

  /// The weight of each token's loss term as numerator_i / denominator, so
  /// that token-mean divides each term by N exactly as a mean would.
  /// Tokens with a negative `response` index are one-token responses.
  public func weights(_ tokens: [SampledToken]) -> (numerators: [Double], denominator: Double) {
    switch self {
    case .tokenMean:
      return ([Double](repeating: 1, count: tokens.count), Double(tokens.count))
    case .tokenSum:
      return ([Double](repeating: 1, count: tokens.count), 1)
    case .seqMeanTokenSum:
      return ([Double](repeating: 1, count: tokens.count), Double(LossAggregation.responseCount(tokens)))
    case .seqMeanTokenMean:
      var lengths: [Int: Int] = [:]
      for t in tokens where t.response >= 0 { lengths[t.response, default: 0] += 1 }
      let numerators = tokens.map { t in 1 / (Double(t.response >= 0 ? lengths[t.response] ?? 1 : 1) + 1e-8) }
      return (numerators, Double(LossAggregation.responseCount(tokens)))
    }
  }

  /// The number of distinct responses among `tokens`.
  static func responseCount(_ tokens: [SampledToken]) -> Int {
    var seen = Set<Int>()
    var singles = 0
    for t in tokens {
      if t.response < 0 { singles += 1 } else { seen.insert(t.response) }
    }
    return seen.count + singles
  }
}
