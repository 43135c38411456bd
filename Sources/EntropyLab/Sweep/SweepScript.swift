import EntropyCore
import Foundation

/// `entropy-lab sweep FILE`: a notebook (`.md`) or a script whose cells set
/// up a session and whose `sweep` line defines the grid.
///
/// The cells before the `sweep` line run in a fresh session (seeded from
/// the notebook's header, else 0; settings given on the command line are
/// applied before the first cell); the sweep line is parsed, not run, so
/// the caller can run all of it or one shard. Cells after it are refused:
/// a file defines exactly one sweep.
public struct SweepScript {
  /// The session as the cells before the sweep left it.
  public let session: Session
  /// The sweep's grid.
  public let grid: SweepGrid
  /// The sweep line's number in the file.
  public let line: Int

  /// Why a file cannot be run as a sweep: the message and exit status.
  public struct Failure: Error, Sendable {
    public var message: String
    /// 1 for a failing cell or bad sweep line, 65 not usable, 66 unreadable.
    public var status: Int32
  }

  /// Reads `path` and runs its cells up to the sweep line.
  ///
  /// - Parameters:
  ///   - settings: `KEY=VALUE` assignments applied before the first cell.
  public static func prepare(path: String, settings: [(key: String, value: String)]) throws(Failure) -> SweepScript {
    let lines: [(line: Int, command: String)]
    var seed: UInt64 = 0
    do throws(FileError) {
      if path.hasSuffix(".md") {
        let notebook = try NotebookFile.load(path)
        seed = notebook.header?.seed ?? 0
        lines = notebook.cells.map { ($0.line, $0.command) }
      } else {
        let text = try NotebookFile.read(path)
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
          ($0.offset + 1, String($0.element.hasSuffix("\r") ? $0.element.dropLast() : $0.element))
        }
      }
    } catch {
      throw Failure(message: "\(error.location): \(error.problem)", status: error.kind == .unreadable ? 66 : 65)
    }
    // Cells of a file run in safe mode: no file is read or written.
    let session = Session(seed: seed, isInterrupted: { Interruption.consume() })
    session.fileAccess = FileAccessPolicy(mode: .safe(writableFolder: nil))
    if !settings.isEmpty {
      var state = session.state
      do throws(LabError) {
        try SettingsRegistry.apply(settings, to: &state, command: "--set")
      } catch {
        throw Failure(message: error.message, status: 1)
      }
      session.state = state
    }
    var found: (line: Int, grid: SweepGrid)?
    for (number, command) in lines {
      guard let tokens = try? Tokenizer.split(command), let first = tokens.first else { continue }
      let isSweep = (try? session.table.resolve(first.text))?.name == "sweep"
      if let found {
        throw Failure(
          message: "\(path):\(number): '\(command)' comes after the sweep line (line \(found.line)); a sweep file "
            + "defines one sweep, last", status: 1)
      }
      if isSweep {
        var reader = ArgumentReader(
          command: "sweep", usage: SweepCommands.sweep.usage, tokens: Array(tokens.dropFirst()))
        do throws(LabError) {
          found = (number, try SweepGrid.parse(&reader))
        } catch {
          throw Failure(message: "\(path):\(number): " + error.message, status: 1)
        }
        continue
      }
      guard let cell = session.execute(command), let error = cell.error else { continue }
      throw Failure(message: "\(path):\(number): " + error.message, status: 1)
    }
    guard let found else { throw Failure(message: "\(path): has no sweep line", status: 65) }
    return SweepScript(session: session, grid: found.grid, line: found.line)
  }

  /// Runs the whole grid, or shard `shard.index` of `shard.count`.
  ///
  /// - Throws: `Failure` for a setting that does not apply or a sweep too
  ///   large for memory.
  public func run(
    shard: (index: Int, count: Int)?, threads: Int, progress: @escaping @Sendable (Int, Int) -> Void
  ) throws(Failure) -> SweepOutcome {
    let runs = shard.map { grid.shardRuns(index: $0.index, of: $0.count) } ?? Array(0..<grid.runCount)
    do throws(LabError) {
      var reader = ArgumentReader(command: "sweep", usage: SweepCommands.sweep.usage, tokens: [])
      reader.usage = SweepCommands.sweep.usage
      try SweepCommands.checkMemory(grid: grid, runs: runs.count, state: session.state, threads: threads, args: reader)
      return try SweepEngine.run(
        grid: grid, runs: runs, from: session.state, threads: threads, apply: SettingsRegistry.sweepApply,
        read: SettingsRegistry.sweepRead, isInterrupted: session.isInterrupted, progress: progress)
    } catch {
      throw Failure(message: error.message, status: 1)
    }
  }
}

