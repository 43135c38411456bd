import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// The issue's second question as one command (`sweep control=… ratio=…`)
/// and `compare` as a view over the sweep engine.
@Suite("Compare and control sweeps")
struct CompareSweepTests {
  /// Sampled GRPO with two minibatches, so KL-Cov acts (off-policy updates).
  static let setup = [
    "policy arms 12 states 2", "policy random", "rewards random", "update grpo", "group 4", "minibatches 2",
  ]

  @Test("Clip-Cov vs KL-Cov vs GRPO at three ratios over seeds is one sweep; each run equals it typed alone")
  func controlsAtRatiosIsOneSweep() throws {
    let s = LabHarness.session(Self.setup)
    let before = s.state
    LabHarness.run(s, "sweep control=none,clipcov,klcov ratio=0.0002,0.002,0.2 seeds 1..3 steps 3")
    #expect(s.state == before)
    let o = try #require(s.lastSweep)
    #expect(o.grid.axes.map(\.key) == ["control", "control.ratio"])
    #expect(o.grid.combinationCount == 9 && o.runs.count == 27)
    for r in o.runs {
      let settings = o.grid.combination(r.combination)
      let alone = LabHarness.session(
        Self.setup + ["set control=\(settings[0].value) ratio=\(settings[1].value)", "seed \(r.seed)", "run 3"])
      #expect(alone.state.trajectory == r.records, "\(o.grid.label(r.combination)) seed \(r.seed)")
    }
    // The settings of each combination are typed in its summary.
    let summary = try #require(o.summaries.last)
    #expect(
      JSONValue.object(summary.settings) == .object([("control", .string("klcov")), ("control.ratio", .number(0.2))]))
    // KL-Cov at ratio 0.2 penalised tokens; Clip-Cov's ratio changes its runs.
    #expect(
      o.runs.filter { $0.combination == 8 }.contains {
        $0.records.contains { ($0.sampled?.activity.count("penalized") ?? 0) > 0 }
      })
  }

  @Test("compare's runs are the sweep's runs over control; its text does not depend on the thread count")
  func compareIsASweepView() throws {
    let s = LabHarness.session(Self.setup)
    s.sweepThreads = 1
    let one = LabHarness.run(s, "compare none clipcov klcov steps 3 seeds 1..2").output
    let compared = try #require(s.lastSweep)
    s.sweepThreads = 4
    #expect(LabHarness.run(s, "compare none clipcov klcov steps 3 seeds 1..2").output == one)
    LabHarness.run(s, "sweep control=none,clipcov,klcov seeds 1..2 steps 3")
    let swept = try #require(s.lastSweep)
    #expect(compared.runs == swept.runs)
    // Plain GRPO ("none") seed by seed, typed alone.
    for r in compared.runs where r.combination == 0 {
      let alone = LabHarness.session(Self.setup + ["seed \(r.seed)", "run 3"])
      #expect(alone.state.trajectory == r.records)
    }
  }

  @Test("compare accepts any settings: each run equals set …, seed n, run N typed alone")
  func compareAcceptsSettings() throws {
    let s = LabHarness.session(Self.setup + ["update pg"])
    let before = s.state
    LabHarness.run(s, "compare klcov ratio=0.2 lr=0.3 update=grpo steps 3 seeds 4..5")
    #expect(s.state == before)
    let o = try #require(s.lastSweep)
    #expect(o.runs.count == 2)
    for r in o.runs {
      let alone = LabHarness.session(
        Self.setup + ["set update=grpo lr=0.3 control=klcov ratio=0.2", "seed \(r.seed)", "run 3"])
      #expect(alone.state.trajectory == r.records, "seed \(r.seed)")
    }
    LabHarness.refuse(s, "compare klcov lrr=0.3", command: "compare", word: "lrr")
    LabHarness.refuse(s, "compare klcov lr=-1", command: "compare", word: "lr=-1")
    LabHarness.refuse(s, "compare seed=3", command: "compare", word: "seed")
    // Memory is checked before any run: 5 settings × 999 seeds × 10⁶ steps.
    let big = LabHarness.refuseKeepingState(s, "compare update=grpo steps 1000000 seeds 1..999")
    #expect(big?.error?.message.contains("of memory") == true, "\(big?.error?.message ?? "")")
  }

  @Test("compare --json prints every run and a summary per setting, like sweep")
  func compareJSON() throws {
    let s = LabHarness.session(Self.setup, json: true)
    let output = LabHarness.run(s, "compare none klcov steps 2 seeds 1..3").output
    let objects = try output.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    let runs = objects.filter { $0["kind"] == .string("run") }
    #expect(runs.count == 6)
    #expect(runs.allSatisfy { if case .array(let steps)? = $0["steps"] { steps.count == 2 } else { false } })
    #expect(runs.map { $0["seed"] } == [1, 2, 3, 1, 2, 3].map { JSONValue.int($0) })
    let summaries = objects.filter { $0["kind"] == .string("summary") }
    #expect(summaries.map { $0["settings"]?["control"] } == [.string("none"), .string("klcov")])
    let rows = objects.filter { $0["kind"] == .string("compare") }
    #expect(rows.map { $0["setting"] } == [.string("none"), .string("klcov")])
    #expect(rows.allSatisfy { $0["partial"] == .bool(false) && $0["runs"] == .int(3) })
    #expect(
      objects.allSatisfy { $0["cell"] == .int(7) && $0["command"] == .string("compare none klcov steps 2 seeds 1..3") })
  }

  @Test("Ctrl-C during compare keeps the finished runs and marks their rows partial")
  func compareInterrupted() throws {
    let s = LabHarness.session(Self.setup)
    s.sweepThreads = 1
    let before = s.state
    let polls = Counter()
    s.isInterrupted = { polls.next() > 9 }
    let cell = try #require(s.execute("compare none clipcov steps 5 seeds 1..3"))
    #expect(cell.error == nil, "\(cell.output)")
    #expect(s.state == before)
    // One thread polls before each run and each step (6 per run): the
    // first run finishes, the tenth poll stops the second.
    #expect(cell.output.contains("none (partial: 1 of 3 seeds)"), "\(cell.output)")
    #expect(!cell.output.contains("\nclipcov"))
    #expect(
      cell.output.contains(
        "interrupted: 1 of 6 runs finished; the rows are over the finished runs only, those with fewer seeds "
          + "than asked marked partial"), "\(cell.output)")
    #expect(s.lastSweep?.runs.count == 1)
  }
}
