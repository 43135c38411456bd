/// OPEFO's zero-net-flow reweighting — EntropyLab's reading of a SECONDARY
/// source (literature.md §5: the summary in yjkim-stat/Wiki-For-Overthinking;
/// the paper's code is not released, its Eqs. 6–9 are unverified).
///
/// Each token t of the batch has a first-order entropy flow ΔH_t (from
/// `TokenEntropyKernel`: η·w·A·T_k with the `full` kernel, or the
/// sampled-only −η·w·A·S_k). With S⁺ the tokens whose flow is > 0 and S⁻
/// those whose flow is < 0,
/// - P = Σ_{S⁺} ΔH_t, N = Σ_{S⁻} |ΔH_t|,
/// - λ = (N − P)/(N + P) (0 when N + P = 0),
/// - weights 1 + λ on S⁺ and 1 − λ on S⁻ (1 on a token whose flow is 0).
///
/// Then Σ_t w_t·ΔH_t = P(1 + λ) − N(1 − λ) = 0: the step's first-order
/// entropy change vanishes (exactly with the full kernel; with the sampled
/// kernel only the sampled-only flows balance). |λ| ≤ 1, so no weight is
/// negative.
public struct OPEFOBalance: Sendable, Equatable {
  /// Which per-token flow the balance uses.
  public enum Kernel: String, Sendable, Equatable, CaseIterable {
    /// ΔH_t = η·w·A·T_k (the sampled part and the state-wise correction).
    case full
    /// ΔH_t = −η·w·A·S_k (the sampled-token part only).
    case sampled
  }

  /// The per-token flows the balance was computed from.
  public let flows: [Double]
  /// P: the total of the positive flows.
  public let positive: Double
  /// N: the total magnitude of the negative flows.
  public let negative: Double
  /// λ = (N − P)/(N + P), in [−1, 1].
  public let lambda: Double
  /// The weight of each token: 1 + λ, 1 − λ, or 1 for a zero flow.
  public let weights: [Double]

  /// The balance of these per-token flows.
  public init(flows: [Double]) {
    self.flows = flows
    var p = 0.0
    var n = 0.0
    for f in flows {
      if f > 0 { p += f } else if f < 0 { n -= f }
    }
    positive = p
    negative = n
    let l = p + n > 0 ? (n - p) / (n + p) : 0
    lambda = l
    weights = flows.map { $0 > 0 ? 1 + l : $0 < 0 ? 1 - l : 1 }
  }

  /// The balance of a batch of tokens: token i is `arms[i]` sampled at a
  /// state with kernel `kernels[i]`, advantage `advantages[i]` and loss
  /// weight `lossWeights[i]` (1/N under token-mean; λ does not depend on a
  /// common factor, nor on η > 0).
  public init(
    kernels: [TokenEntropyKernel], arms: [Int], advantages: [Double], lossWeights: [Double]? = nil,
    kernel: Kernel, learningRate eta: Double = 1
  ) {
    let flows = arms.indices.map { i in
      let w = lossWeights?[i] ?? 1
      switch kernel {
      case .full:
        return kernels[i].firstOrderChange(arm: arms[i], advantage: advantages[i], weight: w, learningRate: eta)
      case .sampled:
        return kernels[i].sampledOnlyChange(arm: arms[i], advantage: advantages[i], weight: w, learningRate: eta)
      }
    }
    self.init(flows: flows)
  }

  /// Σ_t w_t·ΔH_t: the reweighted net flow (0 up to rounding).
  public var balancedFlow: Double {
    zip(weights, flows).reduce(0) { $0 + $1.0 * $1.1 }
  }

  /// Σ_t ΔH_t: the net flow before reweighting (P − N).
  public var netFlow: Double { flows.reduce(0, +) }
}
