/// What replaying one notebook did, cell by cell: plain data, turned into
/// reports by `ReplayOutcome+Reports`.
public struct ReplayOutcome: Sendable {
  /// One notebook cell and what its replay gave.
  public struct Cell: Sendable {
    /// The cell as written in the notebook.
    public var cell: NotebookCell
    /// Whether it was run (false once the replay stopped early).
    public var ran: Bool
    /// The executed cell; nil when not run, or for a blank or comment-only
    /// command (which runs nothing).
    public var result: CellResult?
    /// The regenerated output in plain style ("" when there is none).
    public var output: String
    /// Where the regenerated output differs from the recorded one.
    public var mismatches: [Mismatch]
    /// What the file-access policy refused in this cell (and in notebooks it replayed).
    public var refusals: [FileRefusal]
    /// Whether the cell counts as failed in the replay's mode: in check
    /// mode, any mismatch; otherwise a refusal, or an error the notebook did
    /// not record.
    public var failed: Bool
  }

  /// The notebook replayed.
  public var notebook: Notebook
  /// The options it was replayed with.
  public var options: ReplayOptions
  /// The mode the cells actually ran in.
  public var access: FileAccessPolicy.Mode
  /// A `seed n` cell run first to start from the notebook's seed, if the
  /// session's random stream was not already there.
  public var seedCell: CellResult?
  /// Every cell of the notebook, in order.
  public var cells: [Cell]
  /// Why the replay stopped before the last cell, if it did.
  public var stopReason: String?

  /// Every refusal of the replay, in order.
  public var refusals: [FileRefusal] { cells.flatMap(\.refusals) }
  /// Every mismatch, in order.
  public var mismatches: [Mismatch] { cells.flatMap(\.mismatches) }
  /// Cells that ran and did not fail.
  public var passed: Int { cells.filter { $0.ran && !$0.failed }.count }
  /// Cells that failed.
  public var failed: Int { cells.filter(\.failed).count }
  /// Cells not run because the replay stopped.
  public var notRun: Int { cells.filter { !$0.ran }.count }
  /// Whether the replay succeeded in its mode: no failed cell, and in check
  /// mode every cell was run.
  public var succeeded: Bool { failed == 0 && (options.mode != .check || notRun == 0) }

  /// The notebook with its regenerated outputs (cells not run keep their
  /// recorded ones), and how many cells changed.
  public var regenerated: (text: String, changedCells: Int) {
    var outputs: [Int: String] = [:]
    for (index, cell) in cells.enumerated() where cell.ran { outputs[index] = cell.output }
    return NotebookWriter.rewrite(notebook, outputs: outputs)
  }
}
