extension HandoutItem {
  /// The handout item of an executed cell: its input, reports and error.
  public init(_ cell: CellResult) {
    self = .cell(input: cell.input, reports: cell.reports, error: cell.error)
  }

  /// The handout items of a session's cells, in order.
  public static func items(from cells: [CellResult]) -> [HandoutItem] {
    cells.map(HandoutItem.init)
  }
}
