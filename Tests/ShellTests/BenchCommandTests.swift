import Foundation
import Testing

/// `entropy-lab bench …` as a user runs it: the output's shape and
/// internal consistency, and refusals. Never its speed: timings are the
/// benchmark's to report (`Benchmarks/compare-numpy.sh`), not a test's.
@Suite("bench subcommands")
struct BenchCommandTests {
  /// The JSON object printed by a run.
  static func object(_ run: PipedRun) throws -> [String: Any] {
    let data = Data(run.stdout.utf8)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(run.stdout)")
  }

  @Test func stepReportsEveryStepAndChainsTheEntropies() throws {
    let run = try PipedRun.run(
      ["bench", "step", "--states", "3", "--arms", "100", "--steps", "3", "--json"], input: "")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try Self.object(run)
    let steps = try #require(object["steps"] as? [[String: Any]])
    #expect(steps.count == 3)
    for (a, b) in zip(steps, steps.dropFirst()) {
      // Each step starts where the last ended (the same mean, bit for bit).
      #expect(a["entropy_after"] as? Double == b["entropy_before"] as? Double)
    }
    for s in steps {
      let before = try #require(s["entropy_before"] as? Double)
      let after = try #require(s["entropy_after"] as? Double)
      let change = try #require(s["entropy_change"] as? Double)
      // 1e-14: the mean of differences against the difference of means;
      // each mean of three entropies near 4.6 carries a few ulp(4.6) ≈ 9e-16.
      #expect(abs(change - (after - before)) < 1e-14)
      #expect(before > 0 && before <= log(100.0))
    }
    let bytes = try #require(object["array_bytes"] as? Double)
    #expect(bytes == Double(2 * 8 * 3 * 100))
  }

  @Test func stepRefusesASizeThatCannotFitBeforeAllocating() throws {
    let run = try PipedRun.run(["bench", "step", "--states", "1000000", "--arms", "1000000"], input: "")
    #expect(run.status == 1)
    #expect(run.stderr.contains("refused: 1000000 × 1000000 needs"))
    #expect(run.stderr.contains("nothing was allocated"))
  }

  @Test func shellTimesEverySessionCommandAgainstItsReference() throws {
    let run = try PipedRun.run(
      ["bench", "shell", "--states", "4", "--arms", "40", "--steps", "1", "--json"], input: "")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try Self.object(run)
    let measures = try #require(object["measures"] as? [[String: Any]])
    #expect(
      measures.compactMap { $0["command"] as? String } == [
        "policy arms 40 states 4", "policy random scale 2", "rewards random", "step", "predict", "step", "show",
        "status", "rewards v1 … vK state 1", "adv exact", "policy logits v1 … vK state 3", "step",
      ])
    let step = try #require(object["step_no_carry_seconds"] as? Double)
    let store = try #require(object["store_pass_seconds"] as? Double)
    for m in measures {
      let seconds = try #require(m["seconds"] as? Double)
      let ratio = try #require(m["ratio"] as? Double)
      let fill = m["against"] as? String == "store"
      // The ratio is the time over its reference, and met means within the goal.
      #expect(abs(ratio - seconds / (fill ? store : step)) <= 1e-12 * ratio)
      #expect(m["goal"] as? Double == (fill ? 2 : 3))
      #expect(m["met"] as? Bool == (ratio <= (fill ? 2 : 3)))
    }
    #expect(object["array_bytes"] as? Double == Double(2 * 8 * 4 * 40))
  }

  @Test func interactiveReportsEachGoalConsistently() throws {
    let run = try PipedRun.run(
      ["bench", "interactive", "--arms", "200", "--repeats", "3", "--run-steps", "20", "--runs", "1", "--json"],
      input: "")
    #expect(run.status == 0, "\(run.stderr)")
    let measures = try #require(try Self.object(run)["measures"] as? [[String: Any]])
    #expect(measures.compactMap { $0["name"] as? String } == ["step pg", "step npg", "predict pg", "run grpo"])
    for m in measures {
      let median = try #require(m["median_seconds"] as? Double)
      let goal = try #require(m["goal_seconds"] as? Double)
      #expect(median > 0 && median.isFinite)
      #expect(m["met"] as? Bool == (median < goal))
    }
    #expect(measures.map { $0["goal_seconds"] as? Double } == [1e-3, 1e-3, 1e-3, 0.2])
    #expect(measures.last?["command"] as? String == "run 20 (8 × 16, grpo, G = 8)")
  }

  @Test func interactiveTextNamesEachGoal() throws {
    let run = try PipedRun.run(
      ["bench", "interactive", "--arms", "50", "--repeats", "1", "--run-steps", "2", "--runs", "1"], input: "")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines.count == 4)
    #expect(run.lines[0].hasPrefix("step (1 × 50, pg, η = 0.1): median "))
    #expect(run.lines[3].hasPrefix("run 2 (8 × 16, grpo, G = 8): median "))
    #expect(run.lines.allSatisfy { $0.hasSuffix(": met") || $0.hasSuffix(": NOT met") })
  }

  @Test func interactiveRejectsZeroRepeatsAndABadLearningRate() throws {
    let run = try PipedRun.run(["bench", "interactive", "--repeats", "0"], input: "")
    #expect(run.status == 64)
    #expect(run.stderr.contains("must be at least 1"))
    let lr = try PipedRun.run(["bench", "interactive", "--lr", "0"], input: "")
    #expect(lr.status == 64)
    #expect(lr.stderr.contains("--lr must be a positive finite number"))
  }

  @Test func interactiveUsesTheGivenLearningRate() throws {
    let run = try PipedRun.run(
      ["bench", "interactive", "--arms", "50", "--repeats", "1", "--run-steps", "2", "--runs", "1", "--lr", "2.5"],
      input: "")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines[1].hasPrefix("step (1 × 50, npg, η = 2.5): median "))
  }
}

