#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How wide the shell's text output may be.
///
/// `--wide` lifts every limit; `--width N` fixes it; otherwise the
/// terminal's width when stdout is a terminal (asked again before every
/// cell, so a resized window is followed), else `$COLUMNS` when set, else
/// no limit: output piped to a file or another program gets whole lines, as
/// `ls -l` does, so a script never sees a row split in two. Notebooks do not
/// depend on any of this: they are recorded and checked at
/// `OutputStyle.notebookWidth` (80).
struct TerminalWidth {
  /// `--width N`, if given.
  var fixed: Int?
  /// `--wide`.
  var wide: Bool
  /// The process's environment (for `COLUMNS`).
  var environment: [String: String]

  /// The width to use now (nil: no limit).
  func current() -> Int? {
    if wide { return nil }
    if let fixed { return fixed }
    return TerminalWidth.terminalColumns() ?? environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
  }

  /// The width of the terminal on stdout, if stdout is one.
  static func terminalColumns() -> Int? {
    var size = winsize()
    guard isatty(STDOUT_FILENO) != 0, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else {
      return nil
    }
    return Int(size.ws_col)
  }
}
