import Foundation
import Testing

@testable import EntropyLab

/// Saving, replaying, checking and accepting notebooks: the round trip of
/// issue 4.
@Suite struct NotebookCheckTests {
  /// Saves `lines` (run from `seed`) to FOLDER/name and returns its path and text.
  private func saved(_ lines: [String], seed: UInt64 = 0, in folder: String, name: String = "n.md") throws
    -> (path: String, text: String)
  {
    let path = folder + "/" + name
    let session = NotebookFixture.session(lines, seed: seed)
    let cell = try #require(session.execute("save \(path)"))
    #expect(cell.error == nil, "\(cell.output)")
    return (path, try NotebookFixture.read(path))
  }

  private func check(_ path: String) -> FileReplay {
    FileReplay.run(path, options: ReplayOptions(mode: .check))
  }

  @Test func aSavedSessionReplaysToTheSameOutputs() throws {
    try NotebookFixture.withScratchFolder { folder in
      let original = NotebookFixture.session(NotebookFixture.richSession, seed: 5)
      let path = folder + "/rich.md"
      #expect(original.execute("save \(path)")?.error == nil)
      let result = FileReplay.run(path, options: ReplayOptions(mode: .check))
      #expect(result.status == .passed, "\(result.output)")
      let outcome = try #require(result.outcome)
      #expect(outcome.cells.count == NotebookFixture.richSession.count)
      // Not just within tolerance: the regenerated text is identical.
      let plain = original.cells.dropLast().map { Renderer.render($0.reports, error: $0.error, style: .notebook) }
      #expect(outcome.cells.map(\.output) == Array(plain))
      #expect(result.output.hasSuffix("rich.md: 14 cells: 14 passed, 0 failed"))
    }
  }

  @Test func theSeedInTheHeaderReproducesSampledSteps() throws {
    try NotebookFixture.withScratchFolder { folder in
      let (path, _) = try saved(["update grpo", "rewards 0.9 0.1 0.5 0.3", "step 3"], seed: 123, in: folder)
      #expect(check(path).status == .passed)
      // In a shell session with another seed, 'replay' reseeds first.
      let other = NotebookFixture.session(["seed 9", "lr 0.1"])
      let cell = try #require(other.execute("replay \(path)"))
      #expect(cell.output.contains("> seed 123\nseed: 123"))
      #expect(cell.output.contains("every output as recorded"))
    }
  }

  @Test func checkReportsAChangedNumberAWordAndAMissingCellAtTheirLines() throws {
    try NotebookFixture.withScratchFolder { folder in
      let (path, text) = try saved(
        ["policy arms 4", "policy logits 2 1 0 -1", "rewards 1 0 0.5 0.2", "step 2", "status"], in: folder)
      // A number: H after step 1, changed in its 4th decimal.
      let numberLine = try #require(NotebookFixture.line(of: "0.9387420677", in: text))
      var edited = NotebookFixture.replacing("0.9387420677", with: "0.9387920677", in: text)
      // A word.
      let wordLine = try #require(NotebookFixture.line(of: "(uniform)", in: edited))
      edited = NotebookFixture.replacing("(uniform)", with: "(flat)", in: edited)
      // A missing cell: remove [3] and its output line.
      edited = NotebookFixture.replacing(
        "[3]> rewards 1 0 0.5 0.2\nrewards: state 0; R = 0.6938981399\n", with: "", in: edited)
      let missingLine = try #require(NotebookFixture.line(of: "[4]> step 2", in: edited))
      let numberLineAfter = numberLine - 2
      try NotebookFixture.write(edited, to: path)

      let result = check(path)
      #expect(result.status == .failed)
      let mismatches = try #require(result.outcome?.mismatches)
      let word = try #require(mismatches.first { $0.line == wordLine })
      #expect(word.kind == .word(expected: "(flat);", got: "(uniform);"))
      let missing = try #require(mismatches.first { $0.line == missingLine })
      #expect(missing.kind == .cellNumber(expected: 3, found: 4))
      #expect(missing.message.contains("n.md:\(missingLine): expected cell [3], found [4]: a cell is missing here"))
      // Without the rewards the numbers change from here on; the edited
      // number is reported at its own line.
      #expect(mismatches.contains { $0.line == numberLineAfter })
      #expect(result.output.contains("n.md:\(wordLine): expected '(flat);', got '(uniform);'"))
      #expect(result.output.contains("  expected: policy: 1 state × 4 arms, all logits 0 (flat);"))
      #expect(result.output.hasSuffix("(FAIL)"))
    }
  }

