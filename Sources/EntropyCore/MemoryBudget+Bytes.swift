extension MemoryBudget {
  /// Throws unless `bytes` fit in half of physical memory (the budget the
  /// size checks use), e.g. a sweep's trajectories and working states.
  package static func check(bytes: Double) throws(CoreError) {
    let available = physicalMemory / 2
    guard bytes <= available else { throw .tooLarge(bytesNeeded: bytes, bytesAvailable: available) }
  }
}
