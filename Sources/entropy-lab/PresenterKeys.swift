import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The presenter's keyboard: single keys at a terminal (no Enter needed,
/// nothing echoed), one line per key from a pipe.
///
/// At a terminal, standard input is switched out of canonical mode and
/// echo for the presentation and restored by `restore()`. Signals stay on:
/// Ctrl-C sets the `Interruption` flag (stopping a long cell), and while
/// waiting for a key the wait polls that flag, so Ctrl-C there quits.
final class PresenterKeys {
  /// What a key asks for.
  enum Key {
    /// Run the next cell (Enter, space, n, →, ↓), or turn to the next section.
    case next
    /// Step back one cell (b, p, ←, ↑).
    case back
    /// Leave (q, Ctrl-D, Ctrl-C, end of input).
    case quit
    /// Anything else.
    case other
  }

  /// Whether standard input is a terminal.
  let isTerminal: Bool
  /// The terminal's settings before the presentation.
  private var saved = termios()

  /// Switches a terminal to single keys.
  init() {
    isTerminal = isatty(STDIN_FILENO) != 0
    guard isTerminal, tcgetattr(STDIN_FILENO, &saved) == 0 else { return }
    var raw = saved
    raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
    withUnsafeMutableBytes(of: &raw.c_cc) { cc in
      cc[Int(VMIN)] = 1
      cc[Int(VTIME)] = 0
    }
    tcsetattr(STDIN_FILENO, TCSANOW, &raw)
  }

  /// Puts the terminal back as it was.
  func restore() {
    guard isTerminal else { return }
    tcsetattr(STDIN_FILENO, TCSANOW, &saved)
  }

  /// Waits for the next key.
  func next() -> Key {
    guard isTerminal else {
      guard let line = readLine(strippingNewline: true) else { return .quit }
      return PresenterKeys.key(line.trimmingWhitespace.first.map { UInt8($0.asciiValue ?? 0) } ?? 0x0D)
    }
    _ = Interruption.consume()
    while true {
      if Interruption.consume() || Interrupt.isEnding { return .quit }
      var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
      let ready = poll(&descriptor, 1, 100)
      if ready < 0 && errno == EINTR { continue }
      if ready <= 0 { continue }
      guard let byte = readByte() else { return .quit }
      if byte == 0x1B { return escapeSequence() }
      return PresenterKeys.key(byte)
    }
  }

  /// The key of one byte.
  static func key(_ byte: UInt8) -> Key {
    switch byte {
    case 0x0D, 0x0A, 0x20, UInt8(ascii: "n"), UInt8(ascii: "j"): return .next
    case UInt8(ascii: "b"), UInt8(ascii: "p"), UInt8(ascii: "k"), 0x7F, 0x08: return .back
    case UInt8(ascii: "q"), UInt8(ascii: "Q"), 0x04, 0x03: return .quit
    default: return .other
    }
  }

  /// An arrow key (`ESC [ A`…`D`), read within 50 ms of the escape.
  private func escapeSequence() -> Key {
    var bytes: [UInt8] = []
    while bytes.count < 2 {
      var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, 50) > 0, let byte = readByte() else { break }
      bytes.append(byte)
    }
    guard bytes.count == 2, bytes[0] == UInt8(ascii: "[") || bytes[0] == UInt8(ascii: "O") else { return .other }
    switch bytes[1] {
    case UInt8(ascii: "B"), UInt8(ascii: "C"): return .next
    case UInt8(ascii: "A"), UInt8(ascii: "D"): return .back
    default: return .other
    }
  }

  private func readByte() -> UInt8? {
    var byte: UInt8 = 0
    while true {
      let n = read(STDIN_FILENO, &byte, 1)
      if n == 1 { return byte }
      if n < 0 && errno == EINTR { continue }
      return nil
    }
  }
}

extension String {
  /// The string without leading and trailing spaces and tabs.
  fileprivate var trimmingWhitespace: Substring {
    self.drop { $0 == " " || $0 == "\t" }
  }
}
