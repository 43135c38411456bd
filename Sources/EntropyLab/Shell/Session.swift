import EntropyCore
import Foundation

/// One executed cell: the line typed, its number and its rendered output.
public struct CellResult: Sendable, Equatable {
  /// The cell's number (1-based), shown in the prompt as `[n]>`.
  public var number: Int
  /// The line as typed.
  public var input: String
  /// The reports the command produced.
  public var reports: [Report]
  /// The error, if the command failed (the state is then unchanged).
  public var error: LabError?
  /// The rendered output (text or JSON lines), no trailing newline.
  public var output: String
  /// Whether the user asked to leave.
  public var quit: Bool
  /// Whether the command ran but something it ran failed (a `replay` whose
  /// notebook had a failing or refused cell): the cell counts as failed,
  /// though it has no error and its effects stay.
  public var failedInside = false

  /// Whether the command failed.
  public var failed: Bool { error != nil || failedInside }
}

/// A notebook shell session: executes one line at a time against its
/// state. Every front end — the readline prompt, piped scripts, notebook
/// replay and the tests — goes through `execute(_:)`.
///
/// Rollback: a failed command leaves the state bit for bit as it was,
/// without copying the whole state on every command.
/// - Most state commands run on a working copy of `LabState`, a value whose
///   arrays are copy-on-write: the copy shares the session's buffers, so a
///   command that only reads them (`predict`, `show`, `status`) or changes
///   small fields copies nothing big; on error the copy is dropped.
/// - The commands that write the S × K arrays (`step`, `run`, `policy`,
///   `rewards`, `adv`) are marked `Command.changesInPlace`: the session
///   moves its state into the handler, so no other reference to the
///   buffers exists and they are written in place, and the handler
///   validates before its first change (an exact step plans every row —
///   predictions and finiteness — before writing any, `RowwiseExactStep`;
///   a fill's inputs are checked before it starts), so an error can only
///   come before the state changed. A checkpoint still shares the buffers,
///   and copy-on-write then copies them once, as it must.
/// `SessionRollbackTests` fail such commands at scale and compare the state
/// with a copy taken before, bit for bit.
public final class Session {
  /// The model, settings, random stream and trajectory.
  public internal(set) var state: LabState
  /// How results are rendered.
  public var style: OutputStyle
  /// The commands this session understands.
  public let table: CommandTable
  /// The cells executed so far, in order.
  public private(set) var cells: [CellResult] = []
  /// The cells and the prose between them, in order (see `SessionEntry`).
  public private(set) var entries: [SessionEntry] = []
  /// The lines of a multi-line `note` being typed (nil when none is): a
  /// bare `note` starts one, a line holding only `.` ends it.
  public private(set) var pendingNote: [String]?
  /// Polled between the steps of long commands.
  public var isInterrupted: @Sendable () -> Bool
  /// Told after each step of a long command (done, total).
  public var progress: @Sendable (Int, Int) -> Void = { _, _ in }
  /// Told after each finished run of a sweep (done, total).
  public var runProgress: @Sendable (Int, Int) -> Void = { _, _ in }
  /// Threads a sweep runs on (default: every core).
  public var sweepThreads = ProcessInfo.processInfo.activeProcessorCount
  /// The last sweep, for `plot sweep` and `export csv|json`.
  public internal(set) var lastSweep: SweepOutcome?
  /// `trajectoryMark` when the last sweep ran: exports write the sweep
  /// while the trajectory has not changed since.
  var lastSweepMark: [Int] = []
  /// Named copies of the state (`checkpoint` / `restore`).
  public internal(set) var checkpoints: [String: LabState] = [:]
  /// The last plot drawn, for `export svg`.
  public internal(set) var lastPlot: Plot?
  /// Set by `quit`.
  public internal(set) var quitRequested = false
  /// Set by a command whose cell must count as failed without an error
  /// (`markCellFailed`); consumed when the cell is recorded.
  private var cellFailedInside = false
  /// The bytes of the cells' inputs and outputs and of the prose so far
  /// (counted in the memory budget, see `heldBytes`).
  public internal(set) var cellBytes = 0
  /// The bytes of the open note's lines (kept as a sum: adding them up
  /// per line would make a long note quadratic).
  var pendingNoteBytes = 0
  /// The seed the session started with; `save` records it in a notebook's
  /// header so a replay starts from the same random stream.
  public let initialSeed: UInt64
  /// What file-touching commands (`save`, `replay`, `export …`) may do:
  /// everything for lines the user types, less while a notebook's cells
  /// replay (see `FileAccessPolicy`).
  public var fileAccess = FileAccessPolicy.trusted

