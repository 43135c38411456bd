import Foundation
import Testing

@testable import EntropyLab

/// The README's command list is `help`'s output: the command table is the
/// single source, and this test fails when the two drift apart.
@Suite struct ReadmeTests {
  /// README.md at the package root, found from this file's path.
  static let readme = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("README.md")

  @Test func commandListMatchesHelp() throws {
    let text = try String(contentsOf: Self.readme, encoding: .utf8)
    let begin = try #require(text.range(of: "<!-- help:begin -->\n```text\n"), "README lacks the help:begin marker")
    let end = try #require(text.range(of: "\n```\n<!-- help:end -->"), "README lacks the help:end marker")
    let listed = String(text[begin.upperBound..<end.lowerBound])
    // As printed at 80 columns, so the README reads on a narrow page.
    let help = Renderer.render([.block(CommandTable.standard.helpOverview())], error: nil, style: .notebook)
    #expect(
      listed == help,
      "README.md's command list differs from 'help'; regenerate it with: echo help | swift run entropy-lab --width 80")
  }
}
