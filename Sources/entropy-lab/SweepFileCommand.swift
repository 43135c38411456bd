import ArgumentParser
import EntropyLab
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `entropy-lab sweep FILE [--shard I/N] [--set KEY=VALUE…] [--threads T]`:
/// a sweep as one process for a scheduler: results on stdout as JSON lines
/// (deterministic), progress and timings on stderr.
struct SweepFileCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Run the sweep a notebook or script defines; print JSON lines (one per run, then the summaries).",
    discussion: """
      FILE is a notebook (.md) or a script: its cells before the 'sweep' line set up the session \
      (in safe mode: no file is read or written), the 'sweep' line defines the grid, and nothing may \
      follow it. Standard output gets the grid's header line, one line per run (its settings, seed and \
      every step) and, for a whole sweep, one summary per combination: the same bytes on any machine \
      and thread count. Progress and timings go to standard error.

      --shard I/N runs the I-th (1-based) of N disjoint parts: the runs numbered I−1, I−1+N, … \
      ('entropy-lab merge' joins the parts into exactly the whole sweep's output). \
      Exit status: 0 done; 1 a cell or the sweep line failed; 65 FILE has no sweep line or is not \
      a notebook; 66 FILE cannot be read; 130 interrupted (the finished runs were printed).
      """)

  @Argument(help: "The notebook or script defining the sweep.", completion: .file())
  var file: String

  @Option(help: ArgumentHelp("Run only part I of N (1 ≤ I ≤ N).", valueName: "I/N"))
  var shard: String?

  @Option(
    name: .customLong("set"), help: ArgumentHelp("Apply a setting before the first cell.", valueName: "KEY=VALUE"))
  var settings: [String] = []

  @Option(help: "Threads to run on (default: every core).")
  var threads = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "No progress line on standard error.")
  var quiet = false

  func validate() throws {
    _ = try parsedShard()
    _ = try parsedSettings()
    if threads < 1 { throw ValidationError("--threads must be at least 1") }
  }

  func parsedShard() throws -> (index: Int, count: Int)? {
    guard let shard else { return nil }
    let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
      throw ValidationError("--shard '\(shard)' is not I/N with 1 ≤ I ≤ N (e.g. --shard 2/4)")
    }
    return (i, n)
  }

  func parsedSettings() throws -> [(key: String, value: String)] {
    try settings.map { s in
      guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
        throw ValidationError("--set '\(s)' is not KEY=VALUE")
      }
      return (String(s[..<eq]), String(s[s.index(after: eq)...]))
    }
  }

  func run() throws {
    Interrupt.installHandlers()
    Interrupt.ignoreBrokenPipe()
    let started = Date()
    let script: SweepScript
    do {
      script = try SweepScript.prepare(path: file, settings: try parsedSettings())
    } catch let failure as SweepScript.Failure {
      StandardOutput.warn(failure.message)
      throw ExitCode(failure.status)
    }
    let shard = try parsedShard()
    let progress = SweepProgress(enabled: !quiet && isatty(STDERR_FILENO) != 0)
    let outcome: SweepOutcome
    do {
      outcome = try script.run(shard: shard, threads: threads) { done, total in progress.report(done, total) }
    } catch {
      progress.clear()
      StandardOutput.warn(error.message)
      throw ExitCode(error.status)
    }
    progress.clear()
    var out = StandardOutput()
    for line in outcome.jsonLines(shard: shard) where !out.isBroken { out.writeLine(line) }
    let seconds = Date().timeIntervalSince(started)
    let part = shard.map { " (shard \($0.index)/\($0.count))" } ?? ""
    StandardOutput.warn(
      "sweep\(part): \(outcome.runs.count) of \(outcome.planned.count) runs in \(String(format: "%.2f", seconds)) s "
        + "on \(threads) thread\(threads == 1 ? "" : "s")")
    if outcome.interrupted {
      StandardOutput.warn("interrupted: only the finished runs were printed")
      throw ExitCode(130)
    }
  }
}

/// `entropy-lab merge PARTS…`: shard outputs into the whole sweep's output.
struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Join the outputs of 'entropy-lab sweep FILE --shard I/N' into exactly the unsharded output.",
    discussion: """
      Every part must come from the same FILE and settings (their header lines must agree), shards \
      1…N must each be given once, and every run must be present. Prints the merged JSON lines. \
      Exit status: 0 merged; 1 the parts do not make one whole sweep; 66 a part cannot be read.
      """)

  @Argument(help: "The shards' outputs, in any order.", completion: .file())
  var parts: [String]

  func validate() throws {
    if parts.isEmpty { throw ValidationError("name the shard outputs to merge") }
  }

  func run() throws {
    var texts: [(name: String, text: String)] = []
    for path in parts {
      do {
        texts.append((path, try NotebookFile.read(path, limit: Int.max)))
      } catch {
        StandardOutput.warn("\(error.location): \(error.problem)")
        throw ExitCode(66)
      }
    }
    let lines: [String]
    do {
      lines = try SweepMerge.merge(texts)
    } catch {
      StandardOutput.warn("merge: " + error.message)
      throw ExitCode(1)
    }
    var out = StandardOutput()
    for line in lines where !out.isBroken { out.writeLine(line) }
  }
}

/// "run 12 of 40, 3.1 s, about 7 s left" on standard error at a terminal.
final class SweepProgress: Sendable {
  let enabled: Bool
  let started = Date()
  private let last = Mutex(0.0)

  init(enabled: Bool) { self.enabled = enabled }

  func report(_ done: Int, _ total: Int) {
    guard enabled else { return }
    let elapsed = Date().timeIntervalSince(started)
    let draw = last.withLock { t -> Bool in
      guard elapsed - t >= 0.1 || done == total else { return false }
      t = elapsed
      return true
    }
    guard draw else { return }
    fputs("\r\(SweepProgress.text(done, total, elapsed))\u{1B}[K", StandardStreams.error)
    fflush(StandardStreams.error)
  }

  static func text(_ done: Int, _ total: Int, _ elapsed: Double) -> String {
    let left = done > 0 ? elapsed / Double(done) * Double(total - done) : .nan
    let estimate = left.isFinite ? ", about \(String(format: "%.0f", left.rounded(.up))) s left" : ""
    return "  run \(done) of \(total), \(String(format: "%.1f", elapsed)) s\(estimate) — Ctrl-C stops"
  }

  func clear() {
    guard enabled else { return }
    fputs("\r\u{1B}[K", StandardStreams.error)
    fflush(StandardStreams.error)
  }
}
