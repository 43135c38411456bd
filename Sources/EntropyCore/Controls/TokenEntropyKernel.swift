import Foundation

/// The token entropy-change kernel of one state (literature.md §0, DERIVED
/// from Lemma 1; paper.md §2.5).
///
/// One sampled arm k with weight w and advantage A, in a REINFORCE step on
/// the logits Δz = η·w·A·(e_k − π), changes the state's entropy by
/// ΔH ≈ η·w·A·T_k to first order, where
/// - S_k = π_k·(log π_k + H) is the sampled-token part,
/// - C = Σ_a π_a²·(log π_a + H) is the state-wise correction,
/// - T_k = −(S_k − C).
///
/// (∂H/∂z_b = −π_b·(log π_b + H), and (e_k − π)·∇H = −S_k + C.) Arms with
/// π = 0 contribute 0 to C and have S = 0.
public struct TokenEntropyKernel: Sendable, Equatable {
  /// The state's policy π(·|s).
  public let probabilities: [Double]
  /// Its entropy H in nats.
  public let entropy: Double
  /// S_k per arm: the sampled-token part.
  public let sampledPart: [Double]
  /// C: the state-wise correction.
  public let correction: Double

  /// The kernel of the state whose policy is `probabilities` (sums to 1).
  public init(probabilities: [Double]) {
    self.probabilities = probabilities
    var h = 0.0
    for p in probabilities where p > 0 { h -= p * log(p) }
    entropy = h
    let s = probabilities.map { p in p > 0 ? p * (log(p) + h) : 0 }
    sampledPart = s
    var c = 0.0
    for (p, sk) in zip(probabilities, s) { c += p * sk }
    correction = c
  }

  /// T_k = −(S_k − C) for every arm.
  public var kernel: [Double] { sampledPart.map { -($0 - correction) } }

  /// T_k for arm `k` (0 for an arm outside the row).
  public func kernel(arm k: Int) -> Double {
    sampledPart.indices.contains(k) ? -(sampledPart[k] - correction) : 0
  }

  /// The first-order entropy change of a step Δz = η·w·A·(e_k − π):
  /// η·w·A·T_k.
  public func firstOrderChange(arm k: Int, advantage: Double, weight: Double = 1, learningRate eta: Double) -> Double {
    eta * weight * advantage * kernel(arm: k)
  }

  /// The sampled-only term of that change, −η·w·A·S_k (the correction C
  /// left out).
  public func sampledOnlyChange(arm k: Int, advantage: Double, weight: Double = 1, learningRate eta: Double) -> Double {
    sampledPart.indices.contains(k) ? -eta * weight * advantage * sampledPart[k] : 0
  }
}

extension TokenEntropyKernel {
  /// The kernel of each token's state under `logits` (S × K row-major,
  /// `arms` per row), one per token, computed once per state. A token
  /// whose state is outside the logits gets the kernel of an empty row
  /// (every T = 0).
  public static func kernels(of tokens: [SampledToken], logits: [Double], arms: Int) -> [TokenEntropyKernel] {
    var byState: [Int: TokenEntropyKernel] = [:]
    return tokens.map { t in
      if let k = byState[t.state] { return k }
      let lo = t.state * arms
      guard arms > 0, lo >= 0, lo + arms <= logits.count else { return TokenEntropyKernel(probabilities: []) }
      let row = Array(logits[lo..<(lo + arms)])
      let m = row.max() ?? 0
      let e = row.map { $0 == -Double.infinity ? 0 : exp($0 - m) }
      let total = e.reduce(0, +)
      let k = TokenEntropyKernel(probabilities: e.map { $0 / total })
      byState[t.state] = k
      return k
    }
  }
}
