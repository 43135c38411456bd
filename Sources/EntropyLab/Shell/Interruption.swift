import Synchronization

/// The Ctrl-C flag: set from a signal handler, polled between the steps of
/// long commands. A lock-free atomic store is async-signal-safe.
public enum Interruption {
  private static let flag = Atomic<Bool>(false)

  /// Records that Ctrl-C was pressed.
  public static func request() {
    flag.store(true, ordering: .relaxed)
  }

  /// Whether Ctrl-C was pressed since the last call; clears the flag.
  public static func consume() -> Bool {
    flag.exchange(false, ordering: .relaxed)
  }

  /// Clears the flag (e.g. before starting a command).
  public static func reset() {
    flag.store(false, ordering: .relaxed)
  }
}
