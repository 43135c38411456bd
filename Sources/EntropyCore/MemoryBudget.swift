import Foundation

/// Refuses sizes whose buffers would not fit in memory, before allocating.
///
/// A session keeps several S × K arrays of `Double` (logits, mean rewards,
/// advantages, the next step's Δz, and a snapshot for rollback), so the
/// check asks for `arraysPerSession` of them to fit in half of physical
/// memory.
package enum MemoryBudget {
  /// S × K arrays a session may hold at once.
  package static let arraysPerSession = 6

  /// The physical memory of this machine in bytes.
  package static var physicalMemory: Double { Double(ProcessInfo.processInfo.physicalMemory) }

  /// Throws unless `arrays` S × K arrays of Double fit in half of memory.
  package static func check(states: Int, arms: Int, arrays: Int = arraysPerSession) throws(CoreError) {
    guard states >= 1 else { throw .invalidSize(what: "states", value: states) }
    guard arms >= 1 else { throw .invalidSize(what: "arms", value: arms) }
    let needed = Double(states) * Double(arms) * 8 * Double(arrays)
    let available = physicalMemory / 2
    guard needed <= available else { throw .tooLarge(bytesNeeded: needed, bytesAvailable: available) }
  }
}
