import EntropyCore
import Foundation
import Synchronization
import Testing

@testable import EntropyLab

/// One test per finding of the fuzzers (Fuzz/, `Fuzz/run.sh`) and of the
/// state-invariant property test, each with the input that found it.
@Suite struct FuzzRegressionTests {
  /// A session whose Ctrl-C flag turns on at the `after`-th poll.
  static func session(interruptAfter after: Int) -> Session {
    let polls = PollCounter()
    return Session(seed: 0, isInterrupted: { polls.count.add(1, ordering: .relaxed).newValue >= after })
  }

  final class PollCounter: Sendable {
    let count = Atomic<Int>(0)
  }

  /// Fuzz/artifacts/commands/timeout-86b6356bf6b66c9ee17a060de0c6811820923f25
  /// (FuzzCommands, > 1 s): a default `compare` (5 settings × 5 seeds × 50
  /// sampled steps) polled Ctrl-C only between runs, so one run of up to
  /// 10⁶ steps could not be stopped. Now it stops between steps.
  static let compareTimeout = """
    update grpo
    group 5
    noise gaussian 0.5
    filter mn
    oinibatches 2
    epochS 2
    clip 0.2 0.28
    clipcov on ratr 1
    minibatches 4
    clipcov rpolciy.2 low 0.2 high 5
    klcov ratio 0.2 coef 1
    entropybo0.2 high 5
    klcov ratio 0.2 coef 1
    entropybonus coef 0.02
    compare
    lr 1
    minibatches 4
    clipcare none clipcov klcov steps nus coef 0.02
    compare
    lr 1
    minibat
    help step
    quit
    """

  @Test func theFuzzedCompareStopsAtTheTimeGuard() {
    // The fuzz harness's guard: interrupted once 0.4 s have passed.
    let deadline = ContinuousClock.now + .milliseconds(400)
    let session = Session(seed: 0, isInterrupted: { ContinuousClock.now >= deadline })
    let start = ContinuousClock.now
    for line in Self.compareTimeout.split(separator: "\n") { session.execute(String(line)) }
    #expect(ContinuousClock.now - start < .seconds(5))
    #expect(session.quitRequested)
  }

  @Test func compareIsInterruptibleBetweenStepsOfOneRun() {
    let session = Self.session(interruptAfter: 4)
    session.execute("update grpo")
    let before = session.state
    let start = ContinuousClock.now
    // A single run of 10⁶ steps: before the fix this ran to the end.
    let cell = session.execute("compare none steps 1000000 seeds 1..1")
    #expect(ContinuousClock.now - start < .seconds(5))
    #expect(cell?.output.contains("interrupted") == true, "\(cell?.output ?? "")")
    #expect(session.state == before)  // compare never changes the state
  }

  /// Found by `StateInvariantPropertyTests` (seed 20260101, command 222):
  /// a logit beyond ~1e292 next to ordinary ones gave H = NaN — the
  /// kernel's online maximum rescaled an empty lane from −1.8e308 by
  /// −1.8e308 − 1e300 = −∞, and −∞ · 0 = NaN.
  @Test(arguments: ["policy logits 1e300 0.9 -0.5", "policy logits -1 1e308", "policy logits 2 1e300"])
  func hugeLogitsNextToSmallOnesHaveZeroEntropy(line: String) {
    let session = Session(seed: 0, isInterrupted: { false })
    session.execute("policy arms \(line.split(separator: " ").count - 2)")
    let cell = session.execute(line)
    #expect(cell?.failed == false)
    #expect(session.state.policy.entropy(state: 0) == 0)
    #expect(!(cell?.output.contains("nan") ?? true), "\(cell?.output ?? "")")
    #expect(StateInvariants.violations(session.state).isEmpty)
  }

