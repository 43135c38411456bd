/// One place where a replayed notebook's regenerated output differs from
/// what it recorded: plain data, turned into words by `message`.
public struct Mismatch: Sendable, Equatable {
  /// What differs.
  public enum Kind: Sendable, Equatable {
    /// A number outside the tolerance.
    case number(expected: String, got: String, tolerance: Tolerance)
    /// A word (or a number where a word was recorded, or the reverse).
    case word(expected: String, got: String)
    /// The recorded output goes on where the regenerated output ended.
    case missingOutput(expected: String)
    /// The regenerated output goes on where the recorded output ended.
    case extraOutput(got: String)
    /// The cell was not run (the replay stopped before it).
    case notRun(reason: String)
    /// A numbered prompt out of sequence: a cell was removed or added.
    case cellNumber(expected: Int, found: Int)
  }

  /// What differs.
  public var kind: Kind
  /// The notebook file, as given.
  public var path: String
  /// The 1-based line of the notebook where it differs.
  public var line: Int
  /// The recorded line, for context.
  public var expectedLine: String?
  /// The regenerated line, for context.
  public var gotLine: String?

  /// A mismatch from its parts.
  public init(kind: Kind, path: String, line: Int, expectedLine: String? = nil, gotLine: String? = nil) {
    self.kind = kind
    self.path = path
    self.line = line
    self.expectedLine = expectedLine
    self.gotLine = gotLine
  }

  /// `FILE:LINE: what differs`, then the recorded and regenerated lines.
  public var message: String {
    var text = "\(path):\(line): "
    switch kind {
    case .number(let e, let g, let t):
      text += "expected \(e), got \(g) (\(t.explain(expected: e, got: g)))"
    case .word(let e, let g):
      text += "expected '\(e)', got '\(g)'"
    case .missingOutput(let e):
      text += "expected '\(e)', got the end of the output"
    case .extraOutput(let g):
      text += "got more output than recorded: '\(g)'"
    case .notRun(let reason):
      text += "cell not run: \(reason)"
    case .cellNumber(let e, let f):
      text +=
        f > e
        ? "expected cell [\(e)], found [\(f)]: a cell is missing here (or the cells were renumbered)"
        : "expected cell [\(e)], found [\(f)]: an extra cell here (or the cells were renumbered)"
    }
    if let expectedLine { text += "\n  expected: " + expectedLine }
    if let gotLine { text += "\n  got:      " + gotLine }
    return text
  }
}
