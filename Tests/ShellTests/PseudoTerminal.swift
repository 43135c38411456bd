import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A program running under a pseudo-terminal, driven like a person at a
/// keyboard: `type` sends keys, `expect` waits (with a deadline) until the
/// screen output contains a text.
///
/// The child is started with `posix_spawn` as the leader of a new session
/// (`POSIX_SPAWN_SETSID`) whose stdin, stdout and stderr are the pty's
/// slave side; opening the slave makes it the controlling terminal, so
/// Ctrl-C typed into the master becomes SIGINT for the child, exactly as at
/// a real terminal. No `fork` happens in this multi-threaded test process.
final class PseudoTerminal {
  /// The master side: what we type into and read the screen from.
  private let master: Int32
  /// The child's process id.
  let pid: pid_t
  /// The bytes read so far, bracketed-paste switches removed.
  private var output: [UInt8] = []
  /// The start of a bracketed-paste switch split between two reads.
  private var carry: [UInt8] = []
  /// Where the next `expect` starts looking: an offset into `output`.
  private var consumed = 0
  /// The exit status, once reaped.
  private var exitStatus: Int32?

  /// Ctrl-C, Ctrl-D, Tab, Enter and Up as a terminal sends them.
  static let ctrlC = "\u{03}"
  static let ctrlD = "\u{04}"
  static let tab = "\t"
  static let enter = "\r"
  static let up = "\u{1B}[A"

  /// Starts `executable` under a new pty of `columns` × `rows`; its
  /// standard output goes to the file `standardOutput` instead when given
  /// (e.g. `/dev/full`: a terminal session whose output fails).
  init(
    executable: String, arguments: [String] = [], environment: [String: String],
    columns: UInt16 = 200, rows: UInt16 = 50, standardOutput: String? = nil
  ) throws {
    var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
    var masterSide: Int32 = -1
    var slaveSide: Int32 = -1
    var name = [CChar](repeating: 0, count: 4096)
    guard openpty(&masterSide, &slaveSide, &name, nil, &size) == 0 else {
      throw PtyError("cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
    }
    master = masterSide
    let slavePath = String(cString: name)
    // Other processes the tests start must not inherit the pty.
    _ = fcntl(masterSide, F_SETFD, FD_CLOEXEC)
    _ = fcntl(slaveSide, F_SETFD, FD_CLOEXEC)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // POSIX_SPAWN_SETSID (0x80, a GNU extension Swift does not see):
    // setsid() in the child before the file actions run. Signals the test
    // runner may ignore or block are reset, as a login shell would have them.
    posix_spawnattr_setflags(&attributes, Int16(0x80 | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGQUIT, SIGPIPE, SIGTSTP, SIGTERM] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    posix_spawnattr_setsigmask(&attributes, &unblocked)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // The child opens the slave by name, which makes it the controlling
    // terminal of its new session, and uses it as stdin, stdout and stderr.
    posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
    if let standardOutput {
      posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY, 0)
    } else {
      posix_spawn_file_actions_adddup2(&actions, 0, 1)
    }
    posix_spawn_file_actions_adddup2(&actions, 0, 2)

    let argv = [executable] + arguments
    let envp = environment.map { "\($0.key)=\($0.value)" }
    var child: pid_t = 0
    let spawned = withCStrings(argv) { argvPointers in
      withCStrings(envp) { envPointers in
        posix_spawn(&child, executable, &actions, &attributes, argvPointers, envPointers)
      }
    }
    close(slaveSide)
    guard spawned == 0 else {
      close(master)
      throw PtyError("posix_spawn failed: \(String(cString: strerror(spawned)))")
    }
    pid = child
  }

  /// Everything the program printed, bracketed-paste switches removed.
  var screen: String { String(decoding: output, as: UTF8.self) }

  /// What was printed since the last match.
  var unmatched: String { String(decoding: output[consumed...], as: UTF8.self) }

  deinit {
    if exitStatus == nil {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
    close(master)
  }

  /// Types `keys`.
  func type(_ keys: String) {
    let bytes = Array(keys.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      offset += n
    }
  }

  /// Waits until the output after the last match contains `text`, and
  /// returns the output up to the end of it.
  ///
  /// - Throws: `PtyError` with the transcript when `timeout` seconds pass.
  @discardableResult
  func expect(_ text: String, timeout: Double = 20) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    let pattern = Array(text.utf8)
    var searchFrom = consumed
    while true {
      if let end = PseudoTerminal.find(pattern, in: output, from: searchFrom) {
        let seen = String(decoding: output[consumed..<end], as: UTF8.self)
        consumed = end
        return seen
      }
      // Only new output can hold the text now.
      searchFrom = max(consumed, output.count - pattern.count + 1)
      let left = deadline.timeIntervalSinceNow
      guard left > 0, readSome(waiting: left) else {
        let why = hasExited() ? "the program ended before printing" : "did not see within \(timeout) s"
        throw PtyError("\(why) \(text.debugDescription); output since the last match:\n" + unmatched.debugDescription)
      }
    }
  }

  /// The end of the first `pattern` in `bytes` at or after `start`.
  private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
    guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
    var i = max(0, start)
    while i + pattern.count <= bytes.count {
      if bytes[i] == first && bytes[i..<(i + pattern.count)].elementsEqual(pattern) { return i + pattern.count }
      i += 1
    }
    return nil
  }

