import EntropyCore

/// What every line must be before it runs, whichever front end it came
/// from: text of bounded length, and (for a `#tolerance` comment) a comment
/// a notebook can read back, so `save` never writes a notebook that
/// `replay` would reject.
public enum InputLine {
  /// The longest line, in bytes (1 MiB): longer lines are refused, and the
  /// piped reader stops reading a line there (`entropy-lab /dev/zero` must
  /// not grow without bound).
  public static let maxBytes = 1 << 20

  /// Why `line` may not run, or nil.
  ///
  /// - A line over `maxBytes`.
  /// - A NUL byte: a notebook holding it would be refused as binary, and C
  ///   strings would cut the line there; the error names its byte position.
  /// - A `#tolerance` comment whose value is not a tolerance.
  public static func problem(_ line: String, isCommand: Bool = true) -> LabError? {
    let bytes = line.utf8.count
    if bytes > maxBytes {
      return LabError(
        problem: "the line is \(bytes) bytes, more than the \(maxBytes) bytes (1 MiB) a line may have; "
          + "nothing was run")
    }
    if let nul = line.utf8.firstIndex(of: 0) {
      let position = line.utf8.distance(from: line.utf8.startIndex, to: nul) + 1
      return LabError(
        problem: "the line has a NUL byte at byte \(position); lines must be text (nothing was run)")
    }
    if isCommand && line.contains("#") {
      do throws(FileError) {
        _ = try NotebookParser.cellTolerance(line, path: "", line: 0)
      } catch {
        return LabError(problem: error.problem + " (a notebook saved with it could not be replayed)")
      }
    }
    return nil
  }
}
