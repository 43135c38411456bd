extension HandoutItem {
  /// The handout item of an executed cell: its input, reports and error.
  public init(_ cell: CellResult) {
    self = .cell(input: cell.input, reports: cell.reports, error: cell.error)
  }

  /// Commands a handout leaves out: those `save` leaves out (file
  /// commands and `quit`) and `checkpoint`, which only names a state for
  /// later and shows the reader nothing. `restore` stays, since the state
  /// it returns to changes what follows.
  public static let skippedCommands = NotebookWriter.skippedCommands.union(["checkpoint"])

  /// The handout items of a session's cells, in order.
  public static func items(from cells: [CellResult]) -> [HandoutItem] {
    cells.map(HandoutItem.init)
  }

  /// The handout of a session: its prose and its cells in the order they
  /// happened, without file and checkpoint commands (`skippedCommands`).
  public static func items(from session: Session) -> [HandoutItem] {
    session.entries.compactMap { entry in
      switch entry {
      case .prose(let text):
        return .prose(text)
      case .cell(let index):
        let cell = session.cells[index]
        return isSkipped(cell.input, table: session.table) ? nil : HandoutItem(cell)
      }
    }
  }

  /// Whether a handout leaves the line out (see `skippedCommands`).
  public static func isSkipped(_ line: String, table: CommandTable) -> Bool {
    guard let first = (try? Tokenizer.split(line))?.first?.text else { return false }
    if let command = try? table.resolve(first) { return skippedCommands.contains(command.name) }
    return skippedCommands.contains(first)
  }
}
