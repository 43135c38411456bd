/// `entropic` as a control: the Entrocraft repository's PI controller on
/// the rollout entropy (`EntropicController`; literature.md §2, VERIFIED
/// code, paper attribution unknown). Each step α_t = I + (H_t − H*),
/// I ← I + gain·(H_t − H*), and every advantage becomes R(1 + α) for
/// R > 0, R(1 − α) for R < 0, with R = 2r − 1 (the code's ±1 rewards, no
/// baseline).
public struct Entropic: EntropyControl {
  public static let name = "entropic"
  public static let summary =
    "entropic: a PI controller on the rollout entropy scales positive and negative rewards by 1 ± α"
  public static let source = ControlSource(
    "the Entrocraft repository's `entropic` baseline: github.com/lblaoke/entrocraft @26165bd, core_algos.py "
      + "compute_entropic_outcome_advantage and ray_trainer.py (which paper it comes from is unknown) — "
      + "literature.md §2",
    status: .verified)
  public static let details = [
    "Each step, with e = H_t − H* (H_t the mean over responses of H(π(·|s)) before the update): α = I + e, then",
    "I ← I + gain·e (I = 0 when switched on or set); every advantage becomes R(1 + α) if R > 0, R(1 − α) if R < 0,",
    "0 if R = 0, with R = 2r − 1 (the code's ±1 rewards; no baseline, no normalisation). The script's H* is 0.5.",
    "Too high an entropy (α > 0) strengthens the positive samples and weakens the negative ones.",
  ]
  public static let parameters = [
    ControlParameter(name: "target", symbol: "H*", defaultValue: 0.5, allowed: "a number ≥ 0", unit: "nats") {
      $0 >= 0 && $0.isFinite
    },
    ControlParameter(name: "gain", symbol: "k_I", defaultValue: 0.01, allowed: "a number ≥ 0", unit: "per step") {
      $0 >= 0 && $0.isFinite
    },
  ]
  public static let activity = [
    ActivityMeasure(key: "entropic_alpha", heading: "α", summary: "the coefficient α_t this step used", kind: .level),
    ActivityMeasure(key: "entropic_integral", heading: "I", summary: "the integral state after the step", kind: .level),
  ]
  public static let coefficient: String? = "target"

  /// The controller (target, gain and integral state).
  public var controller: EntropicController

  public init(values: [Double]) {
    controller = EntropicController(target: values[0], integralGain: values[1])
  }

  /// I, carried between steps.
  public var memory: [Double] {
    get { [controller.integral] }
    set { controller.integral = newValue.first ?? 0 }
  }

  public mutating func prepare(_ rollout: inout ControlRollout, using generator: inout SplitMix64) {
    let alpha = controller.update(entropy: rollout.entropy)
    for i in rollout.tokens.indices {
      let r = Entrocraft.signed(rollout.tokens[i].reward)
      rollout.tokens[i].advantage = EntropicController.advantage(reward: r, alpha: alpha)
    }
    rollout.activity.level("entropic_alpha", alpha)
    rollout.activity.level("entropic_integral", controller.integral)
  }
}
