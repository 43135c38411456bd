/// Escaping of text for XML, XHTML and SVG: the one place where user text
/// (titles, series names, commands, outputs, prose) becomes markup.
///
/// Edge cases: characters XML 1.0 forbids (C0 controls other than tab,
/// newline and carriage return, U+FFFE, U+FFFF) become U+FFFD, so the
/// result always parses.
enum XMLText {
  /// `text` escaped for element content: `&`, `<` and `>`.
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      default: out.unicodeScalars.append(allowed(scalar))
      }
    }
    return out
  }

  /// `text` escaped for a double-quoted attribute value: also `"`, and
  /// tab and line breaks as character references so they survive
  /// attribute-value normalisation.
  static func attribute(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "\n": out += "&#10;"
      case "\r": out += "&#13;"
      case "\t": out += "&#9;"
      default: out.unicodeScalars.append(allowed(scalar))
      }
    }
    return out
  }

  /// `scalar`, or U+FFFD when XML 1.0 does not allow it.
  private static func allowed(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
    let v = scalar.value
    if v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D { return "\u{FFFD}" }
    if v == 0xFFFE || v == 0xFFFF { return "\u{FFFD}" }
    return scalar
  }
}
