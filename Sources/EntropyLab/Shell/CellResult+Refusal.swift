extension CellResult {
  /// A line refused before it ran, by a front end's own rule (the live
  /// page's file policy): an error cell that ran nothing and that the
  /// session does not record, numbered as the next cell would be.
  public static func refused(_ line: String, error: LabError, number: Int, style: OutputStyle) -> CellResult {
    CellResult(
      number: number, input: line, reports: [], error: error,
      output: Renderer.render([], error: error, style: style), quit: false)
  }
}
