import Synchronization

/// A Ctrl-C flag: set from a signal handler, polled between the steps of
/// long commands. A lock-free atomic store is async-signal-safe.
public final class InterruptionFlag: Sendable {
  private let flag = Atomic<Bool>(false)

  /// A flag that is not set.
  public init() {}

  /// Records that Ctrl-C was pressed.
  public func request() {
    flag.store(true, ordering: .relaxed)
  }

  /// Whether Ctrl-C was pressed since the last call; clears the flag.
  public func consume() -> Bool {
    flag.exchange(false, ordering: .relaxed)
  }

  /// Clears the flag (e.g. before starting a command).
  public func reset() {
    flag.store(false, ordering: .relaxed)
  }

  /// Whether the flag is set, without clearing it.
  public var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// The process's Ctrl-C flag (an `InterruptionFlag`), shared by the signal
/// handler and every session.
public enum Interruption {
  private static let shared = InterruptionFlag()

  /// Records that Ctrl-C was pressed.
  public static func request() { shared.request() }

  /// Whether Ctrl-C was pressed since the last call; clears the flag.
  public static func consume() -> Bool { shared.consume() }

  /// Clears the flag (e.g. before starting a command).
  public static func reset() { shared.reset() }
}
