import Dispatch
import EntropyCore
import Synchronization

/// One finished run of a sweep.
public struct SweepRun: Sendable, Equatable {
  /// Its number in the grid (see `SweepGrid`).
  public var index: Int
  /// Its setting combination.
  public var combination: Int
  /// Its seed.
  public var seed: UInt64
  /// Its steps (numbered on from the session's step count).
  public var records: [StepRecord]
  /// Why it stopped early, if a step's update was not finite.
  public var failure: String?
}

/// What a sweep did: the finished runs, in run order.
public struct SweepOutcome: Sendable {
  /// The grid it ran.
  public var grid: SweepGrid
  /// The runs it was asked to run (all, or one shard's).
  public var planned: [Int]
  /// The runs that finished, sorted by index.
  public var runs: [SweepRun]
  /// Whether Ctrl-C stopped it (then `runs` holds only finished runs).
  public var interrupted: Bool
  /// The session's step count when it started (runs number on from it).
  public var startStep: Int
  /// The typed JSON value of each swept setting, per combination and axis.
  public var settingValues: [[JSONValue]]
}

/// Runs a sweep's runs in parallel, deterministically.
///
/// Properties:
/// - run `i` starts from a copy of the given state with its combination's
///   settings applied, then its seed set (`seed n`), its trajectory and
///   last tokens cleared; so it equals `set …`, `seed n`, `run N` typed in
///   the session;
/// - a run's result depends only on its settings and seed: runs share
///   nothing, and results are stored by run number, so the thread count
///   and the order in which runs finish change nothing;
/// - Ctrl-C (`isInterrupted`) is polled between steps; runs in progress are
///   dropped, finished ones kept.
public enum SweepEngine {
  /// Applies settings to a state (the settings registry).
  public typealias Apply = @Sendable ([(key: String, value: String)], inout LabState) throws(LabError) -> Void
  /// Reads a setting's typed value as JSON.
  public typealias Read = @Sendable (String, LabState) -> JSONValue

  /// The bytes a sweep will hold: every run's trajectory, plus one working
  /// state (about six S × K arrays) per thread.
  public static func bytesNeeded(grid: SweepGrid, runs: Int, state: LabState, threads: Int) -> Double {
    let perStep = Double(MemoryLayout<StepRecord>.stride + MemoryLayout<SampledCounts>.stride)
    let cells = Double(state.policy.states) * Double(state.policy.arms)
    return Double(runs) * Double(grid.steps) * perStep
      + Double(threads) * cells * 8 * Double(MemoryBudget.arraysPerSession)
  }

  /// Checks that every combination's settings apply (and the `each`
  /// commands run), and reads their typed values.
  ///
  /// - Throws: the first combination's error, naming its settings.
  public static func validate(grid: SweepGrid, from state: LabState, apply: Apply, read: Read)
    throws(LabError) -> [[JSONValue]]
  {
    if grid.runCount > 0 { _ = try start(0, grid: grid, from: state, apply: apply) }
    var values: [[JSONValue]] = []
    for c in 0..<grid.combinationCount {
      var s = state
      let settings = grid.combination(c)
      do throws(LabError) {
        try apply(settings, &s)
      } catch {
        var e = error
        e.problem += " (in the sweep's combination \(grid.label(c)))"
        throw e
      }
      values.append(settings.map { read($0.key, s) })
    }
    return values
  }

  /// The state run `i` starts from.
  static func start(_ i: Int, grid: SweepGrid, from state: LabState, apply: Apply) throws(LabError) -> LabState {
    let (c, seed) = grid.run(i)
    var s = state
    s.trajectory = []
    s.segmentStart = 0
    s.lastTokens = []
    s.adam = AdamState()
    try apply(grid.combination(c), &s)
    s.seed = seed
    s.generator = SplitMix64(seed: seed)
    let steps = s.stepsTaken
    for line in grid.each {
      let tokens = try Tokenizer.split(line)
      guard let first = tokens.first else { continue }
      let command = try CommandTable.standard.resolve(first.text)
      guard case .state(let run) = command.handler else {
        throw LabError(command: "sweep", word: line, problem: "is not a command that changes the state")
      }
      var reader = ArgumentReader(command: command.name, usage: command.usage, tokens: Array(tokens.dropFirst()))
      _ = try run(&s, &reader, CommandContext(style: .plain, isInterrupted: { false }))
    }
    // What `each` did is set-up, not part of the run (a `policy` set-up
    // does not start a new segment either).
    s.trajectory = []
    s.segmentStart = 0
    s.stepsTaken = steps
    s.lastTokens = []
    s.adam = AdamState()
    return s
  }

  /// Runs `runs` (run numbers of `grid`) from `state` on `threads` threads.
  ///
  /// - Parameters:
  ///   - progress: told (done, total) after each finished run, from any thread.
  public static func run(
    grid: SweepGrid, runs: [Int], from state: LabState, threads: Int, apply: @escaping Apply, read: Read,
    isInterrupted: @escaping @Sendable () -> Bool, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
  ) throws(LabError) -> SweepOutcome {
    let values = try validate(grid: grid, from: state, apply: apply, read: read)
    let slots = Mutex([SweepRun?](repeating: nil, count: runs.count))
    let next = Atomic<Int>(0)
    let done = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
    let workers = max(1, min(threads, runs.count))
    let steps = grid.steps
    let stopped: @Sendable () -> Bool = {
      if stop.load(ordering: .relaxed) { return true }
      if isInterrupted() {
        stop.store(true, ordering: .relaxed)
        return true
      }
      return false
    }
    let work: @Sendable (Int) -> Void = { _ in
      while !stopped() {
        let slot = next.wrappingAdd(1, ordering: .relaxed).oldValue
        guard slot < runs.count else { return }
        let i = runs[slot]
        let (c, seed) = grid.run(i)
        // Validated above, so applying cannot fail here.
        guard var s = try? start(i, grid: grid, from: state, apply: apply) else { continue }
        var records: [StepRecord] = []
        records.reserveCapacity(steps)
        var failure: String?
        for _ in 0..<steps {
          if stopped() { return }
          do throws(CoreError) {
            records.append(try s.takeStep().0)
            RunBudget.count(1)
          } catch {
            failure = LabError.describe(error)
            break
          }
        }
        let result = SweepRun(index: i, combination: c, seed: seed, records: records, failure: failure)
        slots.withLock { $0[slot] = result }
        let n = done.wrappingAdd(1, ordering: .relaxed).newValue
        progress(n, runs.count)
      }
    }
    if workers == 1 {
      work(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: workers, execute: work)
    }
    let finished = slots.withLock { $0.compactMap { $0 } }.sorted { $0.index < $1.index }
    return SweepOutcome(
      grid: grid, planned: runs, runs: finished, interrupted: finished.count < runs.count,
      startStep: state.stepsTaken, settingValues: values)
  }
}
