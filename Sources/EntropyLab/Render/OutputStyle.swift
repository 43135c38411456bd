/// How a session's results are rendered.
public struct OutputStyle: Sendable, Equatable {
  /// One JSON object per result line instead of text.
  public var json: Bool
  /// ANSI colour (only on a terminal, never with NO_COLOR).
  public var color: Bool
  /// Unicode braille/block plots; plain ASCII when false.
  public var unicode: Bool
  /// The widest a text line may be, in columns (nil: no limit). Tables
  /// wrap their lower-priority columns onto further lines, prose wraps at
  /// spaces and plots take this width (see `TextTable`, `TextWrap`).
  public var width: Int?

  /// A style; the default is plain text, no colour, ASCII plots, no width
  /// limit.
  public init(json: Bool = false, color: Bool = false, unicode: Bool = false, width: Int? = nil) {
    self.json = json
    self.color = color
    self.unicode = unicode
    self.width = width.map { max($0, OutputStyle.narrowest) }
  }

  /// Plain text for transcripts and tests (no width limit).
  public static let plain = OutputStyle()

  /// The width notebooks are recorded and checked at, whatever the
  /// terminal: a notebook's outputs are byte-stable across terminals, and
  /// fit a projector's 80 columns.
  public static let notebookWidth = 80

  /// How notebooks are written and checked: plain text at `notebookWidth`.
  public static let notebook = OutputStyle(width: notebookWidth)

  /// The narrowest width honoured (below it tables could not be laid out).
  public static let narrowest = 40
}