/// `entropy-lab merge PARTS…`: shard outputs back into exactly what the
/// unsharded sweep prints.
///
/// Every part must start with the same grid (its header line, apart from
/// the `shard` field), the shards must be 1…N each once, and together they
/// must hold every run once. The merged output is the header without
/// `shard`, every run line as it was printed, in run order, then the
/// summaries, computed from the runs' numbers (which JSON carries exactly).
public enum SweepMerge {
  /// Why parts do not merge.
  public struct Failure: Error, Equatable, Sendable {
    public var message: String
  }

  /// The merged lines (no line ends).
  public static func merge(_ parts: [(name: String, text: String)]) throws(Failure) -> [String] {
    guard !parts.isEmpty else { throw Failure(message: "no parts to merge") }
    var header: String?
    var shardCount: Int?
    var seen: Set<Int> = []
    var runLines: [Int: String] = [:]
    var runs: [Int: (combination: Int, failed: Bool, steps: [[String: Double]])] = [:]
    var settings: [Int: [(String, JSONValue)]] = [:]
    var total = 0
    var perCombination: [Int: Int] = [:]
    for (name, text) in parts {
      let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
      guard let first = lines.first, case .object(var fields)? = try? JSONParser.parse(first),
        fields.first?.1 == .string("sweep")
      else { throw Failure(message: "\(name): does not start with a sweep's header line") }
      var shard = (1, 1)
      if let i = fields.firstIndex(where: { $0.0 == "shard" }) {
        guard case .array(let pair) = fields[i].1, pair.count == 2, case .int(let a) = pair[0],
          case .int(let b) = pair[1], b >= 1, (1...b).contains(a)
        else { throw Failure(message: "\(name): its shard field is not [I, N]") }
        shard = (a, b)
        fields.remove(at: i)
      }
      let plain = JSONValue.object(fields).serialized
      if let header, header != plain {
        throw Failure(message: "\(name): its sweep differs from the first part's (another grid, state or version)")
      }
      header = plain
      if let n = shardCount, n != shard.1 {
        throw Failure(message: "\(name): is a shard of \(shard.1), the first part of \(n)")
      }
      shardCount = shard.1
      guard seen.insert(shard.0).inserted else { throw Failure(message: "\(name): shard \(shard.0) is given twice") }
      total = JSONValue.object(fields)["runs"].flatMap { if case .int(let n) = $0 { n } else { nil } } ?? 0
      for (offset, line) in lines.dropFirst().enumerated() {
        guard let value = try? JSONParser.parse(line) else {
          throw Failure(message: "\(name):\(offset + 2): is not a JSON line")
        }
        if value["kind"] == .string("summary") { continue }
        guard value["kind"] == .string("run"), case .int(let index)? = value["run"],
          case .int(let c)? = value["combination"], case .object(let s)? = value["settings"],
          case .array(let steps)? = value["steps"]
        else { throw Failure(message: "\(name):\(offset + 2): is not a run line") }
        guard runLines[index] == nil else { throw Failure(message: "\(name): run \(index) appears twice") }
        runLines[index] = line
        settings[c] = s
        perCombination[c, default: 0] += 1
        var fieldsPerStep: [[String: Double]] = []
        for step in steps {
          guard case .object(let pairs) = step else { throw Failure(message: "\(name): run \(index) has a bad step") }
          var d: [String: Double] = [:]
          for (k, v) in pairs { if let x = v.doubleValue { d[k] = x } }
          fieldsPerStep.append(d)
        }
        runs[index] = (c, value["error"] != nil, fieldsPerStep)
      }
    }
    guard let header, let n = shardCount else { throw Failure(message: "no parts to merge") }
    let missingShards = (1...n).filter { !seen.contains($0) }
    guard missingShards.isEmpty else {
      throw Failure(
        message:
          "shard\(missingShards.count == 1 ? "" : "s") \(missingShards.map(String.init).joined(separator: ", ")) of \(n) missing"
      )
    }
    let missing = (0..<total).filter { runLines[$0] == nil }
    guard missing.isEmpty else {
      throw Failure(
        message: "\(missing.count) of \(total) runs are missing (first: run \(missing[0])); was a shard interrupted?")
    }
    // Runs in run order, so summaries sum in the unsharded order.
    let order = runLines.keys.sorted()
    let summaries = SweepSummary.make(
      runs: order.compactMap { runs[$0] }, settings: { settings[$0] ?? [] }, planned: perCombination)
    return [header] + order.compactMap { runLines[$0] } + summaries.map(\.json.serialized)
  }
}
