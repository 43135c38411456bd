import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// Output fits the width: every command's text at `--width 80` and
/// `--width 160` has no line longer than the width (issue 13), tables wrap
/// by column priority without losing a number, and notebooks are recorded
/// at a fixed width whatever the session's.
@Suite struct WidthTests {
  /// A session that runs every command of the shell at least once (the
  /// file commands on a temporary folder), with the large outputs: GRPO
  /// step tables, sweeps, comparisons, token lists, help pages.
  static func everyCommand(folder: String) -> [String] {
    var lines = ["help"] + CommandTable.standard.commands.map { "help \($0.name)" }
    lines += [
      "policy arms 4", "policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "show", "predict", "step", "step 3",
      "adv 0.5 -0.5 0 0", "step", "adv exact", "update npg", "step 2", "update pg", "lr 0.2", "run 20", "history",
      "history last 3", "plot entropy", "plot reward", "plot cov", "plot residual", "fit", "fit first 0.5", "status",
      "checkpoint a", "restore a", "seed 3", "policy probs 0.1 0.2 0.3 0.4", "rewards random", "policy random",
      "policy arms 8 states 3", "rewards random", "show", "show state 2", "update grpo", "group 4",
      "noise gaussian 0.5", "noise bernoulli", "filter off", "minibatches 2", "epochs 2", "clip 0.2 0.28",
      "clipcov on", "klcov on", "klcov off", "clipcov off", "cliphigher on", "cliphigher off",
      "entropybonus on", "entropybonus off", "control", "control klcov on coef 0.5",
      "control klcov schedule linear 1 0 over 3", "help control klcov", "control klcov off", "step", "step 2",
      "predict", "show", "tokens",
      "tokens all", "tokens chosen", "tokens top 3", "run 10", "history", "compare steps 3 seeds 1..2",
      "length 2..3", "reward all", "aggregation seq-mean-token-sum", "microbatches 2", "optimizer adamw",
      "gradclip 1", "dualclip 3", "step 2", "tokens responses", "tokens flips", "show last", "history",
      "optimizer sgd", "gradclip off", "dualclip off", "microbatches 1", "aggregation token-mean", "reward mean",
      "length 1", "set lr=0.3 clipcov.on=on", "set clipcov.on=off", "get", "get lr",
      "compare none cliphigher steps 3 seeds 1..2",
      "sweep lr=0.01,0.1 update=pg,npg seeds 1..2 steps 2 show H,R,dH,relerr", "plot sweep",
      "note a paragraph of prose that is long enough to need wrapping at eighty columns when it is echoed",
      "save \(folder)/s.md", "export svg \(folder)/p.svg", "export html \(folder)/h.html",
      "export csv \(folder)/t.csv", "replay \(folder)/s.md", "policy arms 151936", "show", "no-such-command",
      "step x", "policy arms 4 states x",
    ]
    return lines
  }

  @Test(arguments: [80, 160])
  func everyCommandFitsTheWidth(width: Int) throws {
    let folder = FileManager.default.temporaryDirectory.path + "/entropy-lab-width-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let session = Session(seed: 1, style: OutputStyle(width: width), isInterrupted: { false })
    var ran = 0
    for line in Self.everyCommand(folder: folder) {
      guard let cell = session.execute(line) else { continue }
      ran += 1
      for text in cell.output.split(separator: "\n", omittingEmptySubsequences: false) {
        #expect(text.count <= width, "'\(line)' printed \(text.count) columns: \(text)")
      }
    }
    // Every command of the table ran (not only its help).
    let names = Set(
      Self.everyCommand(folder: folder).compactMap { $0.split(separator: " ").first.map(String.init) }
        .compactMap { try? CommandTable.standard.resolve($0).name })
    let missing = CommandTable.standard.commands.map(\.name).filter { !names.contains($0) && $0 != "quit" }
    #expect(missing.isEmpty, "commands not exercised: \(missing)")
    #expect(ran > 80)
  }

  /// The same session without a limit prints lines wider than 80 (so the
  /// test above can fail: it is the width, not the commands, that fits).
  @Test func withoutALimitTheGRPOTableIsWide() {
    let session = LabHarness.session(["policy arms 4", "rewards 1 0 0 1", "update grpo"])
    let widest = LabHarness.run(session, "step").output.split(separator: "\n").map(\.count).max() ?? 0
    #expect(widest > 160)
  }

  /// Wrapping keeps every number: the wrapped table's words are the wide
  /// table's words, in row order.
  @Test func wrappedTablesKeepEveryNumber() {
    let wide = LabHarness.session(["policy arms 4", "rewards 1 0 0 1", "update grpo"])
    let narrow = Session(seed: 0, style: OutputStyle(width: 80), isInterrupted: { false })
    for line in ["policy arms 4", "rewards 1 0 0 1", "update grpo"] { LabHarness.run(narrow, line) }
    let a = LabHarness.run(wide, "step 3").output
    let b = LabHarness.run(narrow, "step 3").output
    func words(_ s: String) -> [String] { s.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init) }
    // Headings may be abbreviated; the numbers must all be there.
    let numbers = { (s: String) in words(s).filter { Double($0) != nil } }
    #expect(numbers(a).sorted() == numbers(b).sorted())
    #expect(numbers(a).count == 3 * 15)
  }

  /// Consecutive `step` tables line up: each column is as wide in every
  /// call, whatever the numbers' signs.
  @Test func stepColumnsAlignAcrossCalls() {
    let session = LabHarness.session(["policy logits 2 0 -1 0.5", "rewards 0 1 0 1", "lr 1"])
    let first = LabHarness.run(session, "step").output.split(separator: "\n")
    for _ in 0..<5 {
      let next = LabHarness.run(session, "step").output.split(separator: "\n")
      #expect(next[0] == first[0])
      #expect(next[1].count == first[1].count)
      // Each column ends in the same place.
      func ends(_ s: Substring) -> [Int] {
        let c = Array(s)
        return c.indices.filter { c[$0] != " " && ($0 + 1 == c.count || c[$0 + 1] == " ") }
      }
      #expect(ends(next[1]) == ends(first[1]))
    }
  }

  /// A notebook saved from a session at 160 columns is byte for byte the
  /// one saved at 80 or with no limit.
  @Test func notebooksAreRecordedAtAFixedWidth() {
    var saved: [String] = []
    for width in [nil, 80, 160] as [Int?] {
      let session = Session(seed: 0, style: OutputStyle(width: width), isInterrupted: { false })
      for line in ["policy arms 4", "rewards 1 0 0 1", "update grpo", "step 2", "help", "plot entropy"] {
        LabHarness.run(session, line)
      }
      saved.append(NotebookWriter.notebook(for: session).text)
    }
    #expect(saved[0] == saved[1])
    #expect(saved[1] == saved[2])
    let widest = saved[0].split(separator: "\n").map(\.count).max() ?? 0
    #expect(widest <= OutputStyle.notebookWidth)
  }

  @Test func wrapBreaksAtSpacesWithAHangingIndent() {
    #expect(TextWrap.lines("aaa bbb ccc", width: 7) == ["aaa bbb", "  ccc"])
    #expect(TextWrap.lines("  usage  summary words here", width: 20) == ["  usage  summary", "         words here"])
    #expect(TextWrap.lines("abcdefghij", width: 4) == ["abcd", "  ef", "  gh", "  ij"])
    #expect(TextWrap.lines("short\nlines", width: nil) == ["short", "lines"])
  }
}
