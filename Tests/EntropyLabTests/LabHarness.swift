import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// Drives a `Session` the way a user does (one line at a time) and checks
/// the two promises of the command language: a good line succeeds, a bad
/// line renders one exact message and leaves the session as it was.
enum LabHarness {
  /// A plain-text session (never interrupted) after running `lines`, each
  /// of which must succeed.
  static func session(
    _ lines: [String] = [], seed: UInt64 = 0, json: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
  ) -> Session {
    let session = Session(seed: seed, style: OutputStyle(json: json), isInterrupted: { false })
    for line in lines { run(session, line, sourceLocation: sourceLocation) }
    return session
  }

  /// Runs `line`, which must succeed; returns its cell.
  @discardableResult
  static func run(_ session: Session, _ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> CellResult {
    guard let cell = session.execute(line) else {
      Issue.record("'\(line)' ran nothing", sourceLocation: sourceLocation)
      return CellResult(number: 0, input: line, reports: [], error: nil, output: "", quit: false)
    }
    #expect(cell.error == nil, "'\(line)' failed: \(cell.output)", sourceLocation: sourceLocation)
    return cell
  }

  /// Runs `line`, which must fail with exactly `output` (the text the user
  /// sees, in the session's style) and leave the session unchanged.
  @discardableResult
  static func refuse(
    _ session: Session, _ line: String, output: String, sourceLocation: SourceLocation = #_sourceLocation
  ) -> CellResult? {
    let cell = refuseKeepingState(session, line, sourceLocation: sourceLocation)
    if let cell { #expect(cell.output == output, "'\(line)'", sourceLocation: sourceLocation) }
    return cell
  }

  /// Runs `line`, which must fail naming `command` and `word`, leaving the
  /// session unchanged. Used where the wording itself is awaiting a decision
  /// (see the report): the structure is checked, not the text.
  @discardableResult
  static func refuse(
    _ session: Session, _ line: String, command: String?, word: String?,
    sourceLocation: SourceLocation = #_sourceLocation
  ) -> CellResult? {
    let cell = refuseKeepingState(session, line, sourceLocation: sourceLocation)
    if let error = cell?.error {
      #expect(error.command == command, "'\(line)'", sourceLocation: sourceLocation)
      #expect(error.word == word, "'\(line)'", sourceLocation: sourceLocation)
    }
    return cell
  }

  /// Runs `line`, which must fail, and checks that nothing changed.
  static func refuseKeepingState(
    _ session: Session, _ line: String, sourceLocation: SourceLocation = #_sourceLocation
  ) -> CellResult? {
    let before = Snapshot(session)
    guard let cell = session.execute(line) else {
      Issue.record("'\(line)' ran nothing", sourceLocation: sourceLocation)
      return nil
    }
    #expect(
      cell.error != nil, "'\(line)' should have failed but printed: \(cell.output)", sourceLocation: sourceLocation)
    #expect(cell.reports.isEmpty, "'\(line)'", sourceLocation: sourceLocation)
    #expect(!cell.quit, "'\(line)'", sourceLocation: sourceLocation)
    let after = Snapshot(session)
    #expect(after == before, "'\(line)' changed the session", sourceLocation: sourceLocation)
    return cell
  }

  /// Everything a failed command must not change.
  struct Snapshot: Equatable {
    var state: LabState
    var checkpoints: [String: LabState]
    var quitRequested: Bool

    init(_ session: Session) {
      state = session.state
      checkpoints = session.checkpoints
      quitRequested = session.quitRequested
    }
  }

  /// The plain-text error a user sees: `error: …` and the expected form.
  static func errorText(_ message: String, expected: String? = nil) -> String {
    "error: " + message + (expected.map { "\n  expected: " + $0 } ?? "")
  }

  /// Every line of `output` parsed as a JSON object (nil for a line that is
  /// not one).
  static func jsonLines(_ output: String) -> [[String: Any]?] {
    guard !output.isEmpty else { return [] }
    return output.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      guard let data = line.data(using: .utf8) else { return nil }
      return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
  }

  /// The JSON objects of `output`; records an issue for a line that is not one.
  static func json(_ output: String, sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
    let lines = jsonLines(output)
    for (i, object) in lines.enumerated() where object == nil {
      Issue.record("line \(i + 1) is not a JSON object: \(output)", sourceLocation: sourceLocation)
    }
    return lines.compactMap { $0 }
  }

  /// What the last of `lines` did, run in a child process so that a crash
  /// fails only the calling test: its output and whether it failed with
  /// the session unchanged. Nil if the child did not exit normally.
  static func lastCellInChildProcess(
    _ lines: [String], sourceLocation: SourceLocation = #_sourceLocation
  ) async -> (output: String, failedKeepingState: Bool)? {
    let result = await #expect(
      processExitsWith: .success, observing: [\.standardOutputContent], sourceLocation: sourceLocation
    ) { [lines] in
      let session = Session(seed: 0, style: .plain, isInterrupted: { false })
      for line in lines.dropLast() { _ = session.execute(line) }
      let before = session.state
      let cell = session.execute(lines.last ?? "")
      let kept = cell?.error != nil && session.state == before
      print((kept ? "kept\n" : "changed\n") + (cell?.output ?? ""), terminator: "")
    }
    guard let result else { return nil }
    let text = String(decoding: result.standardOutputContent, as: UTF8.self)
    guard let newline = text.firstIndex(of: "\n") else { return nil }
    return (String(text[text.index(after: newline)...]), text[..<newline] == "kept")
  }

  /// A JSON number as a Double.
  static func number(_ value: Any?) -> Double? {
    (value as? NSNumber)?.doubleValue
  }

  /// Runs `line` in a JSON session and returns its single object.
  static func onlyJSON(
    _ session: Session, _ line: String, sourceLocation: SourceLocation = #_sourceLocation
  ) -> [String: Any] {
    let objects = json(run(session, line, sourceLocation: sourceLocation).output, sourceLocation: sourceLocation)
    #expect(objects.count == 1, "'\(line)'", sourceLocation: sourceLocation)
    return objects.first ?? [:]
  }
}

/// `|a − b| ≤ tolerance`, reporting both values on failure.
func expectWithin(
  _ observed: Double?, _ expected: Double, tolerance: Double = 1e-12,
  _ what: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
  guard let observed else {
    Issue.record("\(what()): missing, expected \(expected)", sourceLocation: sourceLocation)
    return
  }
  let error = abs(observed - expected)
  #expect(
    error <= tolerance, "\(what()): observed \(observed), expected \(expected), error \(error)",
    sourceLocation: sourceLocation)
}

/// Element-wise `expectWithin`.
func expectWithin(
  _ observed: [Double], _ expected: [Double], tolerance: Double = 1e-12,
  _ what: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(observed.count == expected.count, "\(what()): count", sourceLocation: sourceLocation)
  for (i, (o, e)) in zip(observed, expected).enumerated() {
    expectWithin(o, e, tolerance: tolerance, "\(what())[\(i)]", sourceLocation: sourceLocation)
  }
}
