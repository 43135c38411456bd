/// One piece of a cell's output, as data. Renderers turn it into text or
/// JSON (one object per result line).
public enum Report: Sendable, Equatable {
  /// A line of information.
  case message(String)
  /// Something the user should know (not an error).
  case warning(String)
  /// A table; in JSON, one object per row.
  case table(Table)
  /// A result with a text form and a JSON object.
  case record(text: String, json: [(String, JSONValue)])
  /// Preformatted text (a help page); in JSON `{"text": …}`.
  case block(String)
  /// A chart: a terminal plot in text, its series in JSON.
  case plot(Plot)

  public static func == (lhs: Report, rhs: Report) -> Bool {
    switch (lhs, rhs) {
    case (.message(let a), .message(let b)), (.warning(let a), .warning(let b)), (.block(let a), .block(let b)):
      return a == b
    case (.table(let a), .table(let b)): return a == b
    case (.plot(let a), .plot(let b)): return a == b
    case (.record(let ta, let ja), .record(let tb, let jb)):
      return ta == tb && JSONValue.object(ja) == JSONValue.object(jb)
    default: return false
    }
  }
}

/// A table of numbers and words with a JSON key per column.
public struct Table: Sendable, Equatable {
  /// A column: its heading in text, its key in JSON.
  public struct Column: Sendable, Equatable {
    public var heading: String
    public var key: String
    /// How much the column matters when the table must fit a narrow
    /// width: `.key` columns (step, arm) lead every line of a wrapped row,
    /// `.main` ones fill the first line, `.detail` ones go to later lines
    /// first (see `TextTable`).
    public var priority: Priority
    /// A shorter heading used when the table does not fit (nil: none).
    public var short: String?
    public init(_ heading: String, key: String, priority: Priority = .main, short: String? = nil) {
      self.heading = heading
      self.key = key
      self.priority = priority
      self.short = short
    }
  }

  /// A column's priority (lower raw value: kept on the first line first).
  public enum Priority: Int, Sendable, Equatable, Comparable {
    case key = 0
    case main = 1
    case detail = 2

    public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }
  }

  /// One cell: a number with a display format, a whole number, or a word.
  public enum Cell: Sendable, Equatable {
    case number(Double, NumberStyle)
    case int(Int)
    case text(String)
    case none
  }

  public var columns: [Column]
  public var rows: [[Cell]]
  /// Extra fields added to every row's JSON object (e.g. `"kind":"step"`).
  public var jsonPrefix: [(String, JSONValue)]
  /// Extra JSON fields of single rows (by row index), after `jsonPrefix`;
  /// not shown in text.
  public var rowJSON: [Int: [(String, JSONValue)]] = [:]

  public init(columns: [Column], rows: [[Cell]] = [], jsonPrefix: [(String, JSONValue)] = []) {
    self.columns = columns
    self.rows = rows
    self.jsonPrefix = jsonPrefix
  }

  public static func == (lhs: Table, rhs: Table) -> Bool {
    lhs.columns == rhs.columns && lhs.rows == rhs.rows
      && JSONValue.object(lhs.jsonPrefix) == JSONValue.object(rhs.jsonPrefix)
      && lhs.rowJSON.keys.sorted() == rhs.rowJSON.keys.sorted()
      && lhs.rowJSON.keys.allSatisfy {
        JSONValue.object(lhs.rowJSON[$0] ?? []) == JSONValue.object(rhs.rowJSON[$0] ?? [])
      }
  }
}
