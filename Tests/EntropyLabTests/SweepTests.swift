import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// `sweep`: the grid, the engine's determinism, the summaries, the JSON
/// lines, sharding and merging, the tidy export and the sweep plots.
@Suite("Sweep")
struct SweepTests {
  /// A small sampled GRPO bandit: 2 states × 12 arms, random logits and rewards.
  static let grpoSetup = ["policy arms 12 states 2", "policy random", "rewards random", "update grpo", "group 4"]

  static func grid(_ text: String) throws -> SweepGrid {
    var reader = ArgumentReader(
      command: "sweep", usage: "sweep", tokens: try Tokenizer.split(text))
    return try SweepGrid.parse(&reader)
  }

  static func outcome(_ session: Session, _ text: String, threads: Int, runs: [Int]? = nil) throws -> SweepOutcome {
    let g = try grid(text)
    return try SweepEngine.run(
      grid: g, runs: runs ?? Array(0..<g.runCount), from: session.state, threads: threads,
      apply: SettingsRegistry.sweepApply, read: SettingsRegistry.sweepRead, isInterrupted: { false })
  }

  @Test("lists, lin and log ranges, seeds and steps; combinations last-axis fastest, runs seed-minor")
  func gridParsing() throws {
    let g = try Self.grid("lr=0.01..1 log 3 update=pg,npg seeds 4..6 steps 7")
    #expect(g.axes.map(\.key) == ["lr", "update"])
    // The ends are the typed numbers exactly; the middle of a 3-point log
    // range over two decades is 10^-1, here exp(mean of the logs): within
    // a few ulps of 0.1.
    let lr = try #require(g.axes[0].numbers)
    #expect(lr[0] == 0.01 && lr[2] == 1)
    #expect(abs(lr[1] - 0.1) < 4 * 0.1.ulp)
    #expect(g.axes[0].logarithmic)
    #expect(g.seeds == [4, 5, 6] && g.steps == 7)
    #expect(g.combinationCount == 6 && g.runCount == 18)
    #expect(g.combination(1).map(\.value) == [g.axes[0].values[0], "npg"])
    #expect(g.run(4).combination == 1 && g.run(4).seed == 5)
    let lin = try Self.grid("clip=0.1..0.5 lin 5")
    #expect(
      try #require(lin.axes[0].numbers).enumerated().allSatisfy {
        abs($0.element - (0.1 + 0.1 * Double($0.offset))) < 1e-15
      })
    #expect(!lin.axes[0].logarithmic)
    // Shards are disjoint and cover every run.
    let parts = (1...4).map { g.shardRuns(index: $0, of: 4) }
    #expect(parts.flatMap { $0 }.sorted() == Array(0..<18))
  }

  @Test("bad sweeps are refused naming the word, with the state unchanged")
  func refusals() {
    let s = LabHarness.session(Self.grpoSetup)
    LabHarness.refuse(s, "sweep lr=1..0.1 log x", command: "sweep", word: "x")
    LabHarness.refuse(s, "sweep lr=-1..1 log 3", command: "sweep", word: "-1..1")
    LabHarness.refuse(s, "sweep lr=0.1,,2", command: "sweep", word: "lr=0.1,,2")
    LabHarness.refuse(s, "sweep seed=1,2", command: "sweep", word: "seed=1,2")
    LabHarness.refuse(s, "sweep lr=0.1 lr=0.2", command: "sweep", word: "lr")
    LabHarness.refuse(s, "sweep seeds 5..1", command: "sweep", word: "5..1")
    LabHarness.refuse(s, "sweep show nonsense", command: "sweep", word: "nonsense")
    LabHarness.refuse(s, "sweep frobnicate", command: "sweep", word: "frobnicate")
    // A value the setting refuses is caught before any run.
    let cell = LabHarness.refuseKeepingState(s, "sweep lr=0.1,-3 steps 2")
    #expect(cell?.error?.message.contains("lr=-3") == true)
  }

  @Test("a sweep's per-seed run equals the same settings run alone with that seed, and the state is unchanged")
  func perSeedEqualsAlone() throws {
    let s = LabHarness.session(Self.grpoSetup + ["step 2"])
    let before = s.state
    LabHarness.run(s, "sweep lr=0.2,1 seeds 3..5 steps 6")
    #expect(s.state == before)
    let outcome = try #require(s.lastSweep)
    #expect(outcome.runs.count == 6)
    for r in outcome.runs {
      let lr = outcome.grid.combination(r.combination)[0].value
      let alone = LabHarness.session(Self.grpoSetup + ["step 2", "lr \(lr)", "seed \(r.seed)", "run 6"])
      #expect(Array(alone.state.trajectory.suffix(6)) == r.records, "lr \(lr) seed \(r.seed)")
      #expect(r.records.first?.step == 3)
    }
  }

  @Test("each \"CMD\" runs after the seed is set: a run equals seed n, the command, run N typed alone")
  func eachCommand() throws {
    let setup = ["policy arms 30", "rewards random", "update npg"]
    let s = LabHarness.session(setup)
    LabHarness.run(s, "sweep lr=0.5 seeds 1..3 steps 2 each \"policy random scale 2\"")
    let o = try #require(s.lastSweep)
    for r in o.runs {
      let alone = LabHarness.session(setup + ["lr 0.5", "seed \(r.seed)", "policy random scale 2", "run 2"])
      #expect(alone.state.trajectory == r.records, "seed \(r.seed)")
    }
    // Every seed drew its own policy.
    #expect(Set(o.runs.map { $0.records[0].entropyBefore }).count == 3)
    LabHarness.refuse(s, "sweep each \"save x.md\"", command: "sweep", word: "save x.md")
  }

  @Test("one thread and every thread give bit-identical runs and output")
  func threadsDoNotMatter() throws {
    let s = LabHarness.session(Self.grpoSetup)
    let one = try Self.outcome(s, "lr=0.1,0.7 group=2,6 seeds 1..4 steps 5", threads: 1)
    let many = try Self.outcome(s, "lr=0.1,0.7 group=2,6 seeds 1..4 steps 5", threads: 4)
    #expect(one.runs == many.runs)
    #expect(one.jsonLines() == many.jsonLines())
    // Seeds matter for sampled steps: the runs are not all the same.
    #expect(Set(one.runs.map { $0.records.last?.entropyAfter ?? 0 }).count > 1)
  }

  @Test("statistics: mean, n − 1 std and se = std/√n against a two-pass formula; equal values have std 0")
  func statistics() {
    let v = [0.3, 1.7, -2.25, 4.0, 0.125]
    let st = SweepStatistic(v)
    let m = v.reduce(0, +) / 5
    let sd = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 4).squareRoot()
    // Same operations in the same order: equal to rounding (1e-15 relative).
    #expect(abs(st.mean - m) <= 1e-15 * abs(m))
    #expect(abs(st.std - sd) <= 1e-15 * sd)
    #expect(abs(st.standardError - sd / 5.0.squareRoot()) <= 1e-15 * sd)
    let same = SweepStatistic([0.1, 0.1, 0.1])
    #expect(same.mean == 0.1 && same.std == 0 && same.standardError == 0)
    #expect(SweepStatistic([2]).std == 0)
  }

  @Test("summaries are the statistics of each combination's runs, at the end and over the run")
  func summaries() throws {
    let s = LabHarness.session(Self.grpoSetup)
    let o = try Self.outcome(s, "lr=0.3,0.9 seeds 1..3 steps 4", threads: 2)
    let sums = o.summaries
    #expect(sums.count == 2)
    for summary in sums {
      let runs = o.runs.filter { $0.combination == summary.combination }
      #expect(summary.seeds == 3 && !summary.partial)
      let h = try #require(summary.statistic("H"))
      #expect(h.end == SweepStatistic(runs.map { $0.records.last?.entropyAfter ?? .nan }))
      let runMeans = runs.map { r in r.records.map(\.entropyAfter).reduce(0, +) / Double(r.records.count) }
      #expect(h.run == SweepStatistic(runMeans))
      let tokens = try #require(summary.statistic("tokens"))
      #expect(tokens.end == SweepStatistic(runs.map { Double($0.records.last?.sampled?.tokens ?? -1) }))
    }
  }

  @Test("under --json every line parses: the grid, one line per run with every step, one summary per combination")
  func jsonLines() throws {
    let s = LabHarness.session(Self.grpoSetup, json: true)
    let cell = LabHarness.run(s, "sweep lr=0.3,0.9 seeds 1..2 steps 3")
    let values = try cell.output.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    #expect(
      values.map { $0["kind"] } == [.string("sweep")] + Array(repeating: .string("run"), count: 4) + [
        .string("summary"), .string("summary"),
      ])
    guard case .array(let steps)? = values[1]["steps"] else {
      Issue.record("no steps")
      return
    }
    #expect(steps.count == 3)
    #expect(values[1]["settings"]?["lr"] == .number(0.3))
    #expect(values[1]["seed"] == .int(1))
    #expect(values[5]["seeds"] == .int(2))
  }

  @Test("JSON text reads back to the value that wrote it, byte for byte")
  func jsonRoundTrip() throws {
    let v = JSONValue.object([
      ("a", .number(0.1)), ("b", .int(-3)), ("c", .string("q\"\\\n\u{1}é")),
      ("d", .array([.null, .bool(true), .number(1e-300), .number(3)])),
      ("e", .object([])), ("f", .number(.nan)),
    ])
    let text = v.serialized
    #expect(try JSONParser.parse(text).serialized == text)
    #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("{\"a\":1") }
    #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("[1] x") }
  }

  @Test("four shards merge into exactly the unsharded sweep's lines; incomplete or mixed parts are refused")
  func shardsMerge() throws {
    let s = LabHarness.session(Self.grpoSetup)
    let text = "lr=0.3,0.9 group=2,4 seeds 1..3 steps 4"
    let whole = try Self.outcome(s, text, threads: 2).jsonLines()
    let g = try Self.grid(text)
    var parts: [(name: String, text: String)] = []
    for i in [3, 1, 4, 2] {
      let part = try Self.outcome(s, text, threads: 1, runs: g.shardRuns(index: i, of: 4))
      parts.append(("part\(i)", part.jsonLines(shard: (i, 4)).joined(separator: "\n") + "\n"))
    }
    #expect(try SweepMerge.merge(parts) == whole)
    #expect(throws: SweepMerge.Failure.self) { try SweepMerge.merge(Array(parts.dropLast())) }
    #expect(throws: SweepMerge.Failure.self) { try SweepMerge.merge(parts + [parts[0]]) }
    let other = try Self.outcome(
      s, "lr=0.3,0.8 group=2,4 seeds 1..3 steps 4", threads: 1, runs: g.shardRuns(index: 1, of: 4))
    var mixed = parts
    mixed[1] = ("other", other.jsonLines(shard: (1, 4)).joined(separator: "\n"))
    #expect(throws: SweepMerge.Failure.self) { try SweepMerge.merge(mixed) }
  }

  @Test("Ctrl-C between steps keeps the finished runs and marks their summaries partial")
  func interruption() throws {
    let s = LabHarness.session(Self.grpoSetup)
    let g = try Self.grid("lr=0.3,0.9 seeds 1..5 steps 10")
    let polls = Counter()
    let o = try SweepEngine.run(
      grid: g, runs: Array(0..<g.runCount), from: s.state, threads: 1, apply: SettingsRegistry.sweepApply,
      read: SettingsRegistry.sweepRead, isInterrupted: { polls.next() > 35 })
    // One thread polls before each run and step: 11 polls per finished run,
    // so 3 runs finish before the 36th poll stops the fourth.
    #expect(o.interrupted)
    #expect(o.runs.map(\.index) == [0, 1, 2])
    #expect(o.runs.allSatisfy { $0.records.count == 10 })
    #expect(o.summaries.first?.partial == true && o.summaries.first?.seeds == 3)
    let reports = SweepCommands.reports(o, json: false)
    #expect(
      reports.contains(
        .warning("interrupted: 3 of 10 runs finished; summaries over fewer seeds than planned are marked partial")))
  }

  @Test("a sweep too large for memory is refused with the figure, before anything runs")
  func memoryRefusal() {
    let s = LabHarness.session(["policy arms 1000 states 10"])
    let cell = LabHarness.refuseKeepingState(s, "sweep seeds 0..99999 steps 1000000")
    #expect(cell?.error?.problem.contains("of memory (100000 runs × 1000000 steps") == true)
  }

  @Test("export csv|json after a sweep writes one row per combination × seed × step, numbers exact")
  func tidyExport() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-export-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let s = LabHarness.session(Self.grpoSetup)
    LabHarness.run(s, "sweep lr=0.3,0.9 seeds 1..2 steps 3")
    let csvPath = folder.appendingPathComponent("s.csv").path
    LabHarness.run(s, "export csv \(csvPath)")
    let lines = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n").map(String.init)
    #expect(lines.count == 1 + 2 * 2 * 3)
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    #expect(Array(header.prefix(5)) == ["run", "combination", "lr", "seed", "step"])
    let o = try #require(s.lastSweep)
    let row = lines[4].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let after = try #require(header.firstIndex(of: "entropy_after"))
    #expect(Double(row[after]) == o.runs[1].records[0].entropyAfter)
    let jsonPath = folder.appendingPathComponent("s.json").path
    LabHarness.run(s, "export json \(jsonPath)")
    guard case .array(let rows) = try JSONParser.parse(String(contentsOfFile: jsonPath, encoding: .utf8)) else {
      Issue.record("not an array")
      return
    }
    #expect(rows.count == 12)
    #expect(rows[11]["lr"] == .number(0.9) && rows[11]["seed"] == .int(2) && rows[11]["step"] == .int(3))
    // After a step the trajectory is exported again.
    LabHarness.run(s, "step")
    LabHarness.run(s, "export csv \(csvPath)")
    #expect(try String(contentsOfFile: csvPath, encoding: .utf8).hasPrefix("step,"))
  }

  @Test("plot sweep: bands per combination, coinciding series named, error bars and a log axis against a log range")
  func plots() throws {
    let s = LabHarness.session(["policy arms 50", "policy random", "rewards random"])
    // Exact PG: group does nothing, so the two combinations coincide.
    LabHarness.run(s, "sweep group=4,8 seeds 1..2 steps 3")
    LabHarness.run(s, "plot sweep H")
    let curves = try #require(s.lastPlot)
    #expect(curves.series.map(\.name) == ["group=4", "group=8 (coincides with group=4)"])
    #expect(curves.series[0].lower == curves.series[0].y)  // exact steps: no spread over seeds
    #expect(curves.series[0].x == [0, 1, 2, 3])
    LabHarness.run(s, "sweep lr=0.01..10 log 4 update=pg,npg seeds 1..2 steps 1")
    LabHarness.run(s, "plot sweep final relerr vs lr band se")
    let end = try #require(s.lastPlot)
    #expect(end.logX)
    #expect(end.series.map(\.name) == ["update=pg", "update=npg"])
    #expect(end.series[0].bars && end.series[0].x.count == 4)
    LabHarness.refuse(s, "plot sweep final H vs group", command: "plot", word: "group")
  }
}

/// A thread-safe counter for interruption tests.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0
  func next() -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += 1
    return value
  }
}
