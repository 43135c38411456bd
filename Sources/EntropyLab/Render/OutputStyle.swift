/// How a session's results are rendered.
public struct OutputStyle: Sendable, Equatable {
  /// One JSON object per result line instead of text.
  public var json: Bool
  /// ANSI colour (only on a terminal, never with NO_COLOR).
  public var color: Bool
  /// Unicode braille/block plots; plain ASCII when false.
  public var unicode: Bool

  /// A style; the default is plain text, no colour, ASCII plots.
  public init(json: Bool = false, color: Bool = false, unicode: Bool = false) {
    self.json = json
    self.color = color
    self.unicode = unicode
  }

  /// Plain text for transcripts and tests.
  public static let plain = OutputStyle()
}
