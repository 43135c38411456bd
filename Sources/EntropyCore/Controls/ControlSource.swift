/// Where a control comes from and how sure EntropyLab is that it
/// implements it as its authors did (spec `literature.md`'s labels).
public struct ControlSource: Sendable, Equatable {
  /// How the method was read.
  public enum Status: String, Sendable, Equatable {
    /// The authors' code or text was read (addresses in `citation`).
    case verified = "VERIFIED"
    /// Only third-party summaries were read: EntropyLab's reading of them.
    case secondary = "SECONDARY"
    /// No primary source: EntropyLab's own reading of the idea.
    case labReading = "EntropyLab's reading"
  }

  /// The paper and code read, with commits or sections.
  public var citation: String
  /// How sure that is.
  public var status: Status

  /// A source from its parts.
  public init(_ citation: String, status: Status) {
    self.citation = citation
    self.status = status
  }

  /// For a control that states none (e.g. one a library user registers).
  public static let unstated = ControlSource("not stated", status: .labReading)

  /// "VERIFIED — citation" or "EntropyLab's reading (SECONDARY) — citation".
  public var line: String {
    switch status {
    case .verified: return "VERIFIED: " + citation
    case .secondary: return "EntropyLab's reading of a secondary source (SECONDARY): " + citation
    case .labReading: return "EntropyLab's reading (no primary source read): " + citation
    }
  }
}