  /// A session seeded with `seed`.
  public init(
    seed: UInt64 = 0, style: OutputStyle = .plain, table: CommandTable = .standard,
    isInterrupted: @escaping @Sendable () -> Bool = { Interruption.consume() }
  ) {
    self.state = LabState(seed: seed)
    self.initialSeed = seed
    self.style = style
    self.table = table
    self.isInterrupted = isInterrupted
  }

  /// `isInterrupted`, or the time budget spent (`RunBudget`): what long
  /// commands and replays poll between steps and cells.
  public var stopRequested: @Sendable () -> Bool {
    let interrupted = isInterrupted
    return { interrupted() || RunBudget.timeIsUp }
  }

  /// What identifies the trajectory's state for `lastSweepMark`.
  var trajectoryMark: [Int] { [state.stepsTaken, state.trajectory.count, state.policy.states, state.policy.arms] }

  /// The last sweep, if nothing changed the trajectory since it ran.
  public var currentSweep: SweepOutcome? { lastSweepMark == trajectoryMark ? lastSweep : nil }

  /// The number the next cell will get.
  public var nextCellNumber: Int { cells.count + 1 }

  /// Whether a multi-line `note` is being typed (front ends show a
  /// continuation prompt).
  public var isWritingNote: Bool { pendingNote != nil }

  /// Runs one line. A blank line runs nothing and returns nil; a line that
  /// is only a `# comment` becomes a paragraph of prose (its text, without
  /// the `#`) and returns nil; while a multi-line `note` is open, each line
  /// is added to it (see `note`).
  @discardableResult
  public func execute(_ line: String) -> CellResult? {
    if let refused = InputLine.problem(line, isCommand: false) { return refuse(line, refused) }
    if pendingNote != nil { return continueNote(with: line) }
    let trimmed = line.drop { $0.isWhitespace }
    if trimmed.hasPrefix("#") {
      addProse(String(trimmed.drop { $0 == "#" }.drop { $0 == " " || $0 == "\t" }))
      return nil
    }
    if let refused = InputLine.problem(line) { return refuse(line, refused) }
    let word = String(trimmed.prefix { !$0.isWhitespace })
    if !word.isEmpty, let command = try? table.resolve(word), case .text(let run) = command.handler {
      let rest = String(trimmed.dropFirst(word.count).drop { $0.isWhitespace })
      do {
        return record(line, reports: try run(self, rest), error: nil, asCell: command.recordsCell)
      } catch {
        return record(line, reports: [], error: error, asCell: command.recordsCell)
      }
    }
    let tokens: [Token]
    do {
      tokens = try Tokenizer.split(line)
    } catch {
      return record(line, reports: [], error: error)
    }
    guard let first = tokens.first else { return nil }
    do throws(LabError) {
      let command = try table.resolve(first.text)
      var reader = ArgumentReader(command: command.name, usage: command.usage, tokens: Array(tokens.dropFirst()))
      switch command.handler {
      case .state(let run):
        let context = CommandContext(
          style: style, isInterrupted: stopRequested, progress: progress, heldBytes: heldOutsideState)
        if command.changesInPlace {
          // Moved out, so the working state is the only holder of its
          // buffers and a change writes them in place; the handler throws
          // only before its first change, so on error this puts back the
          // state exactly as it was.
          var working = state
          state = LabState(seed: 0)
          let reports: [Report]
          do throws(LabError) {
            reports = try run(&working, &reader, context)
          } catch {
            state = working
            throw error
          }
          state = working
          return record(line, reports: reports, error: nil)
        }
        var working = state
        let reports = try run(&working, &reader, context)
        state = working
        return record(line, reports: reports, error: nil)
      case .session(let run):
        let reports = try run(self, &reader)
        return record(line, reports: reports, error: nil, asCell: command.recordsCell)
      case .text(let run):
        let reports = try run(self, reader.remaining.map(\.text).joined(separator: " "))
        return record(line, reports: reports, error: nil, asCell: command.recordsCell)
      }
    } catch {
      let recorded = (try? table.resolve(first.text))?.recordsCell ?? true
      return record(line, reports: [], error: error, asCell: recorded)
    }
  }

  /// Applies settings by key before (or between) cells, all or none; not a
  /// cell (`entropy-lab --set KEY=VALUE`).
  public func apply(settings: [(key: String, value: String)]) throws(LabError) {
    try SettingsRegistry.apply(settings, to: &state, command: "--set")
  }

