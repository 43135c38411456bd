/// How a notebook is replayed.
public struct ReplayOptions: Sendable, Equatable {
  /// What the replay does with the recorded outputs.
  public enum Mode: Sendable, Equatable {
    /// Run the cells and show the regenerated outputs.
    case run
    /// Compare each regenerated output with the recorded one.
    case check
    /// Record the regenerated outputs in place of the old ones.
    case accept
  }

  /// What the replay does with the recorded outputs.
  public var mode: Mode
  /// Stop at the first failing cell.
  public var bail: Bool
  /// What the notebook's cells may touch (never more than the session
  /// already allows; see `FileAccessPolicy.restricting(_:)`).
  public var access: FileAccessPolicy.Mode

  /// Options; the default runs the cells in safe mode and does not bail.
  public init(mode: Mode = .run, bail: Bool = false, access: FileAccessPolicy.Mode = .safe(writableFolder: nil)) {
    self.mode = mode
    self.bail = bail
    self.access = access
  }
}