  @Test func aChangedNumberAloneIsReportedWithExpectedAndGot() throws {
    try NotebookFixture.withScratchFolder { folder in
      let (path, text) = try saved(["policy logits 2 1 0 -1", "rewards 1 0 0.5 0.2", "step"], in: folder)
      let line = try #require(NotebookFixture.line(of: "0.9387420677", in: text))
      try NotebookFixture.write(NotebookFixture.replacing("0.9387420677", with: "0.9387420679", in: text), to: path)
      let result = check(path)
      let mismatches = try #require(result.outcome?.mismatches)
      #expect(mismatches.count == 1)
      #expect(mismatches.first?.line == line)
      #expect(mismatches.first?.kind == .number(expected: "0.9387420679", got: "0.9387420677", tolerance: .printed))
      #expect(
        result.output.contains(
          "n.md:\(line): expected 0.9387420679, got 0.9387420677 (differs by 2e-10; the printed precision allows 1e-10)"
        ))
      #expect(result.output.hasSuffix("n.md: 3 cells: 2 passed, 1 failed (FAIL)"))
    }
  }

  @Test func acceptRecordsTheNewOutputsThenCheckPasses() throws {
    try NotebookFixture.withScratchFolder { folder in
      let (path, text) = try saved(
        ["policy arms 4", "policy logits 2 1 0 -1", "rewards 1 0 0.5 0.2", "step 2"], in: folder)
      var edited = NotebookFixture.replacing("0.9387420677", with: "0.5", in: text)
      edited = NotebookFixture.replacing("(uniform)", with: "(flat)", in: edited)
      edited = NotebookFixture.replacing(
        "[3]> rewards 1 0 0.5 0.2\nrewards: state 0; R = 0.6938981399\n", with: "", in: edited)
      edited = NotebookFixture.replacing(
        "A session saved", with: "Prose the teacher wrote. A session saved", in: edited)
      try NotebookFixture.write(edited, to: path)
      #expect(check(path).status == .failed)

      let accepted = FileReplay.run(path, options: ReplayOptions(mode: .accept))
      #expect(accepted.status == .passed)
      // The word's cell, and the step's (renumbered, and its numbers changed).
      #expect(accepted.output == "\(path): 2 of 3 cells changed; written")
      let after = try NotebookFixture.read(path)
      #expect(after.contains("Prose the teacher wrote."))
      #expect(after.contains("[3]> step 2"))
      #expect(check(path).status == .passed)
      // Accepting again changes nothing and writes nothing.
      #expect(
        FileReplay.run(path, options: ReplayOptions(mode: .accept)).output
          == "\(path): 0 of 3 cells changed; nothing to write")
      // No temporary file is left next to the notebook.
      #expect(NotebookFixture.contents(folder) == ["n.md"])
    }
  }

  @Test func lastDigitDifferencesPassByDefaultLargerOnesFail() throws {
    try NotebookFixture.withScratchFolder { folder in
      let (path, text) = try saved(["policy logits 2 1 0 -1", "rewards 1 0 0.5 0.2", "step"], in: folder)
      // One unit in the last printed digit, in a fixed and a scientific number.
      var flipped = NotebookFixture.replacing("0.9387420677", with: "0.9387420678", in: text)
      flipped = NotebookFixture.replacing("-8.79489627e-03", with: "-8.79489626e-03", in: flipped)
      try NotebookFixture.write(flipped, to: path)
      #expect(check(path).status == .passed)
      try NotebookFixture.write(NotebookFixture.replacing("0.9387420677", with: "0.9387420675", in: text), to: path)
      #expect(check(path).status == .failed)
      // A changed step number is a whole number: exact.
      try NotebookFixture.write(NotebookFixture.replacing("\n   1  ", with: "\n   2  ", in: text), to: path)
      #expect(check(path).status == .failed)
    }
  }

  @Test func headerAndCellTolerancesOverrideTheDefault() throws {
    try NotebookFixture.withScratchFolder { folder in
      let (path, text) = try saved(["policy logits 2 1 0 -1", "rewards 1 0 0.5 0.2", "step"], in: folder)
      let loose = NotebookFixture.replacing("0.9387420677", with: "0.9387427", in: text)
      try NotebookFixture.write(loose, to: path)
      #expect(check(path).status == .failed)
      // The whole file at 1e-6.
      try NotebookFixture.write(
        NotebookFixture.replacing("tolerance: printed", with: "tolerance: 1e-6", in: loose), to: path)
      #expect(check(path).status == .passed)
      // Only the step cell at abs 1e-5.
      try NotebookFixture.write(
        NotebookFixture.replacing("[3]> step", with: "[3]> step   #tolerance abs 1e-5", in: loose), to: path)
      #expect(check(path).status == .passed)
      // A cell may also tighten: exact fails a last-digit flip the default allows.
      let flip = NotebookFixture.replacing("0.9387420677", with: "0.9387420678", in: text)
      try NotebookFixture.write(
        NotebookFixture.replacing("[3]> step", with: "[3]> step #tolerance exact", in: flip), to: path)
      #expect(check(path).status == .failed)
    }
  }

  @Test func handWrittenNotebooksUseBarePromptsAndRecordErrors() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/lesson.md"
      try NotebookFixture.write(
        """
        # Entropy of a uniform policy

        A uniform policy over K arms has entropy log K.

        ```lab
        > policy arms 4
        policy: 1 state × 4 arms, all logits 0 (uniform); H = 1.3862943611 = log 4
        ```

        An error is part of the lesson too:

        ```lab
        > policy arms 0
        error: policy: 'arms' … whatever the shell said
        ```
        """, to: path)
      let result = check(path)
      // The error cell differs in its words, but the cell numbering is not
      // checked without numbers, and a recorded error is not a failure to run.
      let mismatches = try #require(result.outcome?.mismatches)
      #expect(!mismatches.isEmpty && mismatches.allSatisfy { $0.line == 14 })
      #expect(FileReplay.run(path, options: ReplayOptions(mode: .run)).status == .passed)
      #expect(FileReplay.run(path, options: ReplayOptions(mode: .accept)).status == .passed)
      #expect(check(path).status == .passed)
    }
  }

  @Test func runModePrintsTheRegeneratedNotebookAndFailsOnUnrecordedErrors() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/r.md"
      try NotebookFixture.write("Intro.\n\n```lab\n> policy arms 2\nstale\n> policy arms 0\n```\n", to: path)
      let result = FileReplay.run(path, options: ReplayOptions(mode: .run))
      #expect(result.status == .failed)
      #expect(result.output.hasPrefix("Intro.\n\n```lab\n> policy arms 2\npolicy: 1 state × 2 arms"))
      #expect(result.output.contains("> policy arms 0\nerror: policy arms:"))
      #expect(result.diagnostics.contains("r.md: 2 of 2 cells run"))
      // --bail stops at that failure.
      let bailed = FileReplay.run(folder + "/r.md", options: ReplayOptions(mode: .check, bail: true))
      #expect(bailed.outcome?.stopReason?.contains("--bail") == true)
    }
  }

  @Test func bailStopsAtTheFirstFailureAndCountsTheRest() throws {
    try NotebookFixture.withScratchFolder { folder in
      let (path, text) = try saved(["policy arms 2", "policy arms 3", "policy arms 4"], in: folder)
      try NotebookFixture.write(NotebookFixture.replacing("log 2", with: "log 5", in: text), to: path)
      let result = FileReplay.run(path, options: ReplayOptions(mode: .check, bail: true))
      #expect(result.status == .failed)
      #expect(result.outcome?.notRun == 2)
      #expect(result.output.contains("stopped at the first failure"))
      #expect(result.output.contains("n.md: 3 cells: 0 passed, 1 failed, 2 not run (FAIL)"))
    }
  }
}
