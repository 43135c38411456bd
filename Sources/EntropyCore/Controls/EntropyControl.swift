/// One numeric setting of an entropy control, with its paper default.
public struct ControlParameter: Sendable {
  /// The word typed in the shell (`ratio`, `low`, `coef`, …).
  public var name: String
  /// The symbol in the paper (r, ω_low, β, …).
  public var symbol: String
  /// The default value.
  public var defaultValue: Double
  /// The values allowed, as text for errors (e.g. "in (0, 1]").
  public var allowed: String
  /// Whether a value is allowed.
  public var isValid: @Sendable (Double) -> Bool

  /// A parameter from its parts.
  public init(
    name: String, symbol: String, defaultValue: Double, allowed: String, isValid: @escaping @Sendable (Double) -> Bool
  ) {
    self.name = name
    self.symbol = symbol
    self.defaultValue = defaultValue
    self.allowed = allowed
    self.isValid = isValid
  }
}

/// The per-token quantities of one minibatch update that controls inspect
/// and change. Index i runs over the minibatch's tokens.
public struct MinibatchTerms: Sendable {
  /// The tokens of this minibatch.
  public var tokens: [SampledToken]
  /// log π_θ(a_i|s_i) under the current (partly updated) policy.
  public var logProbs: [Double]
  /// ℓ_i = log π_θ − log π_old.
  public var logRatios: [Double]
  /// ρ_i = exp(ℓ_i).
  public var ratios: [Double]
  /// The centred cross-product (A_i − mean A)·(log π_i − mean log π) over
  /// the minibatch (paper Eq. 10), centred across all its states.
  public var covariances: [Double]
  /// The PPO clip range (ε_low, ε_high); nil means no PPO clipping.
  public var clipRange: (low: Double, high: Double)?
  /// Whether token i's PPO term is clipped (L2 > L1: zero gradient).
  public var ppoClipped: [Bool]
  /// ∂loss_i/∂log π_i before the token-mean: −A·ρ, or 0 when clipped.
  public var lossGradient: [Double]
  /// Tokens a control treated, by control name (e.g. "clipcov": [3, 7]).
  public var chosen: [String: [Int]] = [:]
  /// Candidates a control considered, by control name.
  public var candidates: [String: Int] = [:]
  /// Whether verl's dual-clip zeroed token i's gradient (empty when off).
  public var dualClipped: [Bool] = []

  /// The number of tokens of this loss call (the token-mean denominator).
  public var count: Int { tokens.count }
}

/// An entropy control: a change to the PPO loss of each minibatch.
///
/// Controls are one abstraction: each is a type conforming to this
/// protocol plus one row in `EntropyControls.all`; the shell's toggle
/// command, its help and the `compare` settings are generated from it.
public protocol EntropyControl: Sendable {
  /// The shell name (`clipcov`).
  static var name: String { get }
  /// One line for help: what it does and where it comes from.
  static var summary: String { get }
  /// Its settings with the paper's defaults.
  static var parameters: [ControlParameter] { get }
  /// A control with these values (one per parameter, in order).
  init(values: [Double])

  /// Adjusts the PPO clip range before the loss terms are built.
  func adjustClip(_ range: inout (low: Double, high: Double)?)
  /// Changes the minibatch's loss gradients (selects tokens, zeroes or
  /// penalises them), drawing randomness from `generator`.
  func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64)
  /// An extra gradient on the logits of `state`, added per minibatch:
  /// `weight` is (tokens of that state)/|M|; π and H are the state's.
  func extraLogitGradient(probabilities: [Double], entropy: Double, weight: Double) -> [Double]?
}

extension EntropyControl {
  /// No change to the clip range.
  public func adjustClip(_ range: inout (low: Double, high: Double)?) {}
  /// No change to the loss terms.
  public func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64) {}
  /// No extra gradient.
  public func extraLogitGradient(probabilities: [Double], entropy: Double, weight: Double) -> [Double]? { nil }
}

/// The registry of entropy controls, in the order they are listed and
/// applied. Adding a control is one new file and one entry here.
public enum EntropyControls {
  /// Every control.
  public static let all: [any EntropyControl.Type] = [
    ClipCov.self, KLCov.self, ClipHigher.self, EntropyBonus.self,
  ]

  /// The control called `name`.
  public static func named(_ name: String) -> (any EntropyControl.Type)? {
    all.first { $0.name == name }
  }
}

/// Which controls are on and their values: a plain value for the session.
public struct ControlSettings: Sendable, Equatable {
  /// Names of the controls that are on, in registry order.
  public private(set) var enabled: [String] = []
  /// Values per control name, one per parameter (defaults until set).
  public private(set) var values: [String: [Double]]

  /// Every control off, at its defaults.
  public init() {
    var v: [String: [Double]] = [:]
    for c in EntropyControls.all { v[c.name] = c.parameters.map(\.defaultValue) }
    values = v
  }

  /// Turns a control on or off.
  public mutating func set(_ name: String, on: Bool) {
    var names = Set(enabled)
    if on { names.insert(name) } else { names.remove(name) }
    enabled = EntropyControls.all.map { $0.name }.filter { names.contains($0) }
  }

  /// Sets one parameter (by index) of a control.
  public mutating func setValue(_ value: Double, control name: String, parameter index: Int) {
    values[name]?[index] = value
  }

  /// Whether a control is on.
  public func isOn(_ name: String) -> Bool { enabled.contains(name) }

  /// The enabled controls, instantiated with their values.
  public var active: [any EntropyControl] {
    enabled.compactMap { name in
      guard let type = EntropyControls.named(name), let v = values[name] else { return nil }
      return type.init(values: v)
    }
  }

  /// Only `name` on (or none for nil), keeping every value: for `compare`.
  public func only(_ name: String?) -> ControlSettings {
    var copy = self
    copy.enabled = name.map { [$0] } ?? []
    return copy
  }
}
