/// One file-touching command that a replay's `FileAccessPolicy` refused:
/// listed at the end of the replay, so a user sees what a notebook tried.
public struct FileRefusal: Sendable, Equatable {
  /// The command refused (`save`, `replay`, `export`).
  public var command: String
  /// The path it asked for, as written in the notebook.
  public var path: String?
  /// The refusal as reported in the cell (`LabError.message`).
  public var reason: String
  /// The notebook cell that asked, as `FILE:LINE`, once known.
  public var location: String?

  /// A refusal from its parts.
  public init(command: String, path: String?, reason: String, location: String? = nil) {
    self.command = command
    self.path = path
    self.reason = reason
    self.location = location
  }
}
