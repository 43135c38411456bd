/// A notebook or output file that could not be read, parsed or written:
/// plain data, turned into a `LabError` for the shell and into an exit code
/// by the command line.
public struct FileError: Error, Equatable, Sendable {
  /// What went wrong, in the classes the command line's exit codes follow.
  public enum Kind: Sendable, Equatable {
    /// The file could not be read: missing, unreadable, not a regular file, too large.
    case unreadable
    /// The file was read but is not a valid notebook: a parse error, binary data, invalid UTF-8.
    case malformed
    /// The file could not be written.
    case unwritable
  }

  /// What went wrong.
  public var kind: Kind
  /// The file, as given.
  public var path: String
  /// The 1-based line the problem is on, if it is on one.
  public var line: Int?
  /// What was wrong, in words.
  public var problem: String

  /// An error from its parts.
  public init(_ kind: Kind, path: String, line: Int? = nil, problem: String) {
    self.kind = kind
    self.path = path
    self.line = line
    self.problem = problem
  }

  /// `FILE:LINE` (or `FILE` when there is no line).
  public var location: String { line.map { "\(path):\($0)" } ?? path }

  /// The error as the shell reports it: `command: FILE:LINE: problem`.
  public func labError(command: String? = nil) -> LabError {
    LabError(command: command, problem: "\(location): \(problem)")
  }
}
