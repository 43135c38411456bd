/// A notebook as a presenter walks through it (`entropy-lab present`): one
/// slide per cell, each with the prose written just before it, and the
/// prose after the last cell.
///
/// A *section* is a run of cells with no prose between them: the presenter
/// shows a section's prose once, then its cells one by one.
public struct Presentation: Sendable, Equatable {
  /// One cell and the prose just before it.
  public struct Slide: Sendable, Equatable {
    /// The Markdown written before the cell, nil when it follows another
    /// cell directly.
    public var prose: String?
    /// The command line.
    public var command: String
    /// The 1-based line of the command in the notebook.
    public var line: Int
  }

  /// The cells, in order.
  public var slides: [Slide]
  /// The prose after the last cell (or the whole prose of a notebook
  /// without cells).
  public var closing: String?

  /// The slides of `notebook` (the paragraph `save` writes under the
  /// header is left out).
  public init(_ notebook: Notebook) {
    func prose(before index: Int) -> String? {
      let pieces = notebook.prose.filter { $0.beforeCell == index }.compactMap {
        NotebookWriter.withoutSavedIntro($0.text)
      }
      return pieces.isEmpty ? nil : pieces.joined(separator: "\n\n")
    }
    slides = notebook.cells.enumerated().map { index, cell in
      Slide(prose: prose(before: index), command: cell.command, line: cell.line)
    }
    closing = prose(before: notebook.cells.count)
  }

  /// The first cell of the section that holds cell `index`: the nearest
  /// cell at or before it with prose before it (or cell 0).
  public func sectionStart(of index: Int) -> Int {
    var i = min(index, slides.count - 1)
    while i > 0 && slides[i].prose == nil { i -= 1 }
    return max(i, 0)
  }
}
