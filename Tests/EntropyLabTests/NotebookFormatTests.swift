import Foundation
import Testing

@testable import EntropyLab

/// The notebook format: what the parser reads, what the writer writes, and
/// the `FILE:LINE` of every parse error.
@Suite struct NotebookFormatTests {
  @Test func parsesHeaderPromptsOutputsAndTolerances() throws {
    let text = """
      ---
      entropy-lab: 0.1.0
      seed: 42
      tolerance: 1e-6
      title: "A lesson"
      ---

      Some prose with a `>` in it.

      ```python
      > not a cell
      ```

      ```lab
      > policy arms 4
      policy: one
      \\> an escaped output line

      [2]> step 3   #tolerance abs 1e-3
      [3]>status
      ```
      """
    let nb = try NotebookParser.parse(text, path: "t.md")
    #expect(nb.header?.version == "0.1.0")
    #expect(nb.header?.seed == 42)
    #expect(nb.header?.tolerance == .either(1e-6))
    #expect(nb.header?.title == "A lesson")
    #expect(nb.cells.count == 3)
    #expect(nb.cells[0].command == "policy arms 4")
    #expect(nb.cells[0].number == nil)
    #expect(nb.cells[0].line == 15)
    #expect(nb.cells[0].output == ["policy: one", "> an escaped output line"])
    #expect(nb.cells[0].numberedOutput.map(\.line) == [16, 17])
    #expect(nb.cells[1].number == 2)
    #expect(nb.cells[1].command == "step 3   #tolerance abs 1e-3")
    #expect(nb.cells[1].tolerance == .absolute(1e-3))
    #expect(nb.tolerance(for: nb.cells[1]) == .absolute(1e-3))
    #expect(nb.tolerance(for: nb.cells[0]) == .either(1e-6))
    #expect(nb.cells[2].command == "status")
    #expect(nb.cells[2].output.isEmpty)
  }

