/// Entropy polarity — the lab's reading of entropy polarity (literature.md
/// §0 and §4, DERIVED; the PAPO paper's own formula and reweighting were not
/// found, so nothing here is the authors' algorithm, and no schedule is
/// PAPO's).
///
/// Each token's polarity is P_t = A_t·T_k, with T_k the token kernel of its
/// state (`TokenEntropyKernel`), so that a step Δz = η·A·(e_k − π) changes
/// the entropy by ≈ η·P_t: P > 0 expands entropy, P < 0 contracts it. With
/// A > 0 a token contracts entropy iff S_k > C. The user sets one weight per
/// branch; a token with P = 0 keeps weight 1.
public struct EntropyPolarity: Sendable, Equatable {
  /// The weight of entropy-expanding tokens (P > 0).
  public var expanding: Double
  /// The weight of entropy-contracting tokens (P < 0).
  public var contracting: Double

  /// Branch weights (1 and 1 change nothing).
  public init(expanding: Double, contracting: Double) {
    self.expanding = expanding
    self.contracting = contracting
  }

  /// P = A·T_k of arm `k` with advantage `advantage` at the state of `kernel`.
  public static func polarity(kernel: TokenEntropyKernel, arm k: Int, advantage: Double) -> Double {
    advantage * kernel.kernel(arm: k)
  }

  /// The weight of a token with polarity `p`.
  public func weight(polarity p: Double) -> Double {
    p > 0 ? expanding : p < 0 ? contracting : 1
  }
}