  /// Waits for the child to exit, reading (and keeping) what it prints.
  ///
  /// - Returns: the exit status; a death by signal `n` gives 128 + n.
  func waitForExit(timeout: Double = 20) throws -> Int32 {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      var status: Int32 = 0
      let reaped = waitpid(pid, &status, WNOHANG)
      if reaped == pid {
        while readSome(waiting: 0.05) {}
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = code
        return code
      }
      _ = readSome(waiting: 0.05)
    }
    throw PtyError(
      "the shell did not exit within \(timeout) s; output since the last match:\n" + unmatched.debugDescription)
  }

  /// Whether the child has ended (it is reaped later by `waitForExit`).
  private func hasExited() -> Bool {
    var info = siginfo_t()
    return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info._sifields._sigchld.si_pid == pid
  }

  /// Reads what is there within `waiting` seconds; false if nothing came.
  private func readSome(waiting seconds: Double) -> Bool {
    var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
    let ready = poll(&descriptor, 1, Int32(max(0, min(seconds, 3600)) * 1000))
    guard ready > 0 else { return false }
    var buffer = [UInt8](repeating: 0, count: 65536)
    let n = read(master, &buffer, buffer.count)
    guard n > 0 else { return false }  // EIO once the child has closed the slave
    append(buffer[..<n])
    return true
  }

  /// readline's bracketed-paste switches, which wrap every prompt.
  private static let bracketedPaste = [Array("\u{1B}[?2004h".utf8), Array("\u{1B}[?2004l".utf8)]

  /// Adds `chunk` to `output` without the bracketed-paste switches, holding
  /// back a switch that the next read completes.
  private func append(_ chunk: ArraySlice<UInt8>) {
    var data = carry + chunk
    carry = []
    if let escape = data.lastIndex(of: 0x1B), data.count - escape < 8 {
      let tail = data[escape...]
      if PseudoTerminal.bracketedPaste.contains(where: { $0.starts(with: tail) }) {
        carry = Array(tail)
        data.removeSubrange(escape...)
      }
    }
    var i = 0
    while i < data.count {
      if data[i] == 0x1B && i + 8 <= data.count
        && PseudoTerminal.bracketedPaste.contains(where: { data[i..<(i + 8)].elementsEqual($0) })
      {
        i += 8
        continue
      }
      output.append(data[i])
      i += 1
    }
  }
}

/// A pty step that failed, with what was on the screen.
struct PtyError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Calls `body` with a NULL-terminated C array of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
  let pointers = strings.map { strdup($0) } + [nil]
  defer { for pointer in pointers { free(pointer) } }
  return body(pointers)
}
