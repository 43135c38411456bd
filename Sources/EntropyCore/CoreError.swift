/// Why the core refused an operation. Plain data; the shell renders it.
public enum CoreError: Error, Equatable, Sendable {
  /// A count of states or arms below 1.
  case invalidSize(what: String, value: Int)
  /// Buffers that would not fit: the bytes needed and the bytes available.
  case tooLarge(bytesNeeded: Double, bytesAvailable: Double)
  /// A vector of the wrong length.
  case shapeMismatch(expected: Int, got: Int)
  /// A logit that is NaN or +∞ (index within its row).
  case invalidLogit(index: Int, value: Double)
  /// A state whose logits are all −∞.
  case noFiniteLogit
  /// Probabilities that cannot be normalised.
  case invalidProbabilities(String)
  /// A number that must be finite is not.
  case nonFinite(what: String)
  /// An update whose logit change is not finite.
  case nonFiniteUpdate
  /// A mean reward outside [0, 1] met Bernoulli reward noise.
  case rewardOutOfRange(state: Int, arm: Int, value: Double)
  /// A state index outside 0..<states.
  case stateOutOfRange(Int, states: Int)
  /// A control that cannot be registered (a taken or malformed name, a
  /// parameter or activity key that clashes, a default it does not allow).
  case invalidControl(name: String, reason: String)
}
