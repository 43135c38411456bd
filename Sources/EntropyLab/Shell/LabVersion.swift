/// The version of EntropyLab, recorded in every saved notebook's header so
/// a reader can tell which release produced its outputs.
public enum LabVersion {
  /// The current version, as `major.minor.patch`.
  public static let current = "0.1.0"
}
