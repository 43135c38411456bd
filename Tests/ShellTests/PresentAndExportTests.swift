import Foundation
import Testing

/// `entropy-lab present` under a pseudo-terminal, and `entropy-lab export`
/// writing a handout from a notebook file.
@Suite(.serialized) struct PresentAndExportTests {
  typealias Keys = PseudoTerminal

  static let notebook = """
    ---
    entropy-lab: 0.1.0
    seed: 4
    ---

    # Presenting

    First section: **a uniform policy**.

    ```lab
    > policy arms 4
    > rewards 1 0 0 0
    ```

    Second section: one step at a time.

    ```lab
    > step
    > step
    ```

    That is all.
    """

  @Test func presentRunsCellsOnEnterGoesBackAndQuits() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let file = try home.write("talk.md", Self.notebook)
    let environment = ShellBinary.environment(["HOME": home.path, "TERM": "xterm", "NO_COLOR": "1"])
    let pty = try PseudoTerminal(
      executable: try ShellBinary.path(), arguments: ["present", file], environment: environment, columns: 80)
    try pty.expect("First section: **a uniform policy**.")
    try pty.expect("[1]> policy arms 4")
    try pty.expect("Enter: run [1]")
    pty.type(Keys.enter)
    try pty.expect("1 state × 4 arms")
    try pty.expect("[2]> rewards 1 0 0 0")
    pty.type(Keys.enter)
    try pty.expect("R = 0.25")
    // The last cell of a section: its output stays until the next key.
    try pty.expect("Enter: next section")
    pty.type(Keys.enter)
    try pty.expect("Second section: one step at a time.")
    try pty.expect("Enter: run [3]")
    pty.type(Keys.enter)
    let first = try pty.expect("Enter: run [4]")
    let step1 = try #require(Self.stepRow(in: first))
    // b undoes step 3: running it again prints the same row, from the same state.
    pty.type("b")
    try pty.expect("Enter: run [3]")
    pty.type(Keys.enter)
    let again = try pty.expect("Enter: run [4]")
    #expect(Self.stepRow(in: again) == step1)
    pty.type(" ")
    try pty.expect("That is all.")
    try pty.expect("End of ")
    pty.type("q")
    #expect(try pty.waitForExit() == 0)
  }

  @Test func presentQuitsOnCtrlCWhileWaiting() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let file = try home.write("talk.md", Self.notebook)
    let environment = ShellBinary.environment(["HOME": home.path, "TERM": "xterm"])
    let pty = try PseudoTerminal(
      executable: try ShellBinary.path(), arguments: ["present", file], environment: environment, columns: 80)
    try pty.expect("Enter: run [1]")
    pty.type(Keys.ctrlC)
    #expect(try pty.waitForExit() == 0)
  }

  @Test func presentFromAPipeReadsOneKeyPerLine() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let file = try folder.write("talk.md", Self.notebook)
    let run = try PipedRun.run(["present", file], input: "\n\n\n\n\nb\n\n\n\nq\n")
    #expect(run.status == 0)
    #expect(run.stdout.contains("Second section"))
    #expect(run.stdout.components(separatedBy: "[4]> step").count == 3)  // shown, undone, shown again
    #expect(run.stdout.contains("That is all."))
  }

  @Test func exportWritesAHandoutAndItsCharts() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let file = try folder.write("lesson.md", Self.notebook + "\n\n```lab\n> plot entropy\n> save x.md\n```\n")
    let charts = folder.path + "/charts"
    try FileManager.default.createDirectory(atPath: charts, withIntermediateDirectories: true)
    let run = try PipedRun.run(
      ["export", file, "--html", folder.path + "/lesson.html", "--svg-dir", charts], input: "")
    #expect(run.status == 1, "the notebook's save is refused in safe mode: \(run.stderr)")
    #expect(run.stderr.contains("refused 1 file command"))
    #expect(run.stderr.contains("wrote 5 cells and 3 pieces of prose as a handout"))
    let html = try String(contentsOfFile: folder.path + "/lesson.html", encoding: .utf8)
    #expect(html.contains("<title>Presenting</title>"))
    #expect(html.contains("<strong>a uniform policy</strong>"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: charts) == ["chart-01.svg"])
    let missing = try PipedRun.run(["export", folder.path + "/nope.md", "--html", folder.path + "/x.html"], input: "")
    #expect(missing.status == 66)
    let usage = try PipedRun.run(["export", file], input: "")
    #expect(usage.status == 64)
  }

  /// The row of a `step` table in `screen`: the line starting with "   1 ".
  static func stepRow(in screen: String) -> String? {
    screen.split(whereSeparator: \.isNewline).map(String.init).last { $0.hasPrefix("   ") && $0.contains("e-0") }?
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
