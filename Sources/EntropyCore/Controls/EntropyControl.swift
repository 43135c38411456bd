/// An entropy control: a change to a sampled GRPO step, at one or more of
/// five points, each with a default that does nothing.
///
/// A control is one type conforming to this protocol plus one entry in the
/// registry (`EntropyControls`): built in, or added by a library user with
/// `EntropyControls.register(_:)`. The shell's `control` command, its help,
/// the settings keys (`NAME.on`, `NAME.PARAM`), sweeps, `compare` and the
/// activity columns of the step tables are generated from it; no other
/// code names a control.
public protocol EntropyControl: Sendable {
  /// The shell name (`clipcov`): lowercase letters, digits and `-`.
  static var name: String { get }
  /// One line for help: what it does.
  static var summary: String { get }
  /// Its settings with their defaults, units and allowed values.
  static var parameters: [ControlParameter] { get }
  /// Where it comes from and how sure that is.
  static var source: ControlSource { get }
  /// More help: the method, its departures and where it degenerates. Prose:
  /// consecutive strings join into one paragraph (break them anywhere), an
  /// empty string starts another; the help wraps paragraphs at the width.
  static var details: [String] { get }
  /// What it reports each step (counts of tokens, levels of its state).
  static var activity: [ActivityMeasure] { get }
  /// The parameter a schedule moves when none is named (default: `coef`
  /// if it has one, else its first parameter).
  static var coefficient: String? { get }
  /// Whether verl's dual-clip still applies with it on (false for losses
  /// that replace the vanilla PPO loss: Clip-Cov, KL-Cov, CISPO).
  static var keepsDualClip: Bool { get }
  /// A PPO clip range its reference scripts run it with, offered by the
  /// shell's `clip NAME` (nil: none).
  static var clipPreset: (low: Double, high: Double, source: String)? { get }
  /// Whether it has its own top-level shell command and always shows its
  /// activity columns (the paper's four controls, kept for the notebooks
  /// that use them); new controls are reached through `control NAME`.
  static var isClassic: Bool { get }

  /// What a user should know when it is switched on or set with `values`
  /// in `setup` (e.g. that it cannot act on-policy); none by default.
  static func warnings(values: [Double], setup: ControlSetup) -> [String]

  /// A control with these values (one per parameter, in order, each
  /// already checked with its `isValid`).
  init(values: [Double])

  /// State carried from one step to the next (e.g. an adaptive
  /// coefficient); empty for a control that keeps none. The session stores
  /// it between steps and clears it when the control is switched or set.
  var memory: [Double] { get set }

  /// Before the rollout: may mask arms for the step and report.
  mutating func beginStep(_ start: inout ControlStepStart, using generator: inout SplitMix64)
  /// After the rollout, before the updates: may change advantages, update
  /// its own state from the rollout's entropy, and report.
  mutating func prepare(_ rollout: inout ControlRollout, using generator: inout SplitMix64)
  /// Adjusts the PPO clip range before the loss terms are built.
  func adjustClip(_ range: inout (low: Double, high: Double)?)
  /// Changes the minibatch's loss gradients (selects tokens, zeroes,
  /// reweights or penalises them), drawing randomness from `generator`,
  /// and reports in `terms.activity`.
  func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64)
  /// An extra gradient on the logits of `state`, added per minibatch:
  /// `weight` is (tokens of that state)/|M|; π and H are the state's.
  func extraLogitGradient(probabilities: [Double], entropy: Double, weight: Double) -> [Double]?
}

extension EntropyControl {
  /// No source stated.
  public static var source: ControlSource { .unstated }
  /// No more help.
  public static var details: [String] { [] }
  /// Nothing reported.
  public static var activity: [ActivityMeasure] { [] }
  /// `coef` if it has one, else the first parameter.
  public static var coefficient: String? {
    parameters.first { $0.name == "coef" }?.name ?? parameters.first?.name
  }
  /// Dual-clip applies.
  public static var keepsDualClip: Bool { true }
  /// No clip preset.
  public static var clipPreset: (low: Double, high: Double, source: String)? { nil }
  /// Reached through `control NAME`.
  public static var isClassic: Bool { false }
  /// No warnings.
  public static func warnings(values: [Double], setup: ControlSetup) -> [String] { [] }
  /// No state.
  public var memory: [Double] {
    get { [] }
    set {}
  }
  /// No masking.
  public mutating func beginStep(_ start: inout ControlStepStart, using generator: inout SplitMix64) {}
  /// No change to the rollout.
  public mutating func prepare(_ rollout: inout ControlRollout, using generator: inout SplitMix64) {}
  /// No change to the clip range.
  public func adjustClip(_ range: inout (low: Double, high: Double)?) {}
  /// No change to the loss terms.
  public func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64) {}
  /// No extra gradient.
  public func extraLogitGradient(probabilities: [Double], entropy: Double, weight: Double) -> [Double]? { nil }
}
