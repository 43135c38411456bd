/// Notebook prose as HTML for other front ends (the live classroom page of
/// `entropy-lab serve`): the handout's Markdown converter, so raw HTML in
/// the prose is shown as text, never passed through.
public enum ProseHTML {
  /// The XHTML of the Markdown `source` (see `Markdown`).
  public static func html(_ source: String) -> String {
    Markdown.html(source)
  }
}
