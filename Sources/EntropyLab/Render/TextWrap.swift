/// Wraps text to a width at spaces: each line longer than the width is
/// broken before the last word that fits, and its continuation lines are
/// indented two columns deeper than it (so a wrapped message, note or help
/// line reads as one). A word longer than the room is cut.
public enum TextWrap {
  /// The lines of `text` (split at newlines), each at most `width`
  /// characters; no limit when `width` is nil.
  public static func lines(_ text: String, width: Int?) -> [String] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let width else { return lines }
    return lines.flatMap { wrap($0, width: width) }
  }

  /// One line wrapped to `width`.
  static func wrap(_ line: String, width: Int) -> [String] {
    guard line.count > width else { return [line] }
    let indent = String(repeating: " ", count: hang(line, width: width))
    var out: [String] = []
    var rest = Substring(line)
    var prefix = ""
    while prefix.count + rest.count > width {
      let room = width - prefix.count
      let window = rest.prefix(room + 1)
      // The last space within the room (not the indentation itself).
      var cut: Substring.Index?
      var index = window.endIndex
      while index > window.startIndex {
        index = window.index(before: index)
        if window[index] == " " && window[window.startIndex..<index].contains(where: { $0 != " " }) {
          cut = index
          break
        }
      }
      let head: Substring
      if let cut {
        head = rest[rest.startIndex..<cut]
        rest = rest[cut...].drop { $0 == " " }
      } else {
        head = rest.prefix(room)
        rest = rest.dropFirst(room)
      }
      out.append(prefix + trimmedRight(head))
      prefix = indent
      if rest.isEmpty { break }
    }
    if !rest.isEmpty { out.append(prefix + rest) }
    return out
  }

  /// Where a wrapped line's continuations start: under the text after
  /// the line's first gap of two or more spaces (a help line's summary,
  /// `usage  summary`), else as deep as a deeply indented line (≥ 4
  /// spaces: a summary on its own line), else two columns deeper than the
  /// line; never past half the width.
  static func hang(_ line: String, width: Int) -> Int {
    let chars = Array(line)
    let lead = chars.prefix { $0 == " " }.count
    var i = lead
    while i + 1 < chars.count {
      if chars[i] == " " && chars[i + 1] == " " {
        var j = i
        while j < chars.count && chars[j] == " " { j += 1 }
        if j < chars.count && j <= width / 2 { return j }
        break
      }
      i += 1
    }
    return min(lead >= 4 ? lead : lead + 2, width / 2)
  }

  static func trimmedRight(_ s: Substring) -> String {
    var t = String(s)
    while t.hasSuffix(" ") { t.removeLast() }
    return t
  }
}
