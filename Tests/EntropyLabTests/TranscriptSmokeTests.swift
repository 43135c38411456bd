import EntropyLab
import Testing

/// A quick end-to-end look at a session's text output.
@Suite struct TranscriptSmokeTests {
  @Test func printsASession() {
    let session = Session(seed: 1)
    let lines = [
      "policy arms 6 states 4", "policy logits 2 0 0 0 0 0", "rewards 0.6 1 0 0 0.2 0.1", "update grpo", "lr 1",
      "step", "tokens top 5", "clipcov on ratio 0.1 low 0.1 high 5", "klcov on", "minibatches 4", "step 2", "tokens top 8",
      "clipcov off", "klcov off", "checkpoint a", "run 40", "plot entropy", "fit", "fit first 0.5", "restore a", "status",
      "compare steps 20 seeds 1..3", "help clipcov",
    ]
    for line in lines {
      guard let cell = session.execute(line) else { continue }
      print("[\(cell.number)]> \(line)\n\(cell.output)")
    }
    #expect(session.cells.count == lines.count)
  }
}
