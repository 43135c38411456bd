/// Where the shell's lines come from: GNU readline on a terminal, or a
/// piped stream or script file. The front ends differ only in this and in
/// how they decorate output.
protocol LineSource {
  /// The next line without its newline, or nil at the end of input
  /// (Ctrl-D on an empty line, or end of file).
  ///
  /// - Parameter prompt: shown before the line where there is a terminal.
  mutating func nextLine(prompt: String) -> String?

  /// The 1-based number of the line last returned, in its file.
  var lineNumber: Int { get }

  /// Called once when the shell ends (readline saves its history here).
  mutating func finish()
}
