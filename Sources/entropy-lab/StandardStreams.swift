#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  @preconcurrency import Darwin
#endif

/// The C standard streams. The C library exports them as mutable globals,
/// which Swift 6 counts as shared mutable state; the shell reads and writes
/// them from its one thread only, so this is the one place that says so.
///
/// It also owns the rule for a failed write: the program ends with exit
/// status 74 (EX_IOERR) and one message on standard error, whichever
/// command wrote (`installExitCheck()` covers the commands that `print`).
enum StandardStreams {
  /// `stdin`.
  static var input: UnsafeMutablePointer<FILE> { stdin }
  /// `stdout`.
  static var output: UnsafeMutablePointer<FILE> { stdout }
  /// `stderr`.
  static var error: UnsafeMutablePointer<FILE> { stderr }

  /// EX_IOERR from sysexits.h: an output (or input) could not be written (read).
  static let ioErrorStatus: Int32 = 74

  /// Whether the failure of standard output was already reported (so the
  /// exit check does not report it twice). Only the main thread writes it.
  nonisolated(unsafe) private static var failureReported = false
  /// The first failure of a write to standard output (`errno`), if any.
  nonisolated(unsafe) private static var outputFailure: Int32?

  /// Records that a write to standard output failed with `code` (EPIPE: the
  /// reader closed, which the exit check then leaves quiet).
  static func noteOutputFailure(_ code: Int32) {
    if outputFailure == nil { outputFailure = code }
  }

  /// Writes `text` to standard error (descriptor 2, unbuffered, retrying
  /// after signals and short writes).
  ///
  /// - Returns: false when it could not be written.
  @discardableResult
  static func writeError(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { buffer in
        buffer.baseAddress.map { write(STDERR_FILENO, $0 + offset, bytes.count - offset) } ?? -1
      }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return false }
      offset += n
    }
    return true
  }

  /// The one message for a failed write to standard output.
  static func reportOutputFailure(_ code: Int32) {
    guard !failureReported else { return }
    failureReported = true
    writeError("entropy-lab: cannot write to standard output: \(String(cString: strerror(code)))\n")
  }

  /// Checks, when the program exits, that everything written to standard
  /// output with `print` reached it; if not (a full disk, `> /dev/full`),
  /// reports it once and exits with status 74 instead of 0. A closed reader
  /// (EPIPE) stays quiet.
  static func installExitCheck() {
    atexit {
      StandardStreams.checkOutputAtExit()
    }
  }

  private static func checkOutputAtExit() {
    errno = 0
    let flushed = fflush(stdout) == 0
    let code = flushed ? 0 : errno
    if let noted = outputFailure {
      // Already seen by the shell: a closed reader stays quiet, anything
      // else was reported and ends with 74.
      if noted == EPIPE { return }
      reportOutputFailure(noted)
      _exit(ioErrorStatus)
    }
    guard !flushed || ferror(stdout) != 0 else { return }
    if code == EPIPE { return }
    reportOutputFailure(code == 0 ? EIO : code)
    _exit(ioErrorStatus)
  }
}
