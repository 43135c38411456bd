import EntropyCore
import Foundation

/// Why a command failed: plain data, rendered in one place
/// (`LabError.message`).
///
/// A failed command leaves the session exactly as it was.
public struct LabError: Error, Equatable, Sendable {
  /// The command that failed (its full name), if known.
  public var command: String?
  /// The word the user typed that was wrong, if any.
  public var word: String?
  /// What was wrong, in words.
  public var problem: String
  /// The expected form (a usage line), if helpful.
  public var expected: String?

  /// An error from its parts.
  public init(command: String? = nil, word: String? = nil, problem: String, expected: String? = nil) {
    self.command = command
    self.word = word
    self.problem = problem
    self.expected = expected
  }

  /// The one-line message: `command: 'word' problem`.
  public var message: String {
    var text = ""
    if let command { text += "\(command): " }
    if let word { text += "'\(word)' " }
    text += problem
    return text
  }
}

extension LabError {
  /// The shell's wording of a core refusal.
  init(_ error: CoreError, command: String, expected: String? = nil) {
    self.init(command: command, problem: LabError.describe(error), expected: expected)
  }

  /// Words for each `CoreError`.
  static func describe(_ error: CoreError) -> String {
    switch error {
    case .invalidSize(let what, let value):
      return "\(what) must be at least 1 (got \(value))"
    case .tooLarge(let needed, let available):
      return "that size needs \(formatBytes(needed)) of memory, more than the \(formatBytes(available)) allowed "
        + "(\(budgetOrigin)); choose fewer states or arms"
    case .shapeMismatch(let expected, let got):
      return "expected \(expected) value\(expected == 1 ? "" : "s") (one per arm), got \(got)"
    case .invalidLogit(let index, let value):
      return "logit \(index + 1) is \(value); logits must be finite numbers or -inf"
    case .noFiniteLogit:
      return "at least one logit must be finite (a state needs an arm with π > 0)"
    case .invalidProbabilities(let why):
      return "invalid probabilities: \(why)"
    case .nonFinite(let what):
      return "every \(what) must be a finite number"
    case .nonFiniteUpdate:
      return "the step's logit change is not finite (overflow); lower the learning rate"
    case .rewardOutOfRange(let s, let a, let value):
      return "Bernoulli rewards need every mean reward in [0, 1], but μ(state \(s), arm \(a)) = "
        + NumberStyle.setting.format(value) + "; use 'noise gaussian σ' or 'noise none'"
    case .stateOutOfRange(let s, let states):
      return "state \(s) does not exist; states are numbered 0 to \(states - 1)"
    case .invalidControl(let name, let reason):
      return "control '\(name)' cannot be registered: \(reason)"
    }
  }

  /// Where the memory limit comes from and how to change it.
  static var budgetOrigin: String {
    MemoryBudget.isConfigured
      ? "the limit set with --memory-limit" : "half of this machine's memory; raise it with --memory-limit SIZE"
  }

  /// A refusal of something that would not fit in the memory budget:
  /// `what` needs so much, the budget allows so much, and `advice`.
  static func overBudget(_ error: CoreError, command: String, what: String, advice: String) -> LabError {
    guard case .tooLarge(let needed, let available) = error else { return LabError(error, command: command) }
    return LabError(
      command: command,
      problem: "\(what) needs \(formatBytes(needed)) of memory (with what the session already holds), more than "
        + "the \(formatBytes(available)) allowed (\(budgetOrigin)); \(advice)")
  }

  /// Bytes as a human figure: 1.2 GB, 350 MB.
  static func formatBytes(_ bytes: Double) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
    var value = bytes
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    if value >= 1000 { return String(format: "%.2g", bytes) + " B" }  // beyond exabytes
    return String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + units[unit]
  }
}