/// `entropy-lab bench grpo` at a small size: the step lines, the agreement
/// with the NumPy peer when python3 with NumPy is present, and refusals.
@Suite("bench grpo")
struct GRPOBenchCommandTests {
  static let small = [
    "bench", "grpo", "--states", "3", "--arms", "37", "--group", "4", "--length", "5", "--lr", "30", "--ratio", "0.05",
    "--low", "0.2",
  ]
  static let peer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/bench/numpy_grpo_step.py")
    .path
  static let hasNumPy: Bool = {
    guard FileManager.default.fileExists(atPath: peer) else { return false }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import numpy"]
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }()

  @Test func printsEveryStepWithItsCountsAlone() throws {
    let run = try PipedRun.run(Self.small + ["--no-peer"], input: "")
    #expect(run.status == 0, "\(run.stderr)")
    let steps = run.stdout.split(separator: "\n").filter { $0.hasPrefix("step ") }
    #expect(steps.count == 3)
    #expect(
      steps.allSatisfy { $0.contains("tokens 60 ") && $0.contains(" clipped 3 ") && $0.contains("sampling_margin") })
    #expect(run.stdout.contains("peak_resident_mb"))
    #expect(!run.stdout.contains("NumPy"))
  }

  @Test(.enabled(if: hasNumPy, "needs python3 with NumPy and ../shared/bench/numpy_grpo_step.py"))
  func agreesWithThePeerAndPrintsTheRatio() throws {
    let run = try PipedRun.run(Self.small + ["--peer", Self.peer], input: "")
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    #expect(run.stdout.contains("agreement: all within tolerance"))
    #expect(run.stdout.contains("ratio ") && run.stdout.contains("(goal ≥ 20×)"))
    #expect(run.stdout.contains("(goal ≤ 1.5×)"))
  }

  @Test func refusesAMissingPeerAndAGroupOfOne() throws {
    let missing = try PipedRun.run(Self.small + ["--peer", "/nonexistent/peer.py"], input: "")
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("NumPy peer not found at /nonexistent/peer.py"))
    let group = try PipedRun.run(["bench", "grpo", "--group", "1", "--no-peer"], input: "")
    #expect(group.status == 1)
    #expect(group.stderr.contains("refused: group (at least 2) out of range (got 1)"))
  }
}