  @Test func toleranceCommentIsACommentToTheShell() throws {
    let session = Session(isInterrupted: { false })
    let cell = try #require(session.execute("policy arms 3   #tolerance 1e-3"))
    #expect(cell.error == nil)
    // A '#' inside quotes is not a comment, so it sets no tolerance.
    #expect(try NotebookParser.cellTolerance("save 'a #tolerance 1'", path: "t.md", line: 1) == nil)
    #expect(
      try NotebookParser.cellTolerance("step # long run #tolerance rel 1e-4", path: "t.md", line: 1) == .relative(1e-4))
  }

  @Test(arguments: [
    ("```lab\n> step\n", 1, "lab block opened here is never closed"),
    ("prose\n\n```lab\noutput first\n> step\n```\n", 4, "output before any command"),
    ("---\nseed: 1\n", 1, "front matter opened here is not closed"),
    ("---\nseed: -3\n---\n", 2, "is not a seed"),
    ("---\nversion: 1\n---\n", 2, "'version' is not a header key"),
    ("---\ntolerance: loose\n---\n", 2, "is not a tolerance"),
    ("---\njust words\n---\n", 2, "must be 'key: value'"),
    ("```lab\n> step  #tolerance 1e-3 or so\n```\n", 2, "is not a tolerance"),
    ("text\n~~~python\ncode\n", 2, "code block opened here is never closed"),
  ])
  func parseErrorsNameTheLine(text: String, line: Int, problem: String) {
    #expect {
      try NotebookParser.parse(text, path: "bad.md")
    } throws: { error in
      guard let error = error as? FileError else { return false }
      return error.kind == .malformed && error.line == line && error.problem.contains(problem)
        && error.labError(command: "replay").message.hasPrefix("replay: bad.md:\(line): ")
    }
  }

  @Test func aNotebookThatDoesNotParseRunsNothing() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/broken.md"
      try NotebookFixture.write("```lab\n> save \(folder)/written.md\n", to: path)
      let result = FileReplay.run(path, options: ReplayOptions(mode: .run, access: .trusted))
      #expect(result.status == .malformed)
      #expect(result.diagnostics.contains("broken.md:1: the lab block opened here is never closed"))
      #expect(!FileManager.default.fileExists(atPath: folder + "/written.md"))
    }
  }

  @Test func writerEscapesLinesThatWouldReadAsCommandsOrFences() throws {
    let tricky = ["> looks like a prompt", "[3]> also", "```", "~~~ fence", "\\ backslash", "plain"]
    let lines = NotebookWriter.outputLines(tricky.joined(separator: "\n") + "\n\n")
    #expect(lines == ["\\> looks like a prompt", "\\[3]> also", "\\```", "\\~~~ fence", "\\\\ backslash", "plain"])
    let text = "```lab\n> cmd\n" + lines.joined(separator: "\n") + "\n```\n"
    let nb = try NotebookParser.parse(text, path: "t.md")
    #expect(nb.cells.count == 1)
    #expect(nb.cells[0].output == tricky)
  }

  @Test func saveWritesHeaderNumberedPromptsAndPlainOutput() throws {
    let session = Session(seed: 7, style: OutputStyle(json: true, color: true, unicode: true), isInterrupted: { false })
    for line in ["policy arms 4", "rewards 1 0 0 0", "step", "plot entropy", "nonsense"] { session.execute(line) }
    let (text, count) = NotebookWriter.notebook(for: session)
    #expect(count == 5)
    #expect(text.hasPrefix("---\nentropy-lab: \(LabVersion.current)\nseed: 7\ntolerance: printed\n---\n"))
    #expect(text.contains("[1]> policy arms 4\npolicy: 1 state × 4 arms"))
    #expect(text.contains("[5]> nonsense\nerror: 'nonsense' is not a command"))
    // Plain style even though the session renders JSON, colour and braille.
    #expect(!text.contains("{\""))
    #expect(!text.contains("\u{1B}["))
    #expect(!text.contains("\u{2800}"))
    let nb = try NotebookParser.parse(text, path: "s.md")
    #expect(nb.header?.seed == 7)
    #expect(nb.cells.map(\.number) == [1, 2, 3, 4, 5])
  }

  @Test func saveLeavesOutFileCommandsAndQuit() throws {
    try NotebookFixture.withScratchFolder { folder in
      let session = NotebookFixture.session([
        "policy arms 3", "save \(folder)/one.md", "load \(folder)/missing.md", "sa \(folder)/two.md", "step",
        "export csv \(folder)/t.csv", "quit",
      ])
      let (text, count) = NotebookWriter.notebook(for: session)
      #expect(count == 2)
      let nb = try NotebookParser.parse(text, path: "s.md")
      #expect(nb.cells.map(\.command) == ["policy arms 3", "step"])
    }
  }

  @Test func crlfFilesKeepTheirLineEnds() throws {
    let text = "---\r\nseed: 1\r\n---\r\n```lab\r\n> policy arms 2\r\nold\r\n```\r\n"
    let nb = try NotebookParser.parse(text, path: "w.md")
    #expect(nb.header?.seed == 1)
    #expect(nb.cells[0].output == ["old"])
    let (rewritten, changed) = NotebookWriter.rewrite(nb, outputs: [0: "new"])
    #expect(changed == 1)
    #expect(rewritten == "---\r\nseed: 1\r\n---\r\n```lab\r\n> policy arms 2\r\nnew\r\n```\r\n")
  }

  @Test func readingRefusesBinaryInvalidUTF8AndHugeFiles() throws {
    try NotebookFixture.withScratchFolder { folder in
      let binary = folder + "/binary.md"
      FileManager.default.createFile(atPath: binary, contents: Data("line one\nline two\nthree\0four\n".utf8))
      let invalid = folder + "/latin1.md"
      FileManager.default.createFile(atPath: invalid, contents: Data("ok\nstill ok\ncaf".utf8) + Data([0xE9, 0x0A]))
      let huge = folder + "/huge.md"
      FileManager.default.createFile(atPath: huge, contents: Data(count: FileAccessPolicy.maxNotebookBytes + 1))
      let cases: [(String, FileError.Kind, Int?, String)] = [
        (binary, .malformed, 3, "is binary"),
        (invalid, .malformed, 3, "is not valid UTF-8"),
        (huge, .unreadable, nil, "more than the \(FileAccessPolicy.maxNotebookBytes) bytes"),
        (folder, .unreadable, nil, "is a folder"),
        ("/dev/zero", .unreadable, nil, "is a character device, not a regular file"),
        (folder + "/absent.md", .unreadable, nil, "No such file"),
      ]
      for (path, kind, line, problem) in cases {
        #expect {
          try NotebookFile.load(path)
        } throws: { error in
          guard let error = error as? FileError else { return false }
          return error.kind == kind && error.line == line && error.problem.contains(problem)
        }
      }
      #expect(FileReplay.run(binary, options: ReplayOptions()).status == .malformed)
      #expect(FileReplay.run(huge, options: ReplayOptions()).status == .unreadable)
    }
  }
}
