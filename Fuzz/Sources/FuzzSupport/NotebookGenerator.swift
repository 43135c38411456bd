/// Turns fuzzer bytes into a notebook that mostly parses: the structure-
/// aware notebook target. Each byte picks what comes next (front matter,
/// prose, a fence, a command from the lessons' vocabulary with numbers
/// that reach the limits, recorded output, a long run of output lines, a
/// nested `replay` or file command with an odd path, raw bytes), so a
/// mutation changes the notebook's shape rather than breaking its syntax.
public enum NotebookGenerator {
  /// Command templates; each `N` takes a number from `numbers`.
  static let commands = [
    "policy arms N", "policy arms N states N", "policy logits N N N N", "policy probs N N N N", "policy random",
    "policy random scale N", "rewards N N N N", "rewards random", "adv N N N N", "adv N N N", "adv exact",
    "update grpo", "update pg", "update npg", "group N", "step", "step N", "run N", "lr N", "seed N", "predict",
    "show", "status", "history", "history last N", "tokens", "tokens top N", "tokens chosen", "plot entropy",
    "plot cov", "plot reward", "plot sweep final relerr vs lr", "fit", "fit first N", "checkpoint a",
    "checkpoint b", "restore a", "clipcov on", "clipcov ratio N low N high N", "klcov on ratio N",
    "klcov coef N", "entropybonus coef N", "minibatches N", "epochs N", "noise gaussian N", "noise none",
    "filter off", "clip N N", "compare steps N seeds 1..N", "compare none klcov steps N seeds 1..N",
    "sweep lr=0.001..10 log N seeds 1..N steps N", "note a line of prose", "note", ".", "help", "help step",
    "stpe", "quit", "step #tolerance N", "step #tolerance banana", "policy arms N #tolerance abs N",
  ]
  /// Numbers that reach the limits and the edge cases.
  static let numbers = [
    "0", "1", "2", "3", "4", "8", "10", "0.5", "0.1", "1e-6", "-1", "100", "1000", "100000", "1000000", "151936",
    "1e308", "1.797e308", "-1.797e308", "nan", "inf", "-inf", "1e-320", "0x10", "1e", "10000000",
  ]
  /// Paths for nested replays and file commands: relative, escaping,
  /// devices, long, quoted, empty.
  static let paths = [
    "x.md", "../x.md", "/dev/zero", "/dev/null", "/etc/passwd", "a/../../b.md", "~/n.md", "\"sp ace.md\"",
    "/proc/self/fd/0", "fuzz.md", ".", "..", String(repeating: "a/", count: 300) + "x.md", "/tmp", "''",
    "nested/deeper/x.md", "/dev/stdout",
  ]
  static let fileCommands = ["replay", "load", "save", "export csv", "export svg", "export html", "replay --check"]
  /// Recorded output lines.
  static let outputs = [
    "policy: 1 state × 4 arms, all logits 0 (uniform); H = 1.386294361 = log 4", "H = 0.5", "error: step: x",
    "  step      H       ΔH", "```", "~~~", "> step", "\\> step", "[1]> step", "", "   ", "note: 1", "1e308",
    "nan", "\u{1B}[2J", "\t", "\\",
  ]

  /// The notebook for `bytes`.
  public static func text(from bytes: [UInt8]) -> String {
    var reader = ByteReader(bytes)
    var lines: [String] = []
    var total = 0
    var newline = "\n"
    if reader.peek == 0xFF { lines.append("\u{FEFF}") }
    while !reader.isAtEnd && lines.count < 300_000 && total < 8 << 20 {
      let op = reader.next() % 14
      switch op {
      case 0:
        lines.append("---")
        lines.append("entropy-lab: 0.1")
        lines.append("seed: \(reader.next())")
        if reader.next() & 1 == 0 { lines.append("tolerance: " + pick(numbers, &reader)) }
        if reader.next() & 3 != 0 { lines.append("---") }
      case 1:
        lines.append("Some prose " + pick(numbers, &reader))
      case 2, 3:
        lines.append(fence(&reader) + (reader.next() & 1 == 0 ? "lab" : "lab extra"))
      case 4:
        lines.append(fence(&reader))
      case 5, 6:
        lines.append(prompt(&reader) + command(&reader))
      case 7:
        lines.append(pick(outputs, &reader))
      case 8:
        // A long run of output lines (issue 11 item 4: quadratic parsing).
        let count = Int(reader.next()) << 8 | Int(reader.next())
        let line = pick(outputs, &reader)
        lines.append(contentsOf: repeatElement(line, count: count))
        total += count * (line.utf8.count + 1)
      case 9:
        lines.append(prompt(&reader) + pick(fileCommands, &reader) + " " + pick(paths, &reader))
      case 10:
        let n = Int(reader.next() % 64)
        lines.append(String(decoding: reader.take(n), as: UTF8.self))
      case 11:
        newline = newline == "\n" ? "\r\n" : "\n"
      case 12:
        lines.append("```python")
        lines.append("> not a command")
        lines.append("```")
      default:
        // A long word or line (typo suggestion, line limits).
        let count = Int(reader.next()) << 8 | Int(reader.next())
        lines.append(prompt(&reader) + String(repeating: "x", count: count))
        total += count
      }
      total += lines.last?.utf8.count ?? 0
    }
    return lines.joined(separator: newline) + (reader.isAtEnd ? newline : "")
  }

  static func pick(_ list: [String], _ reader: inout ByteReader) -> String {
    list[Int(reader.next()) % list.count]
  }

  static func fence(_ reader: inout ByteReader) -> String {
    let b = reader.next()
    return String(repeating: b & 1 == 0 ? "`" : "~", count: 3 + Int(b >> 1) % 3)
  }

  static func prompt(_ reader: inout ByteReader) -> String {
    let b = reader.next()
    return b & 3 == 0 ? "[\(b >> 2)]> " : "> "
  }

  static func command(_ reader: inout ByteReader) -> String {
    let template = pick(commands, &reader)
    var out = ""
    for ch in template {
      if ch == "N" { out += pick(numbers, &reader) } else { out.append(ch) }
    }
    return out
  }
}

/// Bytes read one at a time; zeros once they run out.
struct ByteReader {
  private let bytes: [UInt8]
  private var index = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  var isAtEnd: Bool { index >= bytes.count }
  var peek: UInt8? { isAtEnd ? nil : bytes[index] }

  mutating func next() -> UInt8 {
    guard index < bytes.count else { return 0 }
    defer { index += 1 }
    return bytes[index]
  }

  mutating func take(_ n: Int) -> ArraySlice<UInt8> {
    let end = min(bytes.count, index + n)
    defer { index = end }
    return bytes[index..<end]
  }
}
