import Foundation

/// The notebooks `entropy-lab bench parse` times and the scaling test
/// parses: one `lab` cell with N recorded output lines (issue 11: 50,000
/// lines took 7.7 s, 200,000 took 132 s, quadratic), and the same block
/// left unclosed (refused, which took 8.7 s at 50,000 lines).
public enum ParseBenchmark {
  /// A notebook whose one cell has `lines` output lines.
  public static func notebook(outputLines lines: Int, closed: Bool = true) -> String {
    var text = "---\nentropy-lab: 0.1\nseed: 0\n---\n\n```lab\n> history\n"
    text.reserveCapacity(text.utf8.count + lines * 24 + 8)
    for i in 0..<lines { text += "    \(i)  1.386294  0.000000\n" }
    if closed { text += "```\n" }
    return text
  }

  /// Seconds to parse `text` (the best of `repeats`, to drop noise from
  /// other processes), and the number of cells and output lines read.
  public static func time(_ text: String, repeats: Int = 3) -> (seconds: Double, outputLines: Int) {
    var best = Double.infinity
    var outputLines = 0
    for _ in 0..<max(1, repeats) {
      let start = DispatchTime.now().uptimeNanoseconds
      let notebook = try? NotebookParser.parse(text, path: "bench.md")
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      outputLines = notebook?.cells.reduce(0) { $0 + $1.output.count } ?? 0
      best = min(best, seconds)
    }
    return (best, outputLines)
  }
}
