/// Who typed a line into the shared session: the teacher at the terminal
/// (trusted, as in the shell) or someone on the page (file commands
/// refused unless `serve --allow-writes DIR`, `quit` refused).
public enum LineOrigin: Sendable, Equatable {
  /// The readline shell `serve` keeps in the foreground.
  case terminal
  /// The page: its command box, buttons, sliders and lesson Next.
  case page
}
