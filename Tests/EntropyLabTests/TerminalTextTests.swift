import Foundation
import Testing

@testable import EntropyLab

/// Issue 11, finding 7: untrusted text (a notebook's cells and outputs,
/// typed words, file names) reaches a terminal or a transcript with its
/// control characters made visible; JSON stays escaped; the shell's own
/// colours still work.
@Suite struct TerminalTextTests {
  /// The sequences of the attack: a window title (OSC 0), a screen clear
  /// (CSI 2J), a clipboard write (OSC 52), a bell, a NUL, a bare carriage
  /// return, the 8-bit CSI and a right-to-left override.
  static let hostile = "\u{1B}]0;TITLE\u{07}\u{1B}[2J\u{1B}]52;c;cHduZWQ=\u{07}\u{0}x\ry\u{9B}31m\u{202E}"

  @Test func everyControlCharacterIsMadeVisibleInOneScheme() {
    #expect(
      TerminalText.visible(Self.hostile)
        == "\\e]0;TITLE\\x07\\e[2J\\e]52;c;cHduZWQ=\\x07\\x00x\\x0Dy\\u{9B}31m\\u{202E}")
    #expect(TerminalText.visible("\u{7F}\u{08}") == "\\x7F\\x08")
  }

  @Test func ordinaryTextIsUnchanged() {
    for text in ["", "policy arms 4", "tab\tand\nnewline", "windows line\r\n", "π ≥ 0, H = log 4 — “quoted” ✓ 𝔼"] {
      #expect(TerminalText.visible(text) == text)
    }
  }

  /// No raw control byte (other than tab and newline) in `text`.
  static func isClean(_ text: String) -> Bool {
    !text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t" && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
  }

  @Test func typedWordsAndFileNamesInErrorsAreMadeVisible() throws {
    let session = NotebookFixture.session([])
    // A NUL byte refuses the whole line before it runs (its own test), so
    // the typed word here carries the other control characters.
    for line in [
      Self.hostile.replacingOccurrences(of: "\u{0}", with: "") + " arms", "policy arms \u{1B}[2J",
      "save /no/such/folder/\u{1B}]0;X\u{07}.md",
    ] {
      let cell = try #require(session.execute(line))
      #expect(cell.failed)
      #expect(Self.isClean(cell.output), "\(cell.output.debugDescription)")
      #expect(cell.output.contains("\\e"))
    }
  }

  /// `replay --check`'s expected and got lines, and the shell's replay
  /// transcript, show a hostile notebook's text made visible.
  @Test func aHostileNotebookCannotWriteEscapeSequencesThroughReplay() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/hostile.md"
      // A NUL byte makes a file binary, refused before it runs: leave it out.
      let hostile = Self.hostile.replacingOccurrences(of: "\u{0}", with: "")
      try NotebookFixture.write(
        "```lab\n> policy arms 2\n\(hostile)\n> \(hostile)\nrecorded \(hostile)\n```\n", to: path)
      let check = FileReplay.run(path, options: ReplayOptions(mode: .check))
      #expect(check.status == .failed)
      #expect(Self.isClean(check.output) && Self.isClean(check.diagnostics), "\(check.output.debugDescription)")
      #expect(check.output.contains("\\e]0;TITLE\\x07"))
      let run = FileReplay.run(path, options: ReplayOptions(mode: .run))
      #expect(Self.isClean(run.output) && Self.isClean(run.diagnostics))
      let cell = try #require(NotebookFixture.session([]).execute("replay \(path)"))
      #expect(Self.isClean(cell.output), "\(cell.output.debugDescription)")
    }
  }

  @Test func jsonStaysEscapedAndColoursStillWork() throws {
    let json = Session(style: OutputStyle(json: true), isInterrupted: { false })
    let cell = try #require(json.execute("policy arms \u{1B}[2J"))
    #expect(cell.output.contains("\\u001b") || cell.output.contains("\\u001B"), "\(cell.output)")
    #expect(Self.isClean(cell.output))
    let coloured = Session(style: OutputStyle(color: true), isInterrupted: { false })
    let error = try #require(coloured.execute("bogus \u{1B}[2J"))
    #expect(error.output.hasPrefix("\u{1B}[31merror: \u{1B}[0m"), "the shell's own colour is kept")
    #expect(!error.output.dropFirst(12).contains("\u{1B}[2J"))
  }
}
