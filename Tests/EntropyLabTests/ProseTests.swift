import Foundation
import Testing

@testable import EntropyLab

/// Prose in a session: `note`, `# comment` lines and a replayed notebook's
/// prose, through `save`, `replay` and `export html`.
struct ProseTests {
  @Test func noteAddsProseAndNoCell() throws {
    let session = Session(seed: 0, isInterrupted: { false })
    session.execute("policy arms 4")
    let note = try #require(session.execute("note The **uniform** policy has H = log 4; \"quotes\" and # kept."))
    #expect(note.error == nil)
    #expect(note.output == "note: prose added")
    #expect(session.cells.count == 1)
    #expect(session.nextCellNumber == 2)
    #expect(
      session.entries == [.cell(index: 0), .prose("The **uniform** policy has H = log 4; \"quotes\" and # kept.")])
  }

  @Test func multiLineNoteEndsAtADot() throws {
    let session = Session(seed: 0, isInterrupted: { false })
    let start = try #require(session.execute("note"))
    #expect(start.output.contains("end it with a line holding only '.'"))
    #expect(session.isWritingNote)
    // While the note is open, lines are prose, not commands.
    #expect(session.execute("## Heading") == nil)
    #expect(session.execute("") == nil)
    #expect(session.execute("step 5 is not run") == nil)
    let end = try #require(session.execute("."))
    #expect(end.output == "note: 3 lines of prose added")
    #expect(!session.isWritingNote)
    #expect(session.cells.isEmpty)
    #expect(session.state.trajectory.isEmpty)
    #expect(session.entries == [.prose("## Heading\n\nstep 5 is not run")])
  }

  @Test func aCommentLineIsKeptAsProse() {
    let session = Session(seed: 0, isInterrupted: { false })
    #expect(session.execute("# why: a confident arm") == nil)
    #expect(session.execute("#") == nil)  // nothing to keep
    session.execute("policy arms 2  # a trailing comment stays with its command")
    #expect(session.entries == [.prose("why: a confident arm"), .cell(index: 0)])
    #expect(session.cells[0].input == "policy arms 2  # a trailing comment stays with its command")
  }

  /// The lines of a session with prose between its cells.
  static let lesson = [
    "# A lesson", "note ## Part one", "policy arms 4", "rewards 1 0 0 0", "checkpoint start",
    "note", "Now *one* step.", "", "Then another.", ".", "step", "stpe", "plot entropy", "restore start",
    "note The end.",
  ]

  @Test func proseRoundTripsThroughSaveReplayAndSave() throws {
    try NotebookFixture.withScratchFolder { folder in
      let first = NotebookFixture.session(Self.lesson, seed: 5)
      let path = folder + "/lesson.md"
      #expect(first.execute("save \(path)")?.error == nil)
      let saved = try NotebookFixture.read(path)
      // Prose sits between the lab blocks, where it was written.
      #expect(saved.contains("\n\nA lesson\n\n## Part one\n\n```lab\n[1]> policy arms 4\n"))
      #expect(saved.contains("```\n\nNow *one* step.\n\nThen another.\n\n```lab\n[4]> step\n"))
      #expect(saved.hasSuffix("```\n\nThe end.\n"))
      let notebook = try NotebookParser.parse(saved, path: path)
      #expect(
        notebook.cells.map(\.command) == [
          "policy arms 4", "rewards 1 0 0 0", "checkpoint start", "step", "stpe", "plot entropy", "restore start",
        ])
      #expect(notebook.prose.map(\.beforeCell) == [0, 3, 7])

      // Replayed in a session, the notebook's prose and cells arrive as if
      // typed: no 'replay' cell, and a second save gives the same file.
      let second = Session(seed: 5, isInterrupted: { false })
      let replay = try #require(second.execute("replay \(path)"))
      #expect(replay.error == nil, "\(replay.output)")
      #expect(second.cells.map(\.input) == notebook.cells.map(\.command))
      // Adjacent pieces of prose read back as one piece.
      var expected: [SessionEntry] = []
      for entry in first.entries {
        if case .cell(let i) = entry, first.cells[i].input.hasPrefix("save") { continue }
        if case .prose(let text) = entry, case .prose(let previous)? = expected.last {
          expected[expected.count - 1] = .prose(previous + "\n\n" + text)
        } else {
          expected.append(entry)
        }
      }
      #expect(second.entries == expected)
      let again = folder + "/again.md"
      #expect(second.execute("save \(again)")?.error == nil)
      #expect(try NotebookFixture.read(again) == saved)
      #expect(second.state == first.state)

      // The handout shows the prose and the cells, without the file and
      // checkpoint commands.
      let html = folder + "/lesson.html"
      let exported = try #require(second.execute("export html \(html) Round trip"))
      #expect(exported.output == "export html: wrote 6 cells and 3 pieces of prose as a handout to \(html)")
      let doc = try XMLTree(try NotebookFixture.read(html))
      #expect(doc.all("h2").map(\.text) == ["Part one"])
      #expect(doc.all("em").map(\.text) == ["one"])
      let inputs = doc.all("section").filter { $0.attributes["class"] == "cell" }.compactMap {
        $0.all("code").first?.text
      }
      #expect(inputs == ["policy arms 4", "rewards 1 0 0 0", "step", "stpe", "plot entropy", "restore start"])
      #expect(doc.all("svg").count == 1)
      #expect(doc.all("p").map(\.text).contains("The end."))
    }
  }

  @Test func proseThatWouldOpenALabBlockIsWrittenSafely() throws {
    try NotebookFixture.withScratchFolder { folder in
      let session = NotebookFixture.session(["note ```lab", "policy arms 3", "note ~~~"], seed: 0)
      let path = folder + "/fence.md"
      #expect(session.execute("save \(path)")?.error == nil)
      let notebook = try NotebookParser.parse(try NotebookFixture.read(path), path: path)
      #expect(notebook.cells.map(\.command) == ["policy arms 3"])
      #expect(notebook.prose.compactMap { NotebookWriter.withoutSavedIntro($0.text) } == [" ```lab", " ~~~"])
    }
  }

  @Test func aHandoutStraightFromANotebookFile() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/lesson.md"
      try NotebookFixture.write(
        """
        ---
        entropy-lab: 0.1.0
        seed: 2
        ---

        # Collapse in a hurry

        Some *prose*.

        ```lab
        > policy arms 3
        > update grpo
        > rewards 1 0 0
        > run 5
        > checkpoint a
        > save \(folder)/copy.md
        > plot entropy
        > plot reward
        ```

        Closing words.
        """, to: path)
      let handout = try NotebookHandout.make(notebookAt: path)
      #expect(handout.title == "Collapse in a hurry")
      #expect(handout.plots.map(\.title).count == 2)
      #expect(handout.outcome.refusals.count == 1)  // save refused in safe mode
      #expect(!FileManager.default.fileExists(atPath: folder + "/copy.md"))
      let doc = try XMLTree(handout.html)
      #expect(doc.all("h1").map(\.text) == ["Collapse in a hurry"])
      #expect(doc.all("section").filter { $0.attributes["class"] == "cell" }.count == 6)
      #expect(doc.all("svg").count == 2)
      #expect(doc.all("p").map(\.text) == ["Some prose.", "Closing words."])
      let titled = try NotebookHandout.make(notebookAt: path, title: "Mine")
      #expect(titled.title == "Mine")
    }
  }

  @Test func presentationSections() throws {
    let text = """
      Intro.

      ```lab
      > policy arms 2
      > step
      ```

      Middle.

      ```lab
      > step
      ```

      End.
      """
    let presentation = Presentation(try NotebookParser.parse(text, path: "p.md"))
    #expect(presentation.slides.map(\.prose) == ["Intro.", nil, "Middle."])
    #expect(presentation.slides.map(\.command) == ["policy arms 2", "step", "step"])
    #expect(presentation.closing == "End.")
    #expect((0..<3).map(presentation.sectionStart) == [0, 0, 2])
  }

  @Test func snapshotRestoresTheSessionBitForBit() throws {
    let session = NotebookFixture.session(["policy arms 4", "rewards 1 0 0 0", "update grpo"], seed: 3)
    let before = session.snapshot()
    let state = session.state
    session.execute("run 3")
    session.execute("checkpoint x")
    session.execute("plot entropy")
    #expect(session.state != state)
    session.restore(before)
    #expect(session.state == state)
    #expect(session.cells.count == 3)
    #expect(session.checkpoints.isEmpty)
    #expect(session.lastPlot == nil)
    // The random stream is restored too: the same run gives the same steps.
    let first = session.execute("run 3")?.output
    session.restore(before)
    #expect(session.execute("run 3")?.output == first)
  }
}
