import ArgumentParser
import EntropyLab

/// `entropy-lab bench parse`: times the notebook parser on one cell of
/// 100,000 and 1,000,000 recorded output lines (and the same block left
/// unclosed, which is refused), and prints the figures and their ratio.
struct ParseBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "parse",
    abstract: "Time the notebook parser on cells of 100,000 and 1,000,000 output lines (linear time expected).")

  @Option(help: "The cell sizes, in output lines.")
  var lines: [Int] = [100_000, 1_000_000]

  @Option(help: "Runs per size (the best is reported).")
  var repeats = 3

  func validate() throws {
    if lines.isEmpty || lines.contains(where: { $0 < 1 || $0 > 5_000_000 }) {
      throw ValidationError("--lines takes sizes from 1 to 5000000")
    }
    if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
  }

  func run() {
    var previous: (lines: Int, seconds: Double)?
    for n in lines {
      let text = ParseBenchmark.notebook(outputLines: n)
      let (seconds, read) = ParseBenchmark.time(text, repeats: repeats)
      let unclosed = ParseBenchmark.time(ParseBenchmark.notebook(outputLines: n, closed: false), repeats: repeats)
      var line =
        "parse: \(n) output lines (\(text.utf8.count) bytes): \(format(seconds)) s CPU, "
        + "\(format(seconds / Double(n) * 1e9)) ns/line; unclosed block refused in \(format(unclosed.seconds)) s"
      if read != n { line += " (read \(read) lines!)" }
      if let p = previous {
        line += "; ×\(format(Double(n) / Double(p.lines))) lines took ×\(format(seconds / p.seconds)) time"
      }
      print(line)
      previous = (n, seconds)
    }
  }

  private func format(_ x: Double) -> String { NumberStyle.setting.format(x) }
}
