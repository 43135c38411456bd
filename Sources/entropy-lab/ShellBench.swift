import ArgumentParser
import EntropyCore
import EntropyLab
import Foundation

/// `entropy-lab bench shell`: issue 16's "vocabulary scale through the
/// shell" goals, in one process:
/// 1. `bench step --no-carry`'s workload (the reference per-step time);
/// 2. one pass of memory bandwidth: a parallel store over S × K doubles
///    already in memory (best of 3), the floor for a fill;
/// 3. the session, one line at a time through `Session.execute` (JSON
///    rendering included), each command timed: every command within 3× of
///    the reference step, `policy random` / `rewards random` within 2× of
///    the store pass, and the peak resident memory of the session (VmHWM,
///    reset after steps 1–2 where /proc allows) within 1.3× logits + rewards.
struct ShellBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shell",
    abstract: "Time a vocabulary-size session's commands against bench step --no-carry, in one process.",
    discussion: """
      Prints each command's seconds and its ratio to the reference (the median of bench step \
      --no-carry's steps, or the store pass for the fills), whether it meets its goal, and the \
      session's peak resident memory against logits + rewards. Goals are reported, not enforced \
      (exit 0 unless a command fails).
      """)

  @Option(help: "Number of states S.") var states = 256
  @Option(help: "Number of arms K.") var arms = 151_936
  @Option(help: "Steps of the reference bench step --no-carry.") var steps = 5
  @Flag(help: "Print one JSON object instead of text.") var json = false

  /// One timed command and its goal.
  struct Measure {
    var command: String
    var seconds: Double
    /// What it is compared with: "step" or "store".
    var against: String
    var ratio: Double
    var goal: Double
    var met: Bool { ratio <= goal }
  }

  /// The session: the goal list of issue 16, in a plausible order.
  func lines() -> [(line: String, shown: String, fill: Bool)] {
    let row = Array(repeating: "0.5", count: arms).joined(separator: " ")
    let mu = (0..<arms).map { $0 % 2 == 0 ? "1" : "0" }.joined(separator: " ")
    let (one, three) = (min(1, states - 1), min(3, states - 1))
    return [
      ("policy arms \(arms) states \(states)", "policy arms \(arms) states \(states)", false),
      ("policy random scale 2", "policy random scale 2", true),
      ("rewards random", "rewards random", true),
      ("step", "step", false),
      ("predict", "predict", false),
      ("step", "step", false),
      ("show", "show", false),
      ("status", "status", false),
      ("rewards \(mu) state \(one)", "rewards v1 … vK state \(one)", false),
      ("adv exact", "adv exact", false),
      ("policy logits \(row) state \(three)", "policy logits v1 … vK state \(three)", false),
      ("step", "step", false),
    ]
  }

  func run() throws {
    guard states >= 1, arms >= 1, steps >= 1 else { throw ValidationError("sizes and steps must be at least 1") }
    let reference: VocabularyReport
    do {
      reference = try VocabularyBenchmark.run(
        VocabularyWorkload(states: states, arms: arms, steps: steps, learningRate: 0.5, carry: false))
    } catch {
      throw StepBench.Refusal(description: StepBench.message(error, VocabularyWorkload(states: states, arms: arms)))
    }
    let step = reference.medianSeconds
    let store = Self.storePass(count: states * arms)
    let peakReset = ProcessMemory.resetPeak()
    let session = Session(seed: 0, style: OutputStyle(json: true), isInterrupted: { false })
    var measures: [Measure] = []
    for (line, shown, fill) in lines() {
      let seconds = try InteractiveBench.time(session, line)
      let base = fill ? store : step
      measures.append(
        Measure(
          command: shown, seconds: seconds, against: fill ? "store" : "step", ratio: seconds / base,
          goal: fill ? 2 : 3))
    }
    let peak = ProcessMemory.peakResidentBytes
    let arrays = Double(states) * Double(arms) * 8 * 2
    // After the peak is read: the fills on their own, without the R and H
    // the two commands also report (each an exp pass over the arrays).
    let fills = Self.fillPasses(count: states * arms)
    let load =
      (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
      .joined(separator: " ") ?? "unknown"
    if json {
      let items = measures.map { m in
        "{\"command\":\"\(m.command)\",\"seconds\":\(m.seconds),\"against\":\"\(m.against)\","
          + "\"ratio\":\(m.ratio),\"goal\":\(m.goal),\"met\":\(m.met)}"
      }
      print(
        "{\"states\":\(states),\"arms\":\(arms),\"threads\":\(reference.threads),"
          + "\"step_no_carry_seconds\":\(step),\"store_pass_seconds\":\(store),"
          + "\"measures\":[\(items.joined(separator: ","))],"
          + "\"peak_resident_bytes\":\(peak.map { "\($0)" } ?? "null"),\"peak_reset\":\(peakReset),"
          + "\"array_bytes\":\(arrays),\"normal_fill_seconds\":\(fills.normal),"
          + "\"uniform_fill_seconds\":\(fills.uniform),\"load_average\":\"\(load)\"}")
      return
    }
    print(
      "bench step --no-carry: median \(StepBench.fixed(step, 4)) s per step (\(steps) steps, "
        + "\(reference.threads) threads); one store pass over \(states) × \(arms) doubles: "
        + "\(StepBench.fixed(store, 4)) s")
    for m in measures {
      let goal = m.against == "step" ? "≤ 3× the step" : "≤ 2× the store pass"
      print(
        "\(m.command): \(StepBench.fixed(m.seconds, 4)) s = \(StepBench.fixed(m.ratio, 2))× "
          + "(goal \(goal)): \(m.met ? "met" : "NOT met")")
    }
    let peakText = peak.map { StepBench.fixed($0 / 1e6, 1) } ?? "unknown"
    let ratio = peak.map { $0 / arrays }
    print(
      "peak resident memory of the session: \(peakText) MB = \(ratio.map { StepBench.fixed($0, 3) } ?? "?")× the "
        + "\(StepBench.fixed(arrays / 1e6, 1)) MB of logits + rewards (goal ≤ 1.3×): "
        + "\(ratio.map { $0 <= 1.3 ? "met" : "NOT met" } ?? "unknown")"
        + (peakReset ? "" : " (the peak could not be reset: it includes the reference run)"))
    print(
      "the fills alone (what policy random and rewards random do besides reporting H and R): normal "
        + "\(StepBench.fixed(fills.normal, 4)) s = \(StepBench.fixed(fills.normal / store, 2))×, uniform "
        + "\(StepBench.fixed(fills.uniform, 4)) s = \(StepBench.fixed(fills.uniform / store, 2))× the store pass")
    print("load average after: \(load)")
  }

  /// The best of 3 runs of each random fill (`RandomFill.normal` with
  /// σ = 2, `RandomFill.uniform`) over `count` doubles already in memory.
  static func fillPasses(count n: Int) -> (normal: Double, uniform: Double) {
    var buffer = [Double](repeating: 0, count: n)
    var g = SplitMix64(seed: 1)
    var (normal, uniform) = (Double.infinity, Double.infinity)
    for _ in 1...3 {
      buffer.withUnsafeMutableBufferPointer { b in
        var start = DispatchTime.now().uptimeNanoseconds
        RandomFill.normal(b, scale: 2, using: &g)
        normal = min(normal, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        start = DispatchTime.now().uptimeNanoseconds
        RandomFill.uniform(b, using: &g)
        uniform = min(uniform, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
      }
    }
    if !buffer[n / 2].isFinite { print("fill check failed") }
    return (normal, uniform)
  }

  /// The best of 3 parallel store passes over `count` doubles already in
  /// memory: one pass of memory bandwidth over an array a fill writes.
  static func storePass(count n: Int) -> Double {
    var buffer = [Double](repeating: 0, count: n)
    var best = Double.infinity
    for r in 1...3 {
      let value = Double(r)
      let seconds = buffer.withUnsafeMutableBufferPointer { b in
        let start = DispatchTime.now().uptimeNanoseconds
        MemoryPass.store(value, into: b)
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
      }
      best = min(best, seconds)
    }
    // Read once, so the stores cannot be dropped.
    if buffer[n / 2] != 3 { print("store pass check failed") }
    return best
  }
}
