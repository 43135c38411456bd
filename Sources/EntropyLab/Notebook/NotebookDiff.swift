/// Compares the recorded outputs of two notebooks cell by cell, by
/// `replay --check`'s rules (`OutputComparer`: words exactly, numbers within
/// the expected notebook's tolerance for the cell), without running either:
/// `entropy-lab diff EXPECTED ACTUAL`.
///
/// Its use: a notebook run elsewhere — through the Jupyter kernel, then
/// converted back from `.ipynb` — checked against the lesson it came from.
/// The cells are paired in order; their commands must be the same (blanks
/// at either end aside), and a cell missing from either side is a mismatch.
/// Mismatches are placed in EXPECTED (`FILE:LINE`).
public enum NotebookDiff {
  /// What a comparison found.
  public struct Outcome: Sendable, Equatable {
    /// The cells compared (the longer notebook's count).
    public var cells: Int
    /// The cells with at least one mismatch (or missing on one side).
    public var failed: Int
    /// Every mismatch, in order.
    public var mismatches: [Mismatch]

    /// Whether the two notebooks agree.
    public var succeeded: Bool { failed == 0 }

    /// One line: `EXPECTED vs ACTUAL: n cells: p passed, f failed`.
    public func summary(expected: String, actual: String) -> String {
      let noun = cells == 1 ? "cell" : "cells"
      return "\(expected) vs \(actual): \(cells) \(noun): \(cells - failed) passed, \(failed) failed"
        + (succeeded ? "" : " (FAIL)")
    }
  }

  /// Compares `actual`'s recorded outputs with `expected`'s.
  public static func compare(expected: Notebook, actual: Notebook) -> Outcome {
    var outcome = Outcome(cells: max(expected.cells.count, actual.cells.count), failed: 0, mismatches: [])
    for index in 0..<outcome.cells {
      var found: [Mismatch] = []
      if index >= actual.cells.count {
        let cell = expected.cells[index]
        found.append(
          Mismatch(
            kind: .notRun(reason: "\(actual.path) has no cell \(index + 1) ('\(cell.command)')"), path: expected.path,
            line: cell.line))
      } else if index >= expected.cells.count {
        let cell = actual.cells[index]
        found.append(
          Mismatch(
            kind: .extraOutput(got: cell.command), path: expected.path, line: expected.lines.count,
            gotLine: "\(actual.path):\(cell.line)> \(cell.command)"))
      } else {
        let want = expected.cells[index]
        let got = actual.cells[index]
        let wantCommand = NotebookParser.trim(want.command)
        let gotCommand = NotebookParser.trim(got.command)
        if wantCommand != gotCommand {
          found.append(
            Mismatch(
              kind: .word(expected: wantCommand, got: gotCommand), path: expected.path, line: want.line,
              expectedLine: "> " + wantCommand, gotLine: "> " + gotCommand))
        } else {
          found += OutputComparer.compare(
            expected: want.numberedOutput, got: got.output.joined(separator: "\n"),
            tolerance: expected.tolerance(for: want), path: expected.path, anchor: want.line)
        }
      }
      if !found.isEmpty { outcome.failed += 1 }
      outcome.mismatches += found
    }
    return outcome
  }
}
