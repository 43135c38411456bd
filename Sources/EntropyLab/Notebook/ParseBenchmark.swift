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

  /// CPU seconds of this thread to parse `text` (the best of `repeats`),
  /// and the number of output lines read. CPU time, not wall time: on a
  /// busy machine the wall clock mostly measures waiting for a core.
  public static func time(_ text: String, repeats: Int = 3) -> (seconds: Double, outputLines: Int) {
    var best = Double.infinity
    var outputLines = 0
    for _ in 0..<max(1, repeats) {
      let start = threadCPUSeconds()
      let notebook = try? NotebookParser.parse(text, path: "bench.md")
      let seconds = threadCPUSeconds() - start
      outputLines = notebook?.cells.reduce(0) { $0 + $1.output.count } ?? 0
      best = min(best, seconds)
    }
    return (best, outputLines)
  }

  /// The CPU time this thread has used, in seconds.
  public static func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }
}
