import Foundation

/// `save` and `replay`/`load`: a session as an executable Markdown notebook.
///
/// Both touch files, so both are `.session` handlers that ask the session's
/// `FileAccessPolicy` first: lines the user types are trusted, a replayed
/// notebook's cells are not (see `FileAccessPolicy`).
enum NotebookCommands {
  static let all: [Command] = [note, save, replay]

  static let note = Command(
    name: "note",
    usage: "note TEXT | note",
    summary: "Write a paragraph of Markdown prose into the session (save and export html show it).",
    details: [
      "note TEXT   one paragraph: everything after 'note', as typed (quotes and # kept)",
      "note        several lines: type them, then a line holding only '.' to end the note",
      "",
      "Prose is not a cell: it has no number and runs nothing. 'save' writes it between the lab",
      "blocks, 'export html' renders it as Markdown, and 'replay' of a notebook brings the notebook's",
      "prose into the session the same way. A line that is only a '# comment' is kept as prose too",
      "(its text without the '#'); use 'note ## Heading' for a heading.",
    ],
    group: "Notebooks",
    recordsCell: false,
    handler: .text { session, text throws(LabError) in
      if text.isEmpty {
        session.beginNote()
        return [.message("note: type the prose (Markdown); end it with a line holding only '.'")]
      }
      session.addProse(text)
      return [.message("note: prose added")]
    })

  static let save = Command(
    name: "save",
    usage: "save FILE.md",
    summary: "Write the session so far as a notebook: every cell with its output, plus the version and seed.",
    details: [
      "The notebook is Markdown: a header (entropy-lab version, seed, tolerance), then a ```lab block",
      "of cells, '[n]> command' followed by its output (plain text, even in --json mode).",
      "save, replay/load and export are not written as cells, so the notebook replays in safe mode.",
      "The file is written atomically (a temporary file, then a rename): never half written.",
      "Check it later with: entropy-lab replay --check FILE.md",
    ],
    group: "Notebooks",
    completer: { typed in typed.isEmpty ? .fileName : .words([]) },
    handler: .session { session, args throws(LabError) in
      let path = try args.next("a file name, e.g. notes.md")
      try args.expectEnd()
      let target = try session.fileAccess.authorizeWrite(path, command: "save")
      let (text, cells) = NotebookWriter.notebook(for: session)
      let existed = FileManager.default.fileExists(atPath: target.path)
      do throws(FileError) {
        try AtomicFile.write(text, to: target, displayPath: path)
      } catch {
        throw LabError(command: "save", word: path, problem: error.problem)
      }
      var reports: [Report] = [
        .message("save: \(cells) cell\(cells == 1 ? "" : "s") written to \(path) (seed \(session.initialSeed))")
      ]
      if existed { reports.append(.warning("replaced the file that was at \(path)")) }
      return reports
    })

  static let replay = Command(
    name: "replay",
    aliases: ["load"],
    usage: "replay FILE.md [flags]",
    summary: "Run a notebook's cells in this session, showing their outputs.",
    details: [
      "flags: --trust | --allow-writes DIR, and --bail",
      "",
      "The cells run in safe mode: commands that write or read files (save, export, replay) are refused",
      "and listed at the end. --allow-writes DIR lets them use files inside DIR only; --trust lifts the",
      "limits for a notebook you trust. --bail stops at the first failing cell.",
      "If the notebook's header has a seed, 'seed n' runs first so sampled steps reproduce.",
      "A replay inside a notebook inherits that notebook's limits and can only narrow them.",
      "A notebook's 'quit' ends the replay, not the shell. Replays nest at most 8 deep, never in a cycle.",
      "The notebook's cells and prose join the session as if typed: 'save' and 'export html' show",
      "them, not a 'replay' cell.",
    ],
    subwords: ["--trust", "--allow-writes", "--bail"],
    group: "Notebooks",
    recordsCell: false,
    completer: { typed in
      // The notebook first, then the flags (a folder after --allow-writes).
      if typed.isEmpty || typed.last == "--allow-writes" { return .fileName }
      return .words(["--trust", "--allow-writes", "--bail"].filter { !typed.contains($0) })
    },
    handler: .session { session, args throws(LabError) in
      var path: String?
      var trust = false
      var folder: String?
      var bail = false
      while !args.isAtEnd {
        let word = try args.next("a notebook file")
        switch word {
        case "--trust": trust = true
        case "--allow-writes": folder = try args.next("a folder after --allow-writes")
        case "--bail": bail = true
        default:
          if word.hasPrefix("--") {
            throw args.error("is not a flag (--trust, --allow-writes DIR, --bail)", word: word)
          }
          if path != nil { throw args.error("one notebook at a time", word: word) }
          path = word
        }
      }
      guard let path else { throw args.error("needs a notebook file, e.g. lesson.md") }
      if trust && folder != nil { throw args.error("takes --trust or --allow-writes DIR, not both") }
      // A replay the user types runs its cells in safe mode unless a flag
      // says otherwise; a replay inside a notebook inherits that notebook's
      // mode (and flags can only narrow it, see `Replayer`).
      let nested = !session.fileAccess.openNotebooks.isEmpty
      let requested =
        nested && !trust && folder == nil
        ? session.fileAccess.mode
        : try FileAccessPolicy.requestedMode(trust: trust, allowWrites: folder, command: "replay")
      let location = try session.fileAccess.authorizeRead(path, command: "replay")
      try session.fileAccess.enterNotebook(location.path, asTyped: path, command: "replay")
      defer { session.fileAccess.leaveNotebook() }
      let notebook: Notebook
      do throws(FileError) {
        notebook = try NotebookFile.load(location, displayPath: path).notebook
      } catch {
        throw error.labError(command: "replay")
      }
      guard !notebook.cells.isEmpty else { throw NotebookFile.noCellsError(path).labError(command: "replay") }
      let outcome = Replayer.replay(
        notebook, in: session, options: ReplayOptions(mode: .run, bail: bail, access: requested))
      // A notebook that failed makes this cell fail too (a script's exit
      // status, `--bail`), keeping the cells it ran.
      if !outcome.succeeded { session.markCellFailed() }
      return outcome.transcript(style: session.style)
    })
}
