import Foundation

/// The entropy bonus (paper §4.1, Fig. 9): loss − α·(token-mean of the exact
/// entropy H(π(·|s_i)) of each token's state).
///
/// Its gradient on the logits of state s is −α·(n_s/|M|)·∇_z H with
/// ∂H/∂z_b = −π_b·(log π_b + H).
public struct EntropyBonus: EntropyControl {
  public static let name = "entropybonus"
  public static let summary = "Entropy bonus: subtract α × the token-mean entropy from the loss"
  public static let source = ControlSource(
    "Cui et al. 2025 §4.1, Fig. 9; PRIME-RL/verl dp_actor (entropy_coeff × token-mean exact entropy)",
    status: .verified)
  public static let details = [
    "Default: EntropyLab's 5e-3 (the paper tries 1e-4, 1e-3, 5e-3 and 1e-2; the recipes use 0); "
      + "α multiplies the entropy in nats."
  ]
  public static let isClassic = true
  public static let parameters: [ControlParameter] = [
    ControlParameter(name: "coef", symbol: "α", defaultValue: 5e-3, allowed: "a number ≥ 0") { $0 >= 0 && $0.isFinite }
  ]

  /// The bonus coefficient α.
  public var coef: Double

  public init(values: [Double]) {
    coef = values[0]
  }

  public func extraLogitGradient(probabilities: [Double], entropy: Double, weight: Double) -> [Double]? {
    probabilities.map { p in
      guard p > 0 else { return 0 }
      // ∂(−α·w·H)/∂z_b = α·w·π_b·(log π_b + H)
      return coef * weight * p * (log(p) + entropy)
    }
  }
}
