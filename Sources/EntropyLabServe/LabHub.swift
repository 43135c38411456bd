import EntropyCore
import EntropyLab
import Synchronization

/// The one `Session` that the terminal and the page share, and everything
/// that drives it: an actor, so lines from the readline shell and from any
/// number of pages run one at a time, in the order they arrive, each to the
/// end before the next starts.
///
/// Every change is broadcast to the subscribed pages as a fresh view
/// (`PageView`). Lines from the page run under the page's file policy
/// (`pageMode`: no files at all unless `serve --allow-writes DIR`) and may
/// not `quit`; lines from the terminal are trusted, as in the shell.
public actor LabHub {
  /// Runs the hub's work on its own queue, off the cooperative pool (see
  /// `HubExecutor`).
  private nonisolated let executor = HubExecutor()

  public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

  /// The session both sides type into.
  let session: Session
  /// What file commands from the page may do.
  let pageMode: FileAccessPolicy.Mode
  /// The lesson opened with `serve FILE.md`, if any.
  private var lesson: LessonCursor?
  /// The session before each recent line (Undo) and before each lesson cell (Back).
  private var undoStack: [UndoEntry] = []
  /// Lines kept for Undo besides the lesson's cells (the oldest are dropped).
  static let undoDepth = 30
  /// The most bytes of states those lines may hold (the oldest are dropped
  /// first, the last line always kept): 512 MiB, some thirty states of
  /// 4 × 151,936 arms; at 256 states × 151,936 arms only the last line.
  static let undoBytes = 512.0 * 1024 * 1024
  /// Bumped at every change; sent with every view.
  private var version = 0
  /// The pages listening for views, with the state each one shows.
  private var subscribers: [Int: Subscriber] = [:]
  private var nextSubscriberID = 0
  /// Cells the page ran that the terminal has not printed yet.
  private var unseenByTerminal: [CellResult] = []
  /// Whether a line is running (read without waiting for the actor, which
  /// is busy running it).
  private let running = RunningFlag()
  /// How many Stops arrived (read and counted without waiting for the actor).
  private let stops = StopCounter()
  /// The page's Stop, this hub's own flag (the session polls it between
  /// steps, with the process's Ctrl-C flag for the terminal): two hubs in
  /// one process, as in the tests, never stop or clear each other's runs.
  private let stopFlag: InterruptionFlag

  struct Subscriber {
    var send: @Sendable (String) -> Void
    var state: Int
  }

  /// A hub around a fresh session seeded with `seed` (a lesson's header
  /// seed wins), rendering for the terminal in `style`.
  public init(
    seed: UInt64, style: OutputStyle, lesson notebook: Notebook?, path: String?, pageMode: FileAccessPolicy.Mode
  ) {
    let stop = InterruptionFlag()
    stopFlag = stop
    session = Session(
      seed: notebook?.header?.seed ?? seed, style: style,
      isInterrupted: { stop.consume() || Interruption.consume() })
    self.pageMode = pageMode
    if let notebook {
      lesson = LessonCursor(presentation: Presentation(notebook), path: path ?? notebook.path)
    }
  }

  // MARK: Lines

  /// Runs one line from `origin`, remembering the session before it for
  /// Undo, and tells every page. Returns the cell (nil for a blank line or
  /// prose) and whether it joined the session's cells.
  ///
  /// `stopsSeen` is `stopCount` when the line arrived: a Stop pressed
  /// after that but before the line started interrupts it at once (a run
  /// then takes one step), so Stop halts what was asked before it even
  /// while it still waits its turn.
  public func execute(
    _ line: String, from origin: LineOrigin, stopsSeen: Int? = nil
  ) -> (cell: CellResult, recorded: Bool)? {
    run(line, from: origin, lessonCell: false, stopsSeen: stopsSeen)
  }

  private func run(
    _ line: String, from origin: LineOrigin, lessonCell: Bool, stopsSeen: Int? = nil
  ) -> (cell: CellResult, recorded: Bool)? {
    let before = session.snapshot()
    let cellsBefore = session.cells.count
    Interruption.reset()
    stopFlag.reset()
    if let stopsSeen, stops.value > stopsSeen { stopFlag.request() }
    running.set(true)
    defer { running.set(false) }
    let cell: CellResult?
    if origin == .page {
      if let refusal = refusal(of: line) {
        cell = refusal
      } else {
        let outer = session.fileAccess.mode
        session.fileAccess.mode = session.fileAccess.restricting(pageMode)
        cell = session.execute(line)
        session.fileAccess.mode = outer
      }
    } else {
      cell = session.execute(line)
    }
    let recorded = session.cells.count > cellsBefore
    if recorded || lessonCell || cell == nil {
      push(
        UndoEntry(
          snapshot: before, lessonIndex: lesson?.index ?? 0, isLessonCell: lessonCell, bytes: session.state.heldBytes))
    }
    if lessonCell { lesson?.index += 1 }
    if origin == .page, let cell { unseenByTerminal.append(cell) }
    changed()
    return cell.map { ($0, recorded) }
  }

  /// The refusal of a line from the page before it runs, or nil: `quit`,
  /// and file commands the page's policy does not let check their paths.
  private func refusal(of line: String) -> CellResult? {
    guard let word = (try? Tokenizer.split(line))?.first?.text, let command = try? session.table.resolve(word) else {
      return nil
    }
    var error: LabError?
    if command.name == "quit" {
      error = LabError(
        command: "quit", problem: "not from the page: the session ends at the terminal (quit or Ctrl-D there)")
    } else if let access = FileAccessPolicy.fileCommands[command.name] {
      let verb = access == .write ? "write" : "read"
      switch pageMode {
      case .trusted: break
      case .safe(nil):
        error = LabError(
          command: word,
          problem: "refused: commands from the page may not \(verb) files; "
            + "start 'entropy-lab serve --allow-writes DIR' to allow files inside DIR only, or type it at the terminal")
      case .safe(let folder?):
        if !FileAccessPolicy.pathCheckingCommands.contains(command.name) {
          error = LabError(
            command: word,
            problem: "refused: this command does not check its paths against --allow-writes (\(folder)) yet; "
              + "type it at the terminal")
        }
      }
    }
    guard let error else { return nil }
    return CellResult.refused(line, error: error, number: session.nextCellNumber, style: session.style)
  }

  private func push(_ entry: UndoEntry) {
    undoStack.append(entry)
    while true {
      let plain = undoStack.indices.filter { !undoStack[$0].isLessonCell }
      let bytes = plain.reduce(0) { $0 + undoStack[$1].bytes }
      guard plain.count > 1, plain.count > LabHub.undoDepth || bytes > LabHub.undoBytes, let oldest = plain.first
      else { return }
      undoStack.remove(at: oldest)
    }
  }

  // MARK: Buttons

  /// Undo: the session (and the lesson's position) as before the last line.
  /// Returns false when there is nothing to undo.
  @discardableResult
  public func undo() -> Bool {
    guard let entry = undoStack.popLast() else { return false }
    session.restore(entry.snapshot)
    lesson?.index = entry.lessonIndex
    changed()
    return true
  }

  /// Next: runs the lesson's next cell (as from the page). Nil at the end
  /// of the lesson or without one.
  public func next() -> (cell: CellResult, recorded: Bool)? {
    guard let lesson, lesson.index < lesson.presentation.slides.count else { return nil }
    return run(lesson.presentation.slides[lesson.index].command, from: .page, lessonCell: true)
  }

  /// Back: the session as before the lesson's last cell, undoing whatever
  /// ran since, as `entropy-lab present`'s `b` does. False at the start.
  @discardableResult
  public func back() -> Bool {
    guard let at = undoStack.lastIndex(where: \.isLessonCell) else { return false }
    let entry = undoStack[at]
    undoStack.removeSubrange(at...)
    session.restore(entry.snapshot)
    lesson?.index = entry.lessonIndex
    changed()
    return true
  }

  /// Stop: interrupts the running line between steps, as Ctrl-C at the
  /// terminal does, and counts itself (`stopCount`) so that lines which
  /// arrived before it and have not started are interrupted when they do
  /// (`execute(_:from:stopsSeen:)`). Requests nothing when no line runs (a
  /// stale request would otherwise discard the line being typed at the
  /// terminal's prompt).
  public nonisolated func interrupt() {
    stops.increment()
    if running.isSet { stopFlag.request() }
  }

  /// Whether a Stop waits to be seen by the running line (false when no
  /// line runs: a Stop then leaves nothing behind).
  public nonisolated var isStopPending: Bool { stopFlag.isSet }

  /// How many Stops the hub has had.
  public nonisolated var stopCount: Int { stops.value }

  // MARK: Terminal

  /// The prompt the terminal shows next.
  public var prompt: String { session.isWritingNote ? "note> " : "[\(session.nextCellNumber)]> " }

  /// Whether a `quit` was typed at the terminal.
  public var quitRequested: Bool { session.quitRequested }

  /// Sets the width the terminal's outputs are rendered at.
  public func setTerminalWidth(_ width: Int?) { session.style.width = width }

  /// The cells the page ran since the terminal last asked, as the terminal
  /// prints them: `[n]> line   (from the page)` and the output.
  public func takePageCells() -> [CellResult] {
    defer { unseenByTerminal = [] }
    return unseenByTerminal
  }

  // MARK: Views

  /// The view of the session with the bars of state `state`.
  public func view(state: Int = 0) -> String {
    PageView.json(session: session, state: state, lesson: lesson, version: version, pageFiles: pageFilesNote).serialized
  }

  /// What the page may do with files, in words (shown on the page).
  var pageFilesNote: String {
    switch pageMode {
    case .trusted: return "file commands allowed"
    case .safe(nil): return "file commands refused (serve --allow-writes DIR allows a folder)"
    case .safe(let folder?): return "files only inside \(folder)"
    }
  }

  /// Registers a page: `send` gets a view now and after every change.
  /// Returns the id to `unsubscribe` or `choose(state:for:)` with.
  public func subscribe(state: Int = 0, send: @escaping @Sendable (String) -> Void) -> Int {
    nextSubscriberID += 1
    subscribers[nextSubscriberID] = Subscriber(send: send, state: state)
    send(view(state: state))
    return nextSubscriberID
  }

  /// Forgets a page.
  public func unsubscribe(_ id: Int) {
    subscribers[id] = nil
  }

  /// Shows state `state`'s bars on page `id` (sends it a view).
  public func choose(state: Int, for id: Int) {
    guard var subscriber = subscribers[id] else { return }
    subscriber.state = max(state, 0)
    subscribers[id] = subscriber
    subscriber.send(view(state: subscriber.state))
  }

  /// How many pages are listening.
  public var subscriberCount: Int { subscribers.count }

  private func changed() {
    version += 1
    for subscriber in subscribers.values { subscriber.send(view(state: subscriber.state)) }
  }
}

/// A flag read from outside the actor.
final class RunningFlag: Sendable {
  private let flag = Atomic<Bool>(false)

  var isSet: Bool { flag.load(ordering: .acquiring) }

  func set(_ value: Bool) { flag.store(value, ordering: .releasing) }
}

/// A count of Stops, kept outside the actor.
final class StopCounter: Sendable {
  private let count = Atomic<Int>(0)

  var value: Int { count.load(ordering: .acquiring) }

  func increment() { count.add(1, ordering: .acquiringAndReleasing) }
}
