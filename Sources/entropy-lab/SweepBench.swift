import ArgumentParser
import EntropyCore
import EntropyLab
import Foundation

/// `entropy-lab bench sweep`: the same runs in one process on every core,
/// on one thread, and as separate processes under GNU parallel; prints the
/// seconds of each and the ratios (issue 12's goals: all cores ≥ 1.8× one
/// thread; in-process within 10% of the process fan-out).
struct SweepBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Time a sweep (seeds × the four controls, sampled GRPO) in-process and as a process fan-out.",
    discussion: """
      The workload: S states × K arms (random logits and rewards from seed 0), GRPO with G samples, \
      one run per control (each alone) and seed, N steps. Timed three ways, one after another: one \
      process on every core, one process on one thread, and one 'entropy-lab sweep FILE --shard k/n \
      --threads 1' process per run under GNU parallel -j<cores> (skipped if 'parallel' is not \
      installed). Every run's steps are compared across the three: they must be identical.
      """)

  @Option(help: "Number of states S.") var states = 32
  @Option(help: "Number of arms K.") var arms = 1024
  @Option(help: "Samples per state G.") var group = 16
  @Option(help: "Steps per run.") var steps = 300
  @Option(help: "Seeds per control (1…n).") var seeds = 10
  @Option(help: "Threads for the 'all cores' timing.") var threads = ProcessInfo.processInfo.activeProcessorCount

  var setup: [String] {
    [
      "policy arms \(arms) states \(states)", "policy random", "rewards random", "update grpo", "group \(group)",
    ]
  }

  func run() throws {
    let session = Session(seed: 0)
    for line in setup {
      if let cell = session.execute(line), let error = cell.error { throw SweepBenchError(error.message) }
    }
    let controls = EntropyControls.all.filter { $0.isClassic }.map { $0.name }
    let grid = SweepGrid(
      axes: [SweepAxis(key: "control", values: controls)], seeds: (1...UInt64(seeds)).map { $0 }, steps: steps)
    let apply = SettingsRegistry.sweepApply
    let read = SettingsRegistry.sweepRead
    print(
      "bench sweep: \(grid.runCount) runs (\(seeds) seeds × \(controls.count) controls: \(controls.joined(separator: ", "))), "
        + "\(states) states × \(arms) arms, GRPO, G = \(group), \(steps) steps; \(threads) cores")
    func timed(_ threads: Int) throws -> (Double, [String: String]) {
      let start = Date()
      let outcome = try SweepEngine.run(
        grid: grid, runs: Array(0..<grid.runCount), from: session.state, threads: threads, apply: apply, read: read,
        isInterrupted: { false })
      let seconds = Date().timeIntervalSince(start)
      var steps: [String: String] = [:]
      for r in outcome.runs {
        steps["\(controls[r.combination]) \(r.seed)"] = outcome.runJSON(r)["steps"]?.serialized ?? ""
      }
      return (seconds, steps)
    }
    let (all, allSteps) = try timed(threads)
    print("in-process, \(threads) threads:  \(String(format: "%.2f", all)) s")
    let (one, oneSteps) = try timed(1)
    print("in-process, 1 thread:   \(String(format: "%.2f", one)) s")
    print(
      "all cores ÷ one thread: \(String(format: "%.2f", one / all))× (goal ≥ 1.8×); runs identical: \(allSteps == oneSteps ? "yes" : "NO")"
    )
    guard let parallel = Self.which("parallel") else {
      print("process fan-out: skipped (GNU parallel is not installed: apt-get install parallel)")
      return
    }
    let (fan, fanSteps) = try fanOut(parallel: parallel, controls: controls)
    print("processes under GNU parallel -j\(threads): \(String(format: "%.2f", fan)) s (\(grid.runCount) processes)")
    print(
      "in-process ÷ process fan-out: \(String(format: "%.3f", all / fan)) (goal ≤ 1.10); runs identical: "
        + (fanSteps == allSteps ? "yes" : "NO"))
  }

  /// One process per run: a script per control, sharded into one run each.
  func fanOut(parallel: String, controls: [String]) throws -> (Double, [String: String]) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("entropy-lab-bench-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for c in controls {
      let text = (setup + ["\(c) on", "sweep seeds 1..\(seeds) steps \(steps)"]).joined(separator: "\n") + "\n"
      try text.write(to: dir.appendingPathComponent("\(c).txt"), atomically: true, encoding: .utf8)
    }
    let binary =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let process = Process()
    process.executableURL = URL(fileURLWithPath: parallel)
    process.currentDirectoryURL = dir
    process.arguments =
      [
        "-j", "\(threads)", "--joblog", "joblog",
        "\(binary) sweep {1}.txt --shard {2}/\(seeds) --threads 1 --quiet > {1}-{2}.jsonl 2>/dev/null",
        ":::",
      ] + controls + [":::"] + (1...seeds).map(String.init)
    let start = Date()
    try process.run()
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    guard process.terminationStatus == 0 else {
      throw SweepBenchError("GNU parallel exited with \(process.terminationStatus)")
    }
    var steps: [String: String] = [:]
    for c in controls {
      for k in 1...seeds {
        let text = (try? String(contentsOf: dir.appendingPathComponent("\(c)-\(k).jsonl"), encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
          guard let v = try? JSONParser.parse(String(line)), v["kind"] == .string("run"),
            case .int(let seed)? = v["seed"]
          else { continue }
          steps["\(c) \(seed)"] = v["steps"]?.serialized ?? ""
        }
      }
    }
    return (seconds, steps)
  }

  static func which(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let candidate = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }
}

struct SweepBenchError: Error, CustomStringConvertible {
  let description: String
  init(_ d: String) { description = d }
}
