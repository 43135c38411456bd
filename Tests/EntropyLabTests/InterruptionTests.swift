import Synchronization
import Testing

@testable import EntropyLab

/// The Ctrl-C flag. Tested on its own instance: the process-wide
/// `Interruption` is polled by every session built with the default
/// `isInterrupted`, so setting it here could stop another test's command.
@Suite struct InterruptionTests {
  @Test func aRequestIsSeenOnceThenCleared() {
    let flag = InterruptionFlag()
    #expect(!flag.consume())
    flag.request()
    #expect(flag.consume())
    #expect(!flag.consume())
    flag.request()
    flag.request()
    #expect(flag.consume())
    #expect(!flag.consume())
  }

  @Test func resetDropsAPendingRequest() {
    let flag = InterruptionFlag()
    flag.request()
    flag.reset()
    #expect(!flag.consume())
    flag.reset()
    #expect(!flag.consume())
  }

  /// A session polls its `isInterrupted` between steps: `run` stops after
  /// the step during which the flag was raised, and the flag is spent.
  @Test func aLongRunStopsBetweenStepsWhenTheFlagIsRaised() throws {
    let flag = InterruptionFlag()
    let polls = PollCounter()
    let session = Session(
      seed: 0,
      isInterrupted: {
        if polls.next() == 3 { flag.request() }
        return flag.consume()
      })
    let cell = try #require(session.execute("run 50"))
    #expect(cell.error == nil)
    #expect(session.state.stepsTaken == 3, "\(session.state.stepsTaken)")
    #expect(!flag.consume())
  }
}

extension InterruptionTests {
  /// A replay polls between cells: interrupted, it runs the first cell
  /// only and says where it stopped.
  @Test func aReplayStopsBetweenCellsWhenInterrupted() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/three.md"
      let recorder = NotebookFixture.session(["policy arms 3", "step", "step"])
      #expect(recorder.execute("save \(path)")?.error == nil)
      let session = Session(seed: 0, isInterrupted: { true })
      let cell = try #require(session.execute("replay \(path)"))
      #expect(cell.output.contains("interrupted (Ctrl-C) before \(path)"), "\(cell.output)")
      #expect(session.state.stepsTaken == 0)
      #expect(session.state.policy.arms == 3)
    }
  }
}

/// A thread-safe count of calls.
private final class PollCounter: Sendable {
  private let count = Mutex(0)
  /// The number of this call, from 1.
  func next() -> Int {
    count.withLock {
      $0 += 1
      return $0
    }
  }
}
