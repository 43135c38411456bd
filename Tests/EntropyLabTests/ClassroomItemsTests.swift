import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// The small items of issue 13: completion offers only what the command
/// accepts next, overwrites say so, `fit` warns about an unreachable
/// ceiling, and a `policy` change starts a new trajectory segment.
@Suite struct ClassroomItemsTests {
  let table = CommandTable.standard

  @Test func completionOffersOnlyWhatTheCommandAcceptsNext() {
    #expect(table.completions(lineBeforeWord: "policy ", word: "") == ["arms", "logits", "probs", "random"])
    #expect(table.completions(lineBeforeWord: "policy arms ", word: "").isEmpty)
    #expect(table.completions(lineBeforeWord: "policy arms 4 ", word: "") == ["states"])
    #expect(table.completions(lineBeforeWord: "policy arms 4 states ", word: "").isEmpty)
    #expect(table.completions(lineBeforeWord: "policy logits 1 2 ", word: "") == ["state"])
    #expect(table.completions(lineBeforeWord: "policy random ", word: "") == ["scale"])
    #expect(table.completions(lineBeforeWord: "show ", word: "") == ["last", "state", "top", "all"])
    #expect(table.completions(lineBeforeWord: "show state 1 ", word: "") == ["top", "all"])
    #expect(table.completions(lineBeforeWord: "show top ", word: "").isEmpty)
    // Every word offered after 'policy arms 4' is accepted there.
    for word in table.completions(lineBeforeWord: "policy arms 4 ", word: "") {
      let session = LabHarness.session()
      #expect(session.execute("policy arms 4 \(word) 2")?.error == nil)
    }
    // The rejected ones of before are no longer offered.
    let offered = table.completions(lineBeforeWord: "policy arms 4 ", word: "s")
    #expect(!offered.contains("state") && !offered.contains("scale"))
  }

  @Test func fileCommandsCompleteFileNames() {
    #expect(table.offer(lineBeforeWord: "save ") == .fileName)
    #expect(table.offer(lineBeforeWord: "replay ") == .fileName)
    #expect(table.offer(lineBeforeWord: "load ") == .fileName)
    #expect(table.offer(lineBeforeWord: "export ") == .words(["svg", "html", "csv", "json"]))
    #expect(table.offer(lineBeforeWord: "export svg ") == .fileName)
    #expect(table.offer(lineBeforeWord: "replay a.md --allow-writes ") == .fileName)
    #expect(table.offer(lineBeforeWord: "replay a.md ") == .words(["--trust", "--allow-writes", "--bail"]))
    #expect(table.offer(lineBeforeWord: "step ") == .words([]))
  }

  @Test func overwritingACheckpointOrAFileSaysSo() throws {
    let session = LabHarness.session(["policy arms 4", "rewards 1 0 0 1"])
    #expect(!LabHarness.run(session, "checkpoint a").output.contains("replaced"))
    LabHarness.run(session, "step")
    #expect(
      LabHarness.run(session, "checkpoint a").output.contains(
        "note: replaced the earlier checkpoint 'a' (step 0, H = 1.3862943611)"))
    let folder = FileManager.default.temporaryDirectory.path + "/entropy-lab-items-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect(!LabHarness.run(session, "save \(folder)/n.md").output.contains("replaced"))
    #expect(LabHarness.run(session, "save \(folder)/n.md").output.contains("note: replaced the file that was at"))
  }

  /// Lesson 5's case: a law fitted to an early stretch extrapolates above
  /// any reward the bandit pays.
  @Test func fitWarnsWhenItsCeilingIsOutOfReach() throws {
    let session = LabHarness.session(["policy arms 4", "rewards 1 0 0 0.2", "lr 0.5", "step 12"], json: true)
    let objects = LabHarness.json(LabHarness.run(session, "fit").output)
    let fit = try #require(objects.first)
    let ceiling = try #require(LabHarness.number(fit["ceiling"]))
    let warned = objects.contains {
      ($0["warning"] as? String)?.contains("is above the largest expected reward") == true
    }
    // The warning appears exactly when the ceiling exceeds max μ = 1.
    #expect(warned == (ceiling > 1))
    let capped = LabHarness.session(["policy arms 4", "rewards 0.5 0 0 0.1", "lr 0.5", "step 200"], json: true)
    let objects2 = LabHarness.json(LabHarness.run(capped, "fit").output)
    let ceiling2 = try #require(LabHarness.number(objects2.first?["ceiling"]))
    let warned2 = objects2.contains { $0["warning"] != nil }
    #expect(warned2 == (ceiling2 > 0.5))
    #expect(warned || warned2, "neither set-up tested the warning")
  }

  @Test func aPolicyChangeStartsANewSegment() throws {
    let session = LabHarness.session(["policy arms 4", "rewards 1 0 0 1", "step 5"])
    let message = LabHarness.run(session, "policy logits 1 0 0 0").output
    #expect(message.contains("a new trajectory segment starts at step 1"))
    LabHarness.run(session, "step 3")
    let history = LabHarness.run(session, "history").output.split(separator: "\n")
    // Heading, steps 1–3 of the new policy, then the note.
    #expect(history.count == 5)
    #expect(history[1].hasPrefix("   1 "))
    #expect(history.last?.contains("5 earlier steps of other policies not shown") == true)
    // fit and plot use the segment only.
    let fit = LabHarness.json(
      LabHarness.run(
        LabHarness.session(["policy arms 4", "rewards 1 0 0 1", "step 5", "policy random", "step 3"], json: true), "fit"
      ).output)
    #expect(LabHarness.number(fit.first?["points"]) == 3)
    guard case .plot(let plot) = LabHarness.run(session, "plot entropy").reports.first else {
      Issue.record("no plot")
      return
    }
    #expect(plot.series[0].x == [0, 1, 2, 3])
  }
}
