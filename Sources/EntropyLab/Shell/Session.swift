import EntropyCore

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

  /// Whether the command failed.
  public var failed: Bool { error != nil }
}

/// A notebook shell session: executes one line at a time against its
/// state. Every front end — the readline prompt, piped scripts, notebook
/// replay and the tests — goes through `execute(_:)`.
public final class Session {
  /// The model, settings, random stream and trajectory.
  public internal(set) var state: LabState
  /// How results are rendered.
  public var style: OutputStyle
  /// The commands this session understands.
  public let table: CommandTable
  /// The cells executed so far, in order.
  public private(set) var cells: [CellResult] = []
  /// Polled between the steps of long commands.
  public var isInterrupted: @Sendable () -> Bool
  /// Told after each step of a long command (done, total).
  public var progress: @Sendable (Int, Int) -> Void = { _, _ in }
  /// Named copies of the state (`checkpoint` / `restore`).
  public internal(set) var checkpoints: [String: LabState] = [:]
  /// The last plot drawn, for `export svg`.
  public internal(set) var lastPlot: Plot?
  /// Set by `quit`.
  public internal(set) var quitRequested = false
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

  /// The number the next cell will get.
  public var nextCellNumber: Int { cells.count + 1 }

  /// Runs one line. A blank line or a comment runs nothing and returns nil.
  @discardableResult
  public func execute(_ line: String) -> CellResult? {
    let tokens: [Token]
    do {
      tokens = try Tokenizer.split(line)
    } catch {
      return record(line, reports: [], error: error)
    }
    guard let first = tokens.first else { return nil }
    do {
      let command = try table.resolve(first.text)
      var reader = ArgumentReader(command: command.name, usage: command.usage, tokens: Array(tokens.dropFirst()))
      switch command.handler {
      case .state(let run):
        var working = state
        let context = CommandContext(style: style, isInterrupted: isInterrupted, progress: progress)
        let reports = try run(&working, &reader, context)
        state = working
        return record(line, reports: reports, error: nil)
      case .session(let run):
        let reports = try run(self, &reader)
        return record(line, reports: reports, error: nil)
      }
    } catch {
      return record(line, reports: [], error: error)
    }
  }

  private func record(_ line: String, reports: [Report], error: LabError?) -> CellResult {
    for case .plot(let plot) in reports { lastPlot = plot }
    let cell = CellResult(
      number: nextCellNumber, input: line, reports: reports, error: error,
      output: Renderer.render(reports, error: error, style: style), quit: quitRequested)
    cells.append(cell)
    return cell
  }
}