  /// Found by `StateInvariantPropertyTests` (seed 7, command 1479): after
  /// `step 3` at a large learning rate the logits sat just below the
  /// re-centring threshold 2²⁰, and Σπ = 0.999999999985621 (π = e^(z − lse)
  /// with lse rounded to the ulp of 2²⁰).
  @Test func probabilitiesSumToOneJustBelowTheRecentringThreshold() throws {
    let policy = try Policy(states: 1, arms: 3, logits: [1_048_575.9, 1_048_575.2, 1_048_560])
    #expect(abs(policy.probabilities(state: 0).reduce(0, +) - 1) <= 1e-12)
    #expect(abs(policy.logProbabilities(state: 0).map { exp($0) }.reduce(0, +) - 1) <= 1e-12)
  }

  /// Found while checking `show` under the numeric extremes: rewards
  /// 1.7e308 and −1.7e308 gave A = −∞ and `show` printed inf and nan. Now
  /// such rewards are refused, and `show` prints no overflowing step.
  @Test func rewardsWhoseAdvantagesOverflowAreRefused() {
    let session = Session(seed: 0, isInterrupted: { false })
    let cell = session.execute("rewards 1.7e308 -1.7e308 1.7e308 0")
    #expect(cell?.failed == true)
    #expect(session.state == LabState(seed: 0))
    session.execute("lr 1e300")
    session.execute("adv 1e200 -1e200 0 0")
    let show = session.execute("show")
    #expect(show?.failed == false)
    #expect(
      !(show?.output.contains("nan") ?? true) && !(show?.output.contains(" inf") ?? true), "\(show?.output ?? "")")
  }

  /// Fuzz/artifacts/structure/timeout-6735dbaa… (FuzzNotebookStructure,
  /// issue 11 campaign; bytes 00 00 00 00 02 00 00 00 0c 88 24 a6): a
  /// notebook whose prose is one paragraph of ~170,000 lines. `addProse`
  /// reversed every line twice to trim it, minutes under ASan. Trimming
  /// from the end only: the prose arrives intact, and 10× the lines cost
  /// at most 20× the CPU time (relative, not a time bound).
  @Test func aLongParagraphOfProseIsTrimmedInLinearTime() {
    func prose(_ lines: Int) -> String {
      String(repeating: "policy: 1 state × 4 arms, all logits 0 (uniform)   \n", count: lines) + "end"
    }
    func cpuSeconds(_ lines: Int) -> Double {
      let text = prose(lines)
      let session = Session(seed: 0, isInterrupted: { false })
      let start = ParseBenchmark.threadCPUSeconds()
      session.addProse(text)
      return ParseBenchmark.threadCPUSeconds() - start
    }
    let session = Session(seed: 0, isInterrupted: { false })
    session.addProse(prose(3))
    #expect(
      session.entries == [
        .prose(
          "policy: 1 state × 4 arms, all logits 0 (uniform)\npolicy: 1 state × 4 arms, all logits 0 (uniform)\n"
            + "policy: 1 state × 4 arms, all logits 0 (uniform)\nend")
      ])
    let small = cpuSeconds(10_000)
    let large = cpuSeconds(100_000)
    #expect(large <= 20 * small, "10k lines: \(small) s, 100k lines: \(large) s")
  }

  /// The `notebook` fuzz target (CI smoke run, 3 Dec 2026): prose with
  /// lone carriage returns and backticks, replayed, then saved, gave a
  /// notebook the parser rejects. What `save` writes must parse again.
  @Test(arguments: [
    "```\n\n\n\r\r\np`?_`\r\r\np``\r\r\n```\n`H",
    "a\rb\n\n```lab\n[1]> policy arms 2\n```\n",
    "```\n\r```lab\n\r\n```\n",
  ])
  func savedProseParsesAgain(text: String) throws {
    guard let notebook = try? NotebookParser.parse(text, path: "fuzz.md") else { return }
    let session = Session(seed: 0, isInterrupted: { false })
    _ = Replayer.replay(notebook, in: session, options: ReplayOptions(mode: .check))
    let saved = NotebookWriter.notebook(for: session).text
    do throws(FileError) {
      let again = try NotebookParser.parse(saved, path: "saved.md")
      #expect(again.cells.count == notebook.cells.count)
    } catch {
      Issue.record(
        "save wrote a notebook replay rejects: \(error.location): \(error.problem)\n\(saved.debugDescription)")
    }
  }
}
