/// Untrusted text made safe to show at a terminal: every control character
/// that a terminal could act on is replaced by a visible escape, so a
/// notebook cell, a file name or a typed word can print what it says but
/// never move the cursor, clear the screen, set the window title or write
/// the clipboard (OSC 52).
///
/// The visible forms (one scheme, C-style, documented in the README):
/// - ESC (U+001B) → `\e`, the start of every escape sequence;
/// - any other C0 control (U+0000–U+001F: NUL, BEL, BS, CR, …) and DEL
///   (U+007F) → `\xNN`, two hex digits, e.g. `\x07`, `\x00`;
/// - the C1 controls (U+0080–U+009F, e.g. the 8-bit CSI U+009B) and the
///   bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069),
///   which reorder what a reader sees → `\u{9B}`, `\u{202E}`.
///
/// Kept as they are: tab, newline, and a carriage return directly before a
/// newline (a Windows line end). A backslash is not escaped: the visible
/// form is for reading, not a reversible encoding. JSON output does not go
/// through this (`JSONValue` escapes control characters itself).
public enum TerminalText {
  /// `text` with its control characters made visible.
  public static func visible(_ text: String) -> String {
    guard text.utf8.contains(where: mayNeedEscape) else { return text }
    var result = ""
    result.reserveCapacity(text.utf8.count + 16)
    let scalars = Array(text.unicodeScalars)
    for (index, scalar) in scalars.enumerated() {
      let value = scalar.value
      switch value {
      case 0x09, 0x0A:
        result.unicodeScalars.append(scalar)
      case 0x0D where index + 1 < scalars.count && scalars[index + 1].value == 0x0A:
        result.unicodeScalars.append(scalar)
      case 0x1B:
        result += "\\e"
      case 0x00...0x1F, 0x7F:
        result += "\\x" + hex(value, digits: 2)
      case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069:
        result += "\\u{" + hex(value, digits: 2) + "}"
      default:
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// Whether `text` has a character `visible` would change.
  public static func needsEscaping(_ text: String) -> Bool { visible(text) != text }

  /// A UTF-8 byte that may start something to escape: a C0 control other
  /// than tab and newline, DEL, or the lead byte of U+0080–U+00BF (C1) or
  /// U+2000–U+2FFF (bidirectional controls).
  private static func mayNeedEscape(_ byte: UInt8) -> Bool {
    (byte < 0x20 && byte != 0x09 && byte != 0x0A) || byte == 0x7F || byte == 0xC2 || byte == 0xE2
  }

  private static func hex(_ value: UInt32, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
  }
}
