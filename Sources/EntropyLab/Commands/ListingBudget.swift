import EntropyCore

/// The memory a listing command (`show`, `tokens`, `history`) allocates,
/// checked against `MemoryBudget` before anything is allocated: its
/// scratch arrays (per-arm values, a sort order) and its table, whose rows
/// are held as cells, rendered as text or JSON, kept as the cell's output
/// and written out.
enum ListingBudget {
  /// The bytes one table row costs, all copies included: its cells, the
  /// rendering, the cell's kept output and the write. Measured in release
  /// on 2 Dec 2026 as the growth of the peak resident size (`policy arms
  /// 1000000`, then `show all` against `show`): 703 bytes a row as text,
  /// 1,502 as JSON (`--json`); `tokens all` over 100,000 token-updates: 502
  /// as text; `history` over 50,000 steps: about 860 a row in a debug
  /// build, the copy of its records included (charged 800 plus the copy).
  /// These figures round them up, so a listing that passes fits.
  static let bytesPerTextRow: Double = 800
  /// As `bytesPerTextRow`, for JSON output.
  static let bytesPerJSONRow: Double = 1600

  /// Throws a refusal naming `what` and `advice` unless `rows` table rows
  /// and `scratch` bytes fit besides what the session holds.
  static func check(
    rows: Int, scratch: Double, state: LabState, context: CommandContext, command: String, what: String,
    advice: String
  ) throws(LabError) {
    do throws(CoreError) {
      try MemoryBudget.check(
        bytes: Double(rows) * (context.style.json ? bytesPerJSONRow : bytesPerTextRow) + scratch,
        held: context.heldBytes + state.heldBytes)
    } catch {
      throw LabError.overBudget(error, command: command, what: what, advice: advice)
    }
  }
}
