/// Entrocraft (arXiv 2604.26326): keep the batch entropy inside a band by
/// choosing which samples, or which advantages, the step learns from
/// (literature.md §2; paper Algorithm 1 VERIFIED from its text, the code
/// VERIFIED from github.com/lblaoke/entrocraft @26165bd). The two differ:
///
/// - `paper` (Algorithm 1): m = 1[H > ub] − 1[H < lb]; sample i is kept
///   only if m·Â_i ≥ 0 (Â the GRPO advantage), and the objective is
///   averaged over the kept samples. Too high an entropy drops the
///   negative samples, too low drops the positive ones.
/// - `code` (`compute_grpo_range_outcome_advantage`): the whole batch
///   switches advantage by H against the band: H > ub gives RAFT++
///   (A = max(R, 0): raw reward, no baseline), H < lb gives NSR
///   (A = min(R, 0)), otherwise GRPO. The code's rewards are ±1.
///
/// H is the mean, over the sampled responses, of the exact entropy of
/// their state's policy before the step (verl's token-mean of the
/// old-log-prob pass's entropies).
public enum Entrocraft {
  /// Which of the two algorithms.
  public enum Variant: String, Sendable, Equatable, CaseIterable {
    /// Algorithm 1 of the paper: a keep/drop filter on samples.
    case paper
    /// The released code: a whole-batch switch of the advantage.
    case code
  }

  /// The released code's advantage for a batch.
  public enum Branch: String, Sendable, Equatable, CaseIterable {
    /// H > ub: A = max(R, 0).
    case raft = "raft++"
    /// H < lb: A = min(R, 0).
    case nsr
    /// lb ≤ H ≤ ub: the GRPO group z-score.
    case grpo
  }

  /// The code's branch for batch entropy `entropy` and band (low, high).
  public static func branch(entropy h: Double, low: Double, high: Double) -> Branch {
    h > high ? .raft : h < low ? .nsr : .grpo
  }

  /// The paper's m = 1[H > ub] − 1[H < lb].
  public static func direction(entropy h: Double, low: Double, high: Double) -> Int {
    (h > high ? 1 : 0) - (h < low ? 1 : 0)
  }

  /// Whether Algorithm 1 keeps a sample with GRPO advantage `advantage`.
  public static func keeps(advantage a: Double, direction m: Int) -> Bool {
    Double(m) * a >= 0
  }

  /// A reward in [0, 1] on the code's ±1 scale: 2r − 1 (Bernoulli 0/1
  /// rewards become −1/+1).
  public static func signed(_ r: Double) -> Double { 2 * r - 1 }

  /// The code's advantages of one group's rewards under `branch`: RAFT++
  /// max(R, 0), NSR min(R, 0), or GRPO's (R − mean)/(unbiased std + 1e−6)
  /// (mean 0, std 1 for a group of one, as verl).
  public static func advantages(rewards: [Double], branch: Branch) -> [Double] {
    switch branch {
    case .raft: return rewards.map { max($0, 0) }
    case .nsr: return rewards.map { min($0, 0) }
    case .grpo: return Rollout.groupAdvantages(rewards)
    }
  }
}
