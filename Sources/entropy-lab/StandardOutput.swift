#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes the shell's output to standard output, one flush per cell, and
/// notices when the reader has gone away.
///
/// With SIGPIPE ignored (`Interrupt.ignoreBrokenPipe()`), a closed pipe
/// makes the write fail with EPIPE; `isBroken` then tells the loops to end
/// quietly instead of writing on into nothing.
struct StandardOutput {
  /// Whether a write failed because nobody reads the output any more.
  private(set) var isBroken = false

  /// Writes `text` and a newline, then flushes.
  ///
  /// - Returns: false once the output is broken (EPIPE or another error).
  @discardableResult
  mutating func writeLine(_ text: String) -> Bool {
    write(text + "\n")
  }

  /// Writes `text` as it is, then flushes.
  @discardableResult
  mutating func write(_ text: String) -> Bool {
    guard !isBroken else { return false }
    clearerr(StandardStreams.output)
    if fputs(text, StandardStreams.output) < 0 || fflush(StandardStreams.output) != 0 {
      isBroken = true
      return false
    }
    return true
  }

  /// Writes one line to standard error (warnings, summaries).
  static func warn(_ text: String) {
    fputs("entropy-lab: " + text + "\n", StandardStreams.error)
    fflush(StandardStreams.error)
  }
}
