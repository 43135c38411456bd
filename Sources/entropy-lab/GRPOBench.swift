import ArgumentParser
import EntropyCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `entropy-lab bench grpo`: the sampled GRPO step with Clip-Cov at LLM
/// batch size (`GRPOWorkload`, the workload of
/// `shared/bench/numpy_grpo_step.py`), then the NumPy peer on the same
/// sizes in a child process, the agreement of every step
/// (`GRPOPeerAgreement`), the speed ratio and the peak memory.
struct GRPOBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grpo",
    abstract: "Sampled GRPO steps with Clip-Cov at LLM batch size against the NumPy peer, in one go.",
    discussion: """
      Runs S states × G responses × T tokens over K arms, every random number a stated SplitMix64 \
      draw (see ../shared/bench/numpy_grpo_step.py), prints each step, then runs the NumPy peer \
      (python3) on the same sizes, checks agreement (entropies and the first-order prediction to \
      1e-9 relative, ΔH to 1e-12 absolute, token, candidate and detached counts exactly) and prints \
      the speed ratio (goal ≥ 20×) and the peak resident memory against logits + mean rewards (goal \
      ≤ 1.5×). Exits 1 on a disagreement; the speed and memory goals are reported, not enforced. \
      The peer at the defaults takes about 6 GB and several seconds per step.
      """)

  @Option(help: "Number of states S (prompts).") var states = 512
  @Option(help: "Number of arms K (vocabulary).") var arms = 151_936
  @Option(help: "Responses per state G (at least 2).") var group = 16
  @Option(help: "Tokens per response T.") var length = 256
  @Option(help: "Number of steps.") var steps = 3
  @Option(help: "Learning rate of the SGD step on the token-mean loss.") var lr = 1e4
  @Option(help: "Clip-Cov's ratio r: max(⌊r·N⌋, 1) band candidates are detached.") var ratio = 2e-4
  @Option(help: "Lower end of Clip-Cov's covariance band.") var low = 1.0
  @Option(help: "Upper end of Clip-Cov's covariance band.") var high = 5.0
  @Option(
    help: ArgumentHelp(
      "The NumPy peer (default: $NUMPY_GRPO_PEER, else ../shared/bench/numpy_grpo_step.py).", valueName: "path"))
  var peer: String?
  @Option(help: "The Python interpreter that runs the peer.") var python = "python3"
  @Flag(help: "Run this side only (no peer, no agreement check).") var noPeer = false

  var workload: GRPOWorkload {
    GRPOWorkload(
      states: states, arms: arms, group: group, length: length, steps: steps, learningRate: lr, ratio: ratio,
      low: low, high: high)
  }

  func run() throws {
    let w = workload
    let peerPath = noPeer ? nil : try Self.locatePeer(peer)
    let report: GRPOReport
    do {
      report = try GRPOBenchmark.run(w) { print(Self.line($0)) }
    } catch {
      throw StepBench.Refusal(description: Self.message(error, w))
    }
    let peak = report.peakResidentBytes
    print(
      "median_seconds_per_step \(StepBench.fixed(report.medianSeconds, 6)) states \(states) arms \(arms) "
        + "group \(group) length \(length) threads \(report.threads)")
    print(
      "peak_resident_mb \(peak.map { StepBench.fixed($0 / 1e6, 1) } ?? "unknown") arrays_mb "
        + "\(StepBench.fixed(w.arrayBytes / 1e6, 1)) fill_seconds \(StepBench.fixed(report.fillSeconds, 3))")
    guard let peerPath else { return }

    let arguments = [
      peerPath, "--states", "\(states)", "--arms", "\(arms)", "--group", "\(group)", "--length", "\(length)",
      "--steps", "\(steps)", "--lr", "\(lr)", "--ratio", "\(ratio)", "--low", "\(low)", "--high", "\(high)",
    ]
    print("== NumPy peer: \(python) \(arguments.joined(separator: " "))")
    let (output, peerPeak) = try Self.runPeer(python: python, arguments: arguments)
    print(output, terminator: output.hasSuffix("\n") ? "" : "\n")
    let peerSteps = GRPOPeerAgreement.parsePeer(output)
    let agreement = GRPOPeerAgreement(ours: report.steps, peer: peerSteps)
    print("== agreement")
    print(Self.table(agreement))
    let load =
      (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
      .joined(separator: " ") ?? "unknown"
    if !peerSteps.isEmpty {
      let peerMedian = peerSteps.map(\.seconds).sorted()[peerSteps.count / 2]
      let speed = peerMedian / max(report.medianSeconds, 1e-9)
      print(
        "median seconds per step: NumPy \(StepBench.fixed(peerMedian, 4)), EntropyLab "
          + "\(StepBench.fixed(report.medianSeconds, 4)); ratio \(StepBench.fixed(speed, 1))× (goal ≥ 20×): "
          + (speed >= 20 ? "met" : "NOT met"))
    }
    if let peak {
      let r = peak / w.arrayBytes
      print(
        "peak resident memory: \(StepBench.fixed(peak / 1e6, 1)) MB = \(StepBench.fixed(r, 3))× the "
          + "\(StepBench.fixed(w.arrayBytes / 1e6, 1)) MB of logits + mean rewards (goal ≤ 1.5×): "
          + (r <= 1.5 ? "met" : "NOT met")
          + (peerPeak.map { "; the peer's peak: \(StepBench.fixed($0 / 1e6, 1)) MB" } ?? ""))
    }
    print("load average after: \(load)")
    guard agreement.agrees else {
      throw StepBench.Refusal(description: "EntropyLab and the NumPy peer disagree (see the table above)")
    }
  }

  /// A step line in the peer's format, with more digits and the sampling margin.
  static func line(_ m: GRPOStepMeasurement) -> String {
    "step \(m.step) entropy_before \(StepBench.sci(m.entropyBefore)) entropy_after \(StepBench.sci(m.entropyAfter)) "
      + "entropy_change \(StepBench.sci(m.entropyChange)) first_order \(StepBench.sci(m.firstOrder)) "
      + "tokens \(m.tokens) candidates \(m.candidates) clipped \(m.clipped) seconds \(StepBench.fixed(m.seconds, 6))"
      + (m.samplingMargin.map { " sampling_margin " + String(format: "%.3e", $0) } ?? "")
  }

  /// The agreement, one row per compared quantity.
  static func table(_ a: GRPOPeerAgreement) -> String {
    if let problem = a.problem { return "cannot compare: \(problem)" }
    var lines = [
      "step \("quantity".padding(toLength: 15, withPad: " ", startingAt: 0)) \(pad("NumPy", 22)) "
        + "\(pad("EntropyLab", 22)) \(pad("error", 10)) \(pad("tolerance", 10))  ok"
    ]
    for r in a.rows {
      let values =
        r.tolerance == 0 && !r.relative
        ? "\(pad(String(Int(r.peer)), 22)) \(pad(String(Int(r.ours)), 22))"
        : "\(pad(String(format: "%.12e", r.peer), 22)) \(pad(StepBench.sci(r.ours), 22))"
      lines.append(
        "\(pad(String(r.step), 4)) \(r.quantity.padding(toLength: 15, withPad: " ", startingAt: 0)) \(values) "
          + "\(pad(String(format: "%.2e", r.error), 10)) \(pad(r.tolerance == 0 ? "exact" : String(format: "%.0e %@", r.tolerance, r.relative ? "rel" : "abs"), 10))  \(r.ok ? "yes" : "NO")"
      )
    }
    lines.append("agreement: " + (a.agrees ? "all within tolerance" : "MISMATCH"))
    return lines.joined(separator: "\n")
  }

  static func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
  }

  /// The peer's path: the option, else $NUMPY_GRPO_PEER, else
  /// ../shared/bench/numpy_grpo_step.py from the current directory.
  static func locatePeer(_ given: String?) throws -> String {
    let candidate =
      given ?? ProcessInfo.processInfo.environment["NUMPY_GRPO_PEER"] ?? "../shared/bench/numpy_grpo_step.py"
    guard FileManager.default.fileExists(atPath: candidate) else {
      throw StepBench.Refusal(
        description: "NumPy peer not found at \(candidate) (give --peer PATH or set NUMPY_GRPO_PEER, or --no-peer)")
    }
    return candidate
  }

  /// Runs the peer (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, as
  /// compare-numpy.sh does) and returns its output and its peak resident
  /// memory (the largest child's, from getrusage).
  static func runPeer(python: String, arguments: [String]) throws -> (String, Double?) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [python] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_CORETYPE"] = nil
    environment["OPENBLAS_L2_SIZE"] = nil
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    do {
      try process.run()
    } catch {
      throw StepBench.Refusal(description: "could not start the peer: \(error)")
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
      throw StepBench.Refusal(
        description: "the peer exited with status \(process.terminationStatus) (needs python3 with NumPy)")
    }
    var peak: Double?
    #if canImport(Glibc)
      var usage = rusage()
      if getrusage(RUSAGE_CHILDREN.rawValue, &usage) == 0 { peak = Double(usage.ru_maxrss) * 1024 }
    #endif
    return (output, peak)
  }

  /// Why a run was refused, in words.
  static func message(_ error: CoreError, _ w: GRPOWorkload) -> String {
    switch error {
    case .tooLarge(let needed, let available):
      return "refused: \(w.states) × \(w.arms) with \(w.tokens) tokens needs \(StepBench.fixed(needed / 1e9, 2)) GB, "
        + "more than the \(StepBench.fixed(available / 1e9, 2)) GB allowed (half of physical memory); nothing was allocated"
    case .invalidSize(let what, let value):
      return "refused: \(what) out of range (got \(value))"
    case .nonFinite(let what):
      return "refused: the \(what) must be finite (and the ratio ≥ 0)"
    default:
      return "refused: \(error)"
    }
  }
}
