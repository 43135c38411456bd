import EntropyCore

/// What a session holds in memory, estimated from sizes and strides: the
/// figure `MemoryBudget` checks new allocations against, so that memory
/// growing over many cells (checkpoints, `run` after `run`, long notes) is
/// refused too, not only one large request.
extension LabState {
  /// The bytes of one trajectory record (its sampled counts included).
  static let recordBytes = Double(MemoryLayout<StepRecord>.stride + 16)

  /// This state's arrays, trajectory and last tokens.
  public var heldBytes: Double {
    Double(policy.states) * Double(policy.arms) * 8 * Double(MemoryBudget.arraysPerSession)
      + Double(trajectory.count) * LabState.recordBytes
      + Double(lastTokens.count) * Double(MemoryLayout<TokenRecord>.stride)
  }
}

extension Session {
  /// The state, its checkpoints, the cells' outputs, the prose and the last
  /// sweep.
  public var heldBytes: Double {
    state.heldBytes + heldOutsideState
  }

  /// Everything but the working state: what a state command's
  /// `CommandContext.heldBytes` reports.
  var heldOutsideState: Double {
    var bytes = checkpoints.values.reduce(0) { $0 + $1.heldBytes }
    bytes += Double(cellBytes)
    bytes += Double(pendingNoteBytes)
    if let sweep = lastSweep {
      bytes += Double(sweep.runs.reduce(0) { $0 + $1.records.count }) * LabState.recordBytes
    }
    return bytes
  }
}
