import EntropyCore

/// The controls' activity as table columns and exported fields, from the
/// control registry alone: the classic controls' measures always (0 when
/// off: the column layout notebooks recorded), then every other measure a
/// shown step reported, in registry order, then the scheduled values
/// (`NAME.PARAM`) in the order first reported.
enum ActivityColumns {
  /// One column: its key, heading and whether it is a count.
  struct Column: Equatable {
    var key: String
    var heading: String
    var isCount: Bool
  }

  /// The classic controls' measures (always shown).
  static var classic: [Column] {
    EntropyControls.all.filter { $0.isClassic }.flatMap { $0.activity }.map(column)
  }

  /// The other columns the steps of `activities` need.
  static func extra(_ activities: [ControlActivity]) -> [Column] {
    let fixed = Set(classic.map(\.key))
    var present: [String] = []
    var seen: Set<String> = []
    for a in activities {
      for key in a.keys where !fixed.contains(key) && seen.insert(key).inserted { present.append(key) }
    }
    let declared = EntropyControls.measures.filter { seen.contains($0.key) && !fixed.contains($0.key) }
    let declaredKeys = Set(declared.map(\.key))
    var columns = declared.map(column)
    for key in present where !declaredKeys.contains(key) {
      let isCount = activities.contains { $0.isCount(key) }
      columns.append(Column(key: key, heading: key, isCount: isCount))
    }
    return columns
  }

  static func column(_ m: ActivityMeasure) -> Column {
    Column(key: m.key, heading: m.heading, isCount: m.kind == .count)
  }

  /// A cell of `column` for a step's activity: a count, a level, or - when
  /// not reported (a control that was off); a classic control's count is 0
  /// then (`zeroWhenAbsent`), as it always was.
  static func cell(_ column: Column, _ activity: ControlActivity?, zeroWhenAbsent: Bool = false) -> Table.Cell {
    guard let activity else { return .none }
    if column.isCount && (zeroWhenAbsent || activity[column.key] != nil) { return .int(activity.count(column.key)) }
    guard let v = activity[column.key] else { return .none }
    return .number(v, .setting)
  }

  /// A JSON value of `column` (null when not reported).
  static func json(_ column: Column, _ activity: ControlActivity) -> JSONValue {
    if column.isCount { return .int(activity.count(column.key)) }
    return activity[column.key].map { .number($0) } ?? .null
  }
}
