/// Replaying one notebook file from the command line
/// (`entropy-lab replay [--check | --accept] FILE`): read it, run it in a
/// fresh session seeded from its header, and say what happened.
public struct FileReplay: Sendable {
  /// How the file fared, from best to worst; the command line turns the
  /// worst over all files into its exit code.
  public enum Status: Int, Sendable, Comparable {
    /// Every cell ran (and, checking, matched; accepting, was written).
    case passed
    /// A mismatch, a refused or failing cell, or a failed write.
    case failed
    /// The file is not a valid notebook; nothing was run.
    case malformed
    /// The file could not be read; nothing was run.
    case unreadable

    /// Whether `a` is a better outcome than `b`.
    public static func < (a: Status, b: Status) -> Bool { a.rawValue < b.rawValue }
  }

  /// How the file fared.
  public var status: Status
  /// For standard output: the regenerated notebook (run), the mismatches
  /// and count (check), or the count of changed cells (accept).
  public var output: String
  /// For standard error: read and parse errors, and the run summary.
  public var diagnostics: String
  /// The replay, when the file was read and parsed.
  public var outcome: ReplayOutcome?

  /// Replays the notebook at `path` (relative to the current folder).
  public static func run(_ path: String, options: ReplayOptions) -> FileReplay {
    let plain = OutputStyle.plain
    let absolute = FileAccessPolicy.absolute(path)
    let notebook: Notebook
    let snapshot: FileSnapshot
    do throws(FileError) {
      (notebook, snapshot) = try NotebookFile.load(FileLocation(path: absolute, confined: false), displayPath: path)
      if notebook.cells.isEmpty { throw NotebookFile.noCellsError(path) }
    } catch {
      return FileReplay(
        status: error.kind == .malformed ? .malformed : .unreadable, output: "",
        diagnostics: Renderer.render([], error: error.labError(), style: plain), outcome: nil)
    }
    let session = Session(seed: notebook.header?.seed ?? 0, style: plain)
    do {
      try session.fileAccess.enterNotebook(absolute, asTyped: path, command: "replay")
    } catch {
      return FileReplay(status: .failed, output: "", diagnostics: Renderer.render([], error: error, style: plain))
    }
    let outcome = Replayer.replay(notebook, in: session, options: options)
    session.fileAccess.leaveNotebook()
    var result = FileReplay(
      status: outcome.succeeded ? .passed : .failed, output: "", diagnostics: "", outcome: outcome)
    var notes: [String] = []
    if let recorded = notebook.header?.version, recorded != LabVersion.current, options.mode != .accept {
      notes.append(
        TerminalText.visible("note: \(path) was recorded with entropy-lab \(recorded); this is \(LabVersion.current)"))
    }
    switch options.mode {
    case .run:
      result.output = TerminalText.visible(outcome.regenerated.text)
      notes.append(Renderer.render(outcome.closingNotes + [.message(outcome.summary)], error: nil, style: plain))
      result.diagnostics = notes.joined(separator: "\n")
    case .check:
      result.output = (notes + [Renderer.render(outcome.checkReport, error: nil, style: plain)]).joined(separator: "\n")
    case .accept:
      var lines = [Renderer.render(outcome.closingNotes, error: nil, style: plain)].filter { !$0.isEmpty }
      let (text, changed) = outcome.regenerated
      if options.bail && outcome.failed > 0 {
        result.status = .failed
        lines.append("\(path): not written (the replay stopped at its first failure)")
      } else if changed == 0 {
        lines.append(outcome.summary + "; nothing to write")
      } else {
        do {
          try AtomicFile.write(
            text, to: FileLocation.trusted(absolute), displayPath: path, unchangedSince: snapshot)
          lines.append(outcome.summary + "; written")
        } catch {
          result.status = .failed
          result.diagnostics = Renderer.render([], error: error.labError(), style: plain)
          lines.append(outcome.summary + "; not written")
        }
      }
      result.output = lines.joined(separator: "\n")
    }
    return result
  }
}
