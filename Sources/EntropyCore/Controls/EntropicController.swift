/// The `entropic` advantage estimator of the Entrocraft repository: a PI
/// controller on the batch entropy (literature.md §2, VERIFIED from
/// github.com/lblaoke/entrocraft @26165bd, `core_algos.py`
/// `compute_entropic_outcome_advantage` and `ray_trainer.py`; which paper
/// it comes from is unknown).
///
/// Each step, with e_t = H_t − H*:
/// - α_t = I_{t−1} + e_t (proportional gain 1),
/// - I_t = I_{t−1} + 0.01·e_t (the code returns α_t − 0.99·e_t), I₀ = 0,
/// - A_i = R_i·(1 + α_t) if R_i > 0, R_i·(1 − α_t) if R_i < 0, 0 if R_i = 0.
///
/// Too high an entropy (α > 0) strengthens the positive samples, which
/// lower it, and weakens the negative ones. The advantage is the raw
/// reward (the code's rewards are ±1), without a baseline.
public struct EntropicController: Sendable, Equatable {
  /// H*: the target entropy (the repository's script uses 0.5).
  public var target: Double
  /// The integral gain (0.01 in the code).
  public var integralGain: Double
  /// I: the integral state carried from step to step.
  public var integral: Double
  /// α of the last update (0 before the first).
  public private(set) var alpha: Double

  /// A controller with I₀ = 0.
  public init(target: Double, integralGain: Double = 0.01) {
    self.target = target
    self.integralGain = integralGain
    integral = 0
    alpha = 0
  }

  /// One step at batch entropy `entropy`: returns α_t and moves I.
  @discardableResult
  public mutating func update(entropy h: Double) -> Double {
    let e = h - target
    alpha = integral + e
    integral += integralGain * e
    return alpha
  }

  /// The advantage of a sample with reward `reward` at coefficient α.
  public static func advantage(reward r: Double, alpha: Double) -> Double {
    r > 0 ? r * (1 + alpha) : r < 0 ? r * (1 - alpha) : 0
  }
}
