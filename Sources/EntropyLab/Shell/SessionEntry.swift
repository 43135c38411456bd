/// One piece of a session's transcript, in the order it happened: a
/// paragraph of prose (`note`, a `# comment` line, or a replayed
/// notebook's prose) or a cell.
///
/// `save` writes the entries as a notebook (prose as Markdown, cells in
/// `lab` blocks) and `export html` as a handout, so prose stays where the
/// teacher wrote it.
public enum SessionEntry: Sendable, Equatable {
  /// Markdown prose.
  case prose(String)
  /// The cell `Session.cells[index]`.
  case cell(index: Int)
}
