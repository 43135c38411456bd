import EntropyLab

/// The session as it was before one line ran, for the page's Undo and the
/// lesson's Back (the presenter's mechanism: `Session.snapshot()` before a
/// cell, `Session.restore(_:)` to step back).
struct UndoEntry: Sendable {
  /// The session before the line.
  var snapshot: Session.Snapshot
  /// The lesson's position before the line (0 without a lesson).
  var lessonIndex: Int
  /// Whether the line was the lesson's next cell (Next), which Back undoes.
  var isLessonCell: Bool
  /// The snapshot's state in bytes, estimated (`LabState.heldBytes`), so
  /// that Undo at vocabulary scale does not hold dozens of policies.
  var bytes: Double
}
