/// One piece of a handout (an exported HTML page): prose from a notebook,
/// or a cell with the results it produced.
public enum HandoutItem: Sendable, Equatable {
  /// Markdown prose.
  case prose(String)
  /// A cell: the line typed, its reports (tables, plots, …) and its error.
  case cell(input: String, reports: [Report], error: LabError?)
}
