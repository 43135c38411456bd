import Foundation
import Testing

/// Issue 11, finding 7, for the command line: ArgumentParser's own errors
/// quote what was typed (`Unknown option '…'`, `The value '…' is invalid`),
/// and printed it raw, so a flag holding `ESC ] 0 ; TITLE BEL` set the
/// terminal's title and `ESC [ 2 J` cleared the screen. Now every such
/// message goes through `TerminalText.visible` (ESC as `\e`, BEL as `\x07`).
@Suite struct CommandLineErrorTests {
  static let title = "\u{1B}]0;TITLE\u{07}"
  static let clear = "\u{1B}[2J"

  @Test(arguments: [
    (["--" + title + "x"], "\\e]0;TITLE\\x07x"),
    (["--seed", clear], "\\e[2J"),
    (["replay", "--max-seconds", clear + "5"], "\\e[2J5"),
    (["replay", "--check", "--bogus" + title, "x.md"], "\\e]0;TITLE\\x07"),
    (["--memory-limit", clear], "\\e[2J"),
  ])
  func aBadFlagOrValueIsEchoedWithItsEscapesVisible(arguments: [String], visible: String) throws {
    let run = try PipedRun.run(arguments, input: "")
    #expect(run.status == 64, "\(arguments): \(run.stderr)")
    #expect(run.stderr.contains(visible), "\(arguments): \(run.stderr)")
    #expect(!run.stderr.contains("\u{1B}") && !run.stderr.contains("\u{07}"), "\(arguments): \(run.stderr)")
    #expect(run.stdout.isEmpty)
  }

  /// Help still goes to stdout, whole, with exit 0.
  @Test func helpIsPrintedAsBefore() throws {
    let run = try PipedRun.run(["--help"], input: "")
    #expect(run.status == 0)
    #expect(run.stdout.contains("USAGE: entropy-lab"))
    #expect(run.stderr.isEmpty)
  }
}