  /// Adds a paragraph of Markdown prose after the cells so far (blank
  /// lines at either end dropped; nothing for blank text).
  public func addProse(_ markdown: String) {
    // Trailing whitespace trimmed from the end only (reversing each line
    // twice walked every character: 170,000 lines of prose took minutes
    // under the fuzzer's sanitizer).
    var lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      var end = line.endIndex
      while end > line.startIndex, line[line.index(before: end)].isWhitespace { end = line.index(before: end) }
      return String(line[..<end])
    }
    // By index: removeFirst in a loop is quadratic in a run of blank lines.
    guard let first = lines.firstIndex(where: { !$0.isEmpty }), let last = lines.lastIndex(where: { !$0.isEmpty })
    else { return }
    lines = Array(lines[first...last])
    let prose = NotebookParser.proseSafe(lines.joined(separator: "\n"))
    cellBytes += prose.utf8.count
    entries.append(.prose(prose))
  }

  /// Starts a multi-line note (`note` with no text).
  func beginNote() {
    pendingNote = []
    pendingNoteBytes = 0
  }

  /// One line of an open multi-line note: `.` alone ends it.
  private func continueNote(with line: String) -> CellResult? {
    guard line.trimmingCharacters(in: .whitespaces) == "." else {
      do throws(CoreError) {
        try MemoryBudget.check(bytes: Double(line.utf8.count), held: heldBytes)
      } catch {
        return refuse(
          line,
          LabError.overBudget(
            error, command: "note", what: "this line of the note", advice: "end the note with a line holding '.'"))
      }
      // Appended in place (copying the note per line would be quadratic).
      pendingNote?.append(line)
      pendingNoteBytes += line.utf8.count
      return nil
    }
    let note = pendingNote ?? []
    pendingNote = nil
    pendingNoteBytes = 0
    let before = entries.count
    addProse(note.joined(separator: "\n"))
    let message =
      entries.count > before
      ? "note: \(note.count) line\(note.count == 1 ? "" : "s") of prose added"
      : "note: nothing to add (the note was blank)"
    return record(".", reports: [.message(message)], error: nil, asCell: false)
  }

  /// A line refused before it ran (`InputLine`): an error that is not a
  /// cell, so `save` never writes it, holding at most 80 characters of it.
  private func refuse(_ line: String, _ error: LabError) -> CellResult {
    let shown = line.utf8.count > 320 || line.count > 80 ? String(line.prefix(80)) + "…" : line
    return record(shown, reports: [], error: error, asCell: false)
  }

  private func record(_ line: String, reports: [Report], error: LabError?, asCell: Bool = true) -> CellResult {
    for case .plot(let plot) in reports { lastPlot = plot }
    let cell = CellResult(
      number: nextCellNumber, input: line, reports: reports, error: error,
      output: Renderer.render(reports, error: error, style: style, cell: (nextCellNumber, line)),
      quit: quitRequested,
      failedInside: error == nil && cellFailedInside)
    cellFailedInside = false
    if asCell {
      // The output is kept twice (as text and as reports), roughly.
      cellBytes += line.utf8.count + 2 * cell.output.utf8.count + 64
      entries.append(.cell(index: cells.count))
      cells.append(cell)
    }
    return cell
  }

  /// Makes the cell being run count as failed, keeping its reports and
  /// effects (a `replay` whose notebook failed).
  func markCellFailed() {
    cellFailedInside = true
  }

  /// Everything a command can change in a session: what the presenter
  /// keeps to step back one cell.
  public struct Snapshot: Sendable {
    fileprivate var state: LabState
    fileprivate var cells: [CellResult]
    fileprivate var entries: [SessionEntry]
    fileprivate var pendingNote: [String]?
    fileprivate var checkpoints: [String: LabState]
    fileprivate var lastPlot: Plot?
    fileprivate var quitRequested: Bool
    fileprivate var cellBytes: Int
  }

  /// The session as it is now (state, cells, prose, checkpoints, last plot).
  public func snapshot() -> Snapshot {
    Snapshot(
      state: state, cells: cells, entries: entries, pendingNote: pendingNote, checkpoints: checkpoints,
      lastPlot: lastPlot, quitRequested: quitRequested, cellBytes: cellBytes)
  }

  /// Returns the session to `snapshot`, bit for bit.
  public func restore(_ snapshot: Snapshot) {
    state = snapshot.state
    cells = snapshot.cells
    entries = snapshot.entries
    pendingNote = snapshot.pendingNote
    pendingNoteBytes = snapshot.pendingNote?.reduce(0) { $0 + $1.utf8.count } ?? 0
    checkpoints = snapshot.checkpoints
    lastPlot = snapshot.lastPlot
    quitRequested = snapshot.quitRequested
    cellBytes = snapshot.cellBytes
  }
}
