import ArgumentParser
import EntropyLab
import Foundation

/// `entropy-lab bench interactive`: issue 5's "interactive sizes stay
/// instant" goals, measured through the shell's own command path
/// (`Session.execute`, rendering included) in this process:
/// - `step` (pg and npg) and `predict` at one state × K = 10,000 arms,
///   each under 1 ms, at the shell's default η = 0.1 (`--lr` to change it:
///   a larger step's path integral takes more quadrature panels);
/// - `run 1000` of a sampled GRPO bandit with S = 8, K = 16, G = 8, under
///   0.2 s.
///
/// Each figure is the median over repeats; every repeat of `run` starts a
/// fresh session with the next seed, so the runs are different bandits.
struct InteractiveBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "interactive",
    abstract: "Time the shell's step, predict (K = 10,000) and a GRPO run 1000 (S = 8, K = 16) against their goals.",
    discussion: """
      Commands run through the shell's own path (parse, compute, record, render to text) in this \
      process; no terminal output is timed. Prints each median with its goal and whether it is met; \
      exits 0 either way (goals are reported, not enforced).
      """)

  @Option(name: .long, help: "Arms K for step and predict.")
  var arms = 10_000

  @Option(name: .long, help: "Learning rate η of step and predict (the shell's default is 0.1).")
  var lr = 0.1

  @Option(name: .long, help: "Timed repeats of step and predict (median reported).")
  var repeats = 51

  @Option(name: .long, help: "Steps of the GRPO run.")
  var runSteps = 1000

  @Option(name: .long, help: "Timed GRPO runs, each in a fresh session (median reported).")
  var runs = 5

  @Flag(name: .long, help: "Print one JSON object instead of text.")
  var json = false

  func validate() throws {
    guard arms >= 1, repeats >= 1, runSteps >= 1, runs >= 1 else {
      throw ValidationError("--arms, --repeats, --run-steps and --runs must be at least 1")
    }
    guard lr.isFinite, lr > 0 else { throw ValidationError("--lr must be a positive finite number") }
  }

  /// One timed command and its goal.
  struct Measure {
    var name: String
    var command: String
    var medianSeconds: Double
    var goalSeconds: Double
    var met: Bool { medianSeconds < goalSeconds }
  }

  func run() throws {
    var measures: [Measure] = []
    let setup = ["policy arms \(arms)", "policy random", "rewards random", "lr \(lr)"]
    for (name, rule, command) in [
      ("step pg", "pg", "step"), ("step npg", "npg", "step"), ("predict pg", "pg", "predict"),
    ] {
      let session = try Self.session(seed: 1, setup + ["update \(rule)"])
      let median = try Self.median(repeats) { try Self.time(session, command) }
      measures.append(
        Measure(
          name: name, command: "\(command) (1 × \(arms), \(rule), η = \(lr))", medianSeconds: median, goalSeconds: 1e-3)
      )
    }
    var seed: UInt64 = 1
    let runMedian = try Self.median(runs) {
      let session = try Self.session(
        seed: seed, ["policy arms 16 states 8", "policy random", "rewards random", "update grpo"])
      seed += 1
      return try Self.time(session, "run \(runSteps)")
    }
    measures.append(
      Measure(
        name: "run grpo", command: "run \(runSteps) (8 × 16, grpo, G = 8)", medianSeconds: runMedian,
        goalSeconds: 0.2))
    print(json ? Self.json(measures) : Self.text(measures))
  }

  /// A plain-text session after `lines`, each of which must succeed.
  static func session(seed: UInt64, _ lines: [String]) throws -> Session {
    let session = Session(seed: seed, style: .plain, isInterrupted: { false })
    for line in lines { _ = try time(session, line) }
    return session
  }

  /// Seconds `line` takes through `Session.execute`; a failed command is an
  /// error (a benchmark of an error message would be meaningless).
  static func time(_ session: Session, _ line: String) throws -> Double {
    let clock = ContinuousClock()
    var cell: CellResult?
    let elapsed = clock.measure { cell = session.execute(line) }
    if let cell, cell.failed {
      throw ValidationError("`\(line)` failed: \(cell.output.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
  }

  /// The median of `n` results of `body` (the mean of the middle two for
  /// an even `n`).
  static func median(_ n: Int, _ body: () throws -> Double) throws -> Double {
    var values: [Double] = []
    for _ in 0..<n { values.append(try body()) }
    values.sort()
    let mid = values.count / 2
    return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
  }

  static func text(_ measures: [Measure]) -> String {
    measures.map { m in
      let value =
        m.goalSeconds < 0.01
        ? String(format: "%.3f ms", m.medianSeconds * 1e3) : String(format: "%.4f s", m.medianSeconds)
      let goal =
        m.goalSeconds < 0.01 ? String(format: "%g ms", m.goalSeconds * 1e3) : String(format: "%g s", m.goalSeconds)
      return "\(m.command): median \(value); goal < \(goal): \(m.met ? "met" : "NOT met")"
    }.joined(separator: "\n")
  }

  static func json(_ measures: [Measure]) -> String {
    let items = measures.map { m in
      "{\"name\":\"\(m.name)\",\"command\":\"\(m.command)\",\"median_seconds\":\(m.medianSeconds),"
        + "\"goal_seconds\":\(m.goalSeconds),\"met\":\(m.met)}"
    }
    return "{\"measures\":[\(items.joined(separator: ","))]}"
  }
}
