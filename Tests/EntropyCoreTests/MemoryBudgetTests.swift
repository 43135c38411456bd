import EntropyCore
import Foundation
import Testing

/// `MemoryBudget` refuses sizes whose buffers would not fit, before anything
/// is allocated: `arraysPerSession` S × K arrays of Double must fit in half
/// of physical memory.
@Suite("Memory budget")
struct MemoryBudgetTests {
  @Test("10⁶ × 10⁶ is refused as tooLarge, with the exact byte counts")
  func huge() {
    let error = #expect(throws: CoreError.self) { try MemoryBudget.check(states: 1_000_000, arms: 1_000_000) }
    // 10¹² cells × 8 bytes × 6 arrays = 4.8e13, exact in Double.
    #expect(
      error == .tooLarge(bytesNeeded: 4.8e13, bytesAvailable: Double(ProcessInfo.processInfo.physicalMemory) / 2))
  }

  @Test("Policy refuses a huge size instead of allocating it")
  func policyRefusesBeforeAllocating() {
    // Were these allocated, the process would die, not throw.
    let error = #expect(throws: CoreError.self) { try Policy(states: 1_000_000, arms: 1_000_000) }
    guard case .tooLarge = error else {
      Issue.record("expected tooLarge, got \(String(describing: error))")
      return
    }
  }

  @Test("sizes whose product overflows Int are refused, not trapped")
  func productOverflow() {
    let error = #expect(throws: CoreError.self) { try Policy(states: Int.max, arms: Int.max) }
    guard case .tooLarge = error else {
      Issue.record("expected tooLarge, got \(String(describing: error))")
      return
    }
  }

  @Test("the boundary is exactly half of physical memory")
  func boundary() throws {
    let available = MemoryBudget.physicalMemory / 2
    let perArm = 8.0 * Double(MemoryBudget.arraysPerSession)
    let fits = Int((available / perArm).rounded(.down))
    // Only the check runs here: nothing is allocated.
    try MemoryBudget.check(states: 1, arms: fits)
    #expect(throws: CoreError.tooLarge(bytesNeeded: Double(fits + 1) * perArm, bytesAvailable: available)) {
      try MemoryBudget.check(states: 1, arms: fits + 1)
    }
    // A larger array count shrinks the budget proportionally.
    #expect(throws: CoreError.self) { try MemoryBudget.check(states: 1, arms: fits, arrays: 7) }
  }

  @Test("ordinary sizes pass")
  func ordinary() throws {
    try MemoryBudget.check(states: 64, arms: 16)
    try MemoryBudget.check(states: 1, arms: 151_936)
    let policy = try Policy(states: 64, arms: 16)
    #expect(policy.logits.count == 1024)
  }
}
