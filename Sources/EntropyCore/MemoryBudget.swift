import Foundation
import Synchronization

/// The session's one memory budget: every buffer whose size the user
/// chooses (a policy, a rollout, a trajectory, checkpoints, a sweep, a
/// rendered table, prose, an input line) is checked against it before it is
/// allocated, and refused with the figure and the way to raise it.
///
/// The limit is half of physical memory unless set (`--memory-limit SIZE`
/// on the executable calls `setLimit(bytes:)`).
///
/// A session keeps several S × K arrays of `Double` (logits, mean rewards,
/// advantages, the next step's Δz, and a snapshot for rollback), so the
/// size check asks for `arraysPerSession` of them to fit.
package enum MemoryBudget {
  /// S × K arrays a session may hold at once.
  package static let arraysPerSession = 6

  /// The configured limit in bytes; 0 means the default.
  private static let configured = Atomic<Int>(0)

  /// The physical memory of this machine in bytes.
  package static var physicalMemory: Double { Double(ProcessInfo.processInfo.physicalMemory) }

  /// The limit in bytes: the one set, else half of physical memory.
  package static var limit: Double {
    let set = configured.load(ordering: .relaxed)
    return set > 0 ? Double(set) : physicalMemory / 2
  }

  /// Whether the limit was set (rather than the default).
  package static var isConfigured: Bool { configured.load(ordering: .relaxed) > 0 }

  /// Sets the limit; nil (or ≤ 0) restores the default.
  package static func setLimit(bytes: Int?) {
    configured.store(max(0, bytes ?? 0), ordering: .relaxed)
  }

  /// Throws unless `arrays` S × K arrays of Double fit in the budget,
  /// besides `held` bytes already in use.
  package static func check(states: Int, arms: Int, arrays: Int = arraysPerSession, held: Double = 0) throws(CoreError)
  {
    guard states >= 1 else { throw .invalidSize(what: "states", value: states) }
    guard arms >= 1 else { throw .invalidSize(what: "arms", value: arms) }
    try check(bytes: Double(states) * Double(arms) * 8 * Double(arrays), held: held)
  }
}
