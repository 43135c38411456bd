import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes the shell's output to standard output, one flush per cell, and
/// notices when the output fails.
///
/// With SIGPIPE ignored (`Interrupt.ignoreBrokenPipe()`), a closed pipe
/// makes the write fail with EPIPE; `isBroken` then tells the loops to end
/// quietly instead of writing on into nothing. Any other failure (a full
/// disk, `> /dev/full`, an I/O error) is reported once by `reportFailure()`
/// and ends the program with exit status 74 (EX_IOERR).
struct StandardOutput {
  /// The `errno` of the first failed write, if one failed.
  private(set) var failure: Int32?

  /// Whether a write failed (the output is then not written to again).
  var isBroken: Bool { failure != nil }

  /// Whether the failure is only that nobody reads any more (EPIPE): the
  /// run then ends quietly.
  var readerClosed: Bool { failure == EPIPE }

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
    // errno is read inside the closure, right after the failing call: the
    // C string's release afterwards may change it.
    let code: Int32 = text.withCString { bytes in
      errno = 0
      if fputs(bytes, StandardStreams.output) < 0 || fflush(StandardStreams.output) != 0 {
        return errno == 0 ? EIO : errno
      }
      return 0
    }
    guard code == 0 else {
      failure = code
      StandardStreams.noteOutputFailure(code)
      return false
    }
    return true
  }

  /// For a failure other than a closed reader: one message on standard
  /// error, and the exit status 74 (EX_IOERR). Nil when nothing failed or
  /// the reader closed.
  func reportFailure() -> Int32? {
    guard let failure, failure != EPIPE else { return nil }
    StandardStreams.reportOutputFailure(failure)
    return StandardStreams.ioErrorStatus
  }

  /// Writes one line to standard error (warnings, summaries), its control
  /// characters made visible.
  ///
  /// - Returns: false when standard error could not be written.
  @discardableResult
  static func warn(_ text: String) -> Bool {
    StandardStreams.writeError("entropy-lab: " + TerminalText.visible(text) + "\n")
  }
}
