/// A notebook: a Markdown file of prose and fenced `lab` blocks whose cells
/// hold a command line and its recorded output.
///
/// ```markdown
/// ---
/// entropy-lab: 0.1.0
/// seed: 0
/// tolerance: printed
/// ---
///
/// Prose for the reader.
///
/// ```lab
/// [1]> policy arms 4
/// policy: 1 state × 4 arms, all logits 0 (uniform); H = 1.3862943611 = log 4
/// [2]> step 3   #tolerance 1e-6
/// …
/// ```
/// ```
///
/// The parsed form keeps the file's lines, so `--accept` can rewrite the
/// recorded outputs in place and leave everything else byte for byte.
public struct Notebook: Sendable, Equatable {
  /// The file, as given (used in `FILE:LINE` messages).
  public var path: String
  /// The front matter, if the file has one.
  public var header: NotebookHeader?
  /// The cells of every `lab` block, in file order.
  public var cells: [NotebookCell]
  /// The prose outside the front matter and the `lab` blocks, in file
  /// order, each piece placed before the cell it precedes.
  public var prose: [NotebookProse] = []
  /// The file's lines without their line ends.
  public var lines: [String]
  /// `"\n"`, or `"\r\n"` for a file written with Windows line ends.
  public var lineEnding: String
  /// Whether the last line ends with a line end.
  public var endsWithNewline: Bool

  /// The tolerance of `cell`: its own, else the header's, else `printed`.
  public func tolerance(for cell: NotebookCell) -> Tolerance {
    cell.tolerance ?? header?.tolerance ?? .printed
  }
}

/// A piece of a notebook's prose: the Markdown between two `lab` blocks
/// (or before the first, or after the last).
public struct NotebookProse: Sendable, Equatable {
  /// The index in `Notebook.cells` of the cell it comes before
  /// (`cells.count` for prose after the last cell).
  public var beforeCell: Int
  /// The Markdown, blank lines at either end dropped.
  public var text: String
}

/// A notebook's front matter: `key: value` lines between `---` lines at the
/// top of the file.
///
/// | key           | value                                                   |
/// |---------------|---------------------------------------------------------|
/// | `entropy-lab` | the version that recorded the outputs                   |
/// | `seed`        | the session's starting seed, a whole number ≥ 0          |
/// | `tolerance`   | `printed` (default), `exact`, `T`, `abs T` or `rel T`    |
/// | `title`       | free text, for Markdown renderers                       |
///
/// Blank lines and lines starting with `#` are ignored; any other key is
/// an error, so a misspelt key is never silently dropped.
public struct NotebookHeader: Sendable, Equatable {
  /// The version of EntropyLab that recorded the outputs.
  public var version: String?
  /// The seed the recorded session started with.
  public var seed: UInt64?
  /// The numeric tolerance of every cell without its own.
  public var tolerance: Tolerance?
  /// A title for Markdown renderers.
  public var title: String?
  /// The 0-based index in `Notebook.lines` of the `entropy-lab:` line.
  public var versionLineIndex: Int?

  /// A header from its parts.
  public init(version: String? = nil, seed: UInt64? = nil, tolerance: Tolerance? = nil, title: String? = nil) {
    self.version = version
    self.seed = seed
    self.tolerance = tolerance
    self.title = title
  }

  /// The keys a header may hold.
  public static let keys = ["entropy-lab", "seed", "tolerance", "title"]
}

/// One cell of a notebook: a command line after a prompt marker and the
/// output recorded under it.
public struct NotebookCell: Sendable, Equatable {
  /// The command line after the prompt, exactly as written (comments too).
  public var command: String
  /// The `n` of a `[n]>` prompt; nil for a bare `>` prompt.
  public var number: Int?
  /// The 1-based line of the command.
  public var line: Int
  /// The recorded output lines (unescaped), trailing blank lines dropped.
  public var output: [String]
  /// Where the recorded output lies in `Notebook.lines` (0-based, half
  /// open); empty, just after the command line, when nothing was recorded.
  public var outputRange: Range<Int>
  /// The cell's own tolerance (`#tolerance …` on its command line).
  public var tolerance: Tolerance?

  /// The recorded output with the 1-based file line of each line.
  public var numberedOutput: [(line: Int, text: String)] {
    output.enumerated().map { (outputRange.lowerBound + $0.offset + 1, $0.element) }
  }

  /// Whether the recorded output is an error message.
  public var recordedError: Bool {
    output.first { !$0.allSatisfy(\.isWhitespace) }?.hasPrefix("error:") ?? false
  }
}
