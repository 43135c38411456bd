import ArgumentParser
import EntropyCore
import Foundation

/// `entropy-lab bench …`: performance benchmarks.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench", abstract: "Run a benchmark.",
    subcommands: [
      StepBench.self, InteractiveBench.self, SweepBench.self, ParseBench.self, ShellBench.self, GRPOBench.self,
    ])
}

/// `entropy-lab bench step`: the vocabulary-scale exact-step workload of
/// issue 5 (see `VocabularyWorkload`), with the fused parallel kernels.
struct StepBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "step",
    abstract: "Exact PG steps over S states × K arms from SplitMix64 inputs (the NumPy peer's workload).",
    discussion: """
      Prints, per step, the mean-over-states entropy before and after, the actual change and the \
      first-order prediction −Cov(log π, Δz), with the wall time; then the median time per step and \
      the peak resident memory (VmHWM). Sizes whose logits and advantages would not fit in half of \
      physical memory are refused before anything is allocated.
      """)

  @Option(name: .long, help: "Number of states S.")
  var states = 256

  @Option(name: .long, help: "Number of arms K.")
  var arms = 151_936

  @Option(name: .long, help: "Number of steps.")
  var steps = 5

  @Option(name: .long, help: "Learning rate η.")
  var lr = 0.5

  @Flag(name: .long, help: "Print one JSON object instead of text.")
  var json = false

  @Flag(
    name: .long,
    help: "Recompute each row's softmax sums at every step instead of carrying them from the previous step.")
  var noCarry = false

  func run() throws {
    let workload = VocabularyWorkload(states: states, arms: arms, steps: steps, learningRate: lr, carry: !noCarry)
    let report: VocabularyReport
    do {
      report = try VocabularyBenchmark.run(workload) { m in
        if !json { print(Self.line(m)) }
      }
    } catch {
      throw Refusal(description: Self.message(error, workload))
    }
    if json {
      print(Self.json(report))
    } else {
      print(
        "median_seconds_per_step \(Self.fixed(report.medianSeconds, 6)) states \(states) arms \(arms) "
          + "threads \(report.threads) carry \(noCarry ? "no" : "yes")"
      )
      let peak = report.peakResidentBytes.map { Self.fixed($0 / 1e6, 1) } ?? "unknown"
      print(
        "peak_resident_mb \(peak) arrays_mb \(Self.fixed(workload.bytes / 1e6, 1)) fill_seconds \(Self.fixed(report.fillSeconds, 3))"
      )
    }
  }

  /// A step line in the NumPy peer's format, with more digits.
  static func line(_ m: StepMeasurement) -> String {
    "step \(m.step) entropy_before \(sci(m.entropyBefore)) entropy_after \(sci(m.entropyAfter)) "
      + "entropy_change \(sci(m.entropyChange)) first_order \(sci(m.firstOrder)) seconds \(fixed(m.seconds, 6))"
  }

  /// The report as one JSON object (numbers in shortest round-trip form).
  static func json(_ r: VocabularyReport) -> String {
    let steps = r.steps.map { m in
      "{\"step\":\(m.step),\"entropy_before\":\(m.entropyBefore),\"entropy_after\":\(m.entropyAfter),"
        + "\"entropy_change\":\(m.entropyChange),\"first_order\":\(m.firstOrder),\"seconds\":\(m.seconds)}"
    }
    let peak = r.peakResidentBytes.map { "\($0)" } ?? "null"
    return "{\"states\":\(r.workload.states),\"arms\":\(r.workload.arms),\"learning_rate\":\(r.workload.learningRate),"
      + "\"carry\":\(r.workload.carry),"
      + "\"threads\":\(r.threads),\"steps\":[\(steps.joined(separator: ","))],"
      + "\"median_seconds_per_step\":\(r.medianSeconds),\"peak_resident_bytes\":\(peak),"
      + "\"array_bytes\":\(r.workload.bytes),\"fill_seconds\":\(r.fillSeconds)}"
  }

  /// Why a run was refused, in words.
  static func message(_ error: CoreError, _ w: VocabularyWorkload) -> String {
    switch error {
    case .tooLarge(let needed, let available):
      return "refused: \(w.states) × \(w.arms) needs \(fixed(needed / 1e9, 2)) GB for logits and advantages, "
        + "more than the \(fixed(available / 1e9, 2)) GB allowed (half of physical memory); nothing was allocated"
    case .invalidSize(let what, let value):
      return "refused: \(what) must be at least 1 (got \(value))"
    case .nonFinite(let what):
      return "refused: the \(what) must be finite"
    default:
      return "refused: \(error)"
    }
  }

  /// A refused run: printed as "Error: …" without the usage text, exit 1.
  struct Refusal: Error, CustomStringConvertible {
    let description: String
  }

  static func sci(_ x: Double) -> String { String(format: "%.15e", x) }
  static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
}
