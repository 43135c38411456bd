import EntropyCore

/// The memory a listing command (`show`, `tokens`, `history`) allocates,
/// checked against `MemoryBudget` before anything is allocated: its
/// scratch arrays (per-arm values, a sort order) and its table, whose rows
/// are held as cells, rendered as text or JSON, kept as the cell's output
/// and written out.
enum ListingBudget {
  /// The bytes one table row costs, all copies included: a `show all` row
  /// of 9 cells is ~90 bytes of text, 9 `Table.Cell`s and an array header
  /// (~330 bytes), the padded rendering and the cell's kept output. Measured
  /// (release, `policy arms 1000000`, `show all`, `--json` too): the peak
  /// resident size grew by about 600–1,000 bytes a row; this figure is the
  /// upper end, so a listing that passes the check fits.
  static let bytesPerRow: Double = 1000

  /// Throws a refusal naming `what` and `advice` unless `rows` table rows
  /// and `scratch` bytes fit besides what the session holds.
  static func check(
    rows: Int, scratch: Double, state: LabState, context: CommandContext, command: String, what: String,
    advice: String
  ) throws(LabError) {
    do throws(CoreError) {
      try MemoryBudget.check(
        bytes: Double(rows) * bytesPerRow + scratch, held: context.heldBytes + state.heldBytes)
    } catch {
      throw LabError.overBudget(error, command: command, what: what, advice: advice)
    }
  }
}
