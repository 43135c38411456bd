/// Entrocraft as a control (arXiv 2604.26326; literature.md §2): keep the
/// rollout entropy H_t inside a band [lb, ub], fixed or scheduled
/// (`EntrocraftBand`), by choosing what the step learns from (`Entrocraft`).
///
/// - `variant paper` (Algorithm 1): m = 1[H_t > ub] − 1[H_t < lb]; a
///   response is kept only if m·Â ≥ 0 and the loss averages over the kept
///   tokens (the others leave the batch).
/// - `variant code` (the released code): the whole batch switches advantage
///   — H_t > ub: RAFT++ A = max(R, 0); H_t < lb: NSR A = min(R, 0); else
///   the session's GRPO advantages — with R = 2r − 1 (the code's ±1
///   rewards); zero-advantage tokens stay in the token-mean denominator.
public struct EntrocraftControl: EntropyControl {
  public static let name = "entrocraft"
  public static let summary =
    "Entrocraft: keep the rollout entropy in a band by dropping samples (paper) or switching advantages (code)"
  public static let source = ControlSource(
    "Entrocraft (arXiv 2604.26326): Algorithm 1 read in the paper (spec §6.3); the released code read at "
      + "github.com/lblaoke/entrocraft @26165bd, verl/trainer/ppo/core_algos.py "
      + "compute_grpo_range{,_linear,_cos}_outcome_advantage, raftpp, nsr — literature.md §2",
    status: .verified)
  public static let details = [
    "H_t = mean over the rollout's responses of H(π(·|s)) under the pre-update policy; band [lb, ub] at step t:",
    "band fixed (low, high), or linear|cos from (low, high) to (lowend, highend) over 'span' steps (p = t/T or",
    "½(1 − cos(πt/T)), t counted from the step the control was switched on or set; held at the end after T).",
    "variant paper (Algorithm 1): m = 1[H_t > ub] − 1[H_t < lb]; keep a response only if m·Â ≥ 0, average over",
    "the kept tokens. variant code (default; the released code): the whole batch uses RAFT++ A = max(R, 0) if",
    "H_t > ub, NSR A = min(R, 0) if H_t < lb, else the session's GRPO advantages, with R = 2r − 1 (the code's ±1",
    "rewards). The code's PPO clip 0.2/0.2, token-mean and low_var_kl 1e−3 are the session's settings (no KL here).",
    "References: linear 0.6→0.4 / 0.7→0.5 (README run); cos 0.6→0.1 / 0.7→0.2 (4B); fixed 0.6 / 0.7.",
  ]
  public static let parameters = [
    ControlParameter(name: "variant", choices: ["code", "paper"], defaultChoice: "code"),
    ControlParameter(name: "band", choices: ["fixed", "linear", "cos"], defaultChoice: "fixed"),
    ControlParameter(name: "low", symbol: "lb₀", defaultValue: 0.6, allowed: "a number ≥ 0", unit: "nats") {
      $0 >= 0 && $0.isFinite
    },
    ControlParameter(name: "high", symbol: "ub₀", defaultValue: 0.7, allowed: "a number ≥ 0", unit: "nats") {
      $0 >= 0 && $0.isFinite
    },
    ControlParameter(name: "lowend", symbol: "lb₁", defaultValue: 0.4, allowed: "a number ≥ 0", unit: "nats") {
      $0 >= 0 && $0.isFinite
    },
    ControlParameter(name: "highend", symbol: "ub₁", defaultValue: 0.5, allowed: "a number ≥ 0", unit: "nats") {
      $0 >= 0 && $0.isFinite
    },
    ControlParameter(name: "span", symbol: "T", defaultValue: 200, allowed: "a whole number ≥ 1", unit: "steps") {
      $0 >= 1 && $0 <= 1e9 && $0 == $0.rounded()
    },
  ]
  public static let activity = [
    ActivityMeasure(
      key: "entrocraft_dropped", heading: "dropped",
      summary: "tokens dropped (paper: m·Â < 0) or whose advantage the branch zeroed (code)"),
    ActivityMeasure(
      key: "entrocraft_branch", heading: "branch",
      summary: "m: +1 above the band (code: RAFT++), −1 below (code: NSR), 0 inside (GRPO)", kind: .level),
    ActivityMeasure(key: "entrocraft_low", heading: "lb", summary: "the band's lower edge this step", kind: .level),
    ActivityMeasure(key: "entrocraft_high", heading: "ub", summary: "the band's upper edge this step", kind: .level),
  ]
  public static let coefficient: String? = "low"

  /// Paper or code.
  public var variant: Entrocraft.Variant
  /// The band and its schedule.
  public var band: EntrocraftBand
  /// Steps taken since the control was switched on or set (its band's t).
  public var elapsed = 0

  public init(values: [Double]) {
    variant = values[0] == 1 ? .paper : .code
    let schedule: EntrocraftBand.Schedule = values[1] == 1 ? .linear : values[1] == 2 ? .cos : .fixed
    band = EntrocraftBand(
      schedule: schedule, start: (values[2], values[3]), end: (values[4], values[5]), steps: Int(values[6]))
  }

  /// t, carried between steps.
  public var memory: [Double] {
    get { [Double(elapsed)] }
    set { elapsed = newValue.first.map { Int($0) } ?? 0 }
  }

  public mutating func prepare(_ rollout: inout ControlRollout, using generator: inout SplitMix64) {
    let (low, high) = band.bounds(step: elapsed)
    elapsed += 1
    let m = Entrocraft.direction(entropy: rollout.entropy, low: low, high: high)
    var dropped = 0
    switch variant {
    case .paper:
      let before = rollout.tokens.count
      rollout.tokens.removeAll { !Entrocraft.keeps(advantage: $0.advantage, direction: m) }
      dropped = before - rollout.tokens.count
    case .code:
      let branch = Entrocraft.branch(entropy: rollout.entropy, low: low, high: high)
      if branch != .grpo {
        for i in rollout.tokens.indices {
          let r = Entrocraft.signed(rollout.tokens[i].reward)
          let a = branch == .raft ? max(r, 0) : min(r, 0)
          if a == 0 { dropped += 1 }
          rollout.tokens[i].advantage = a
        }
      }
    }
    rollout.activity.count("entrocraft_dropped", dropped)
    rollout.activity.level("entrocraft_branch", Double(m))
    rollout.activity.level("entrocraft_low", low)
    rollout.activity.level("entrocraft_high", high)
  }
}
