import Foundation

/// A handout straight from a notebook file (`entropy-lab export FILE.md
/// --html OUT`): the notebook runs in a fresh session seeded from its
/// header, in safe mode (its file commands are refused), and the session's
/// prose and cells become the page.
public struct NotebookHandout: Sendable {
  /// The page's title: the header's `title`, else the first prose's
  /// leading `# heading`, else the file name.
  public var title: String
  /// The prose and cells, in order (file and checkpoint commands left out).
  public var items: [HandoutItem]
  /// Every chart the cells drew, in order.
  public var plots: [Plot]
  /// How the replay went (refusals, errors, an early stop).
  public var outcome: ReplayOutcome

  /// The page (see `HTMLHandout`).
  public var html: String { HTMLHandout.render(title: title, items: items) }

  /// Runs the notebook at `path` (relative to the working folder) and
  /// builds its handout.
  ///
  /// - Parameter title: the page's title, overriding the notebook's.
  /// - Throws: `FileError` when the file cannot be read or is not a notebook.
  public static func make(notebookAt path: String, title: String? = nil) throws(FileError) -> NotebookHandout {
    let absolute = FileAccessPolicy.absolute(path)
    let notebook = try NotebookFile.load(absolute, displayPath: path)
    let session = Session(seed: notebook.header?.seed ?? 0, style: .plain)
    do {
      try session.fileAccess.enterNotebook(absolute, asTyped: path, command: "export")
    } catch {
      throw FileError(.unreadable, path: path, line: nil, problem: error.problem)
    }
    let outcome = Replayer.replay(notebook, in: session, options: ReplayOptions(mode: .run))
    session.fileAccess.leaveNotebook()
    var items = HandoutItem.items(from: session)
    var pageTitle = title ?? notebook.header?.title
    if pageTitle == nil, case .prose(let first)? = items.first, let heading = leadingHeading(first) {
      pageTitle = heading.title
      items[0] = .prose(heading.rest)
    }
    let plots = items.flatMap { item -> [Plot] in
      guard case .cell(_, let reports, _) = item else { return [] }
      return reports.compactMap { if case .plot(let plot) = $0 { plot } else { nil } }
    }
    let name = path.split(separator: "/").last.map(String.init) ?? path
    return NotebookHandout(title: pageTitle ?? name, items: items, plots: plots, outcome: outcome)
  }

  /// The title of a leading `# heading` line and the prose after it.
  static func leadingHeading(_ markdown: String) -> (title: String, rest: String)? {
    let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
    guard let first = lines.first, first.hasPrefix("# ") else { return nil }
    let title = first.dropFirst(2).trimmingCharacters(in: .whitespaces)
    guard !title.isEmpty else { return nil }
    return (title, lines.dropFirst().joined(separator: "\n"))
  }
}
