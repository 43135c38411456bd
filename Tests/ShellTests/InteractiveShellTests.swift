import Foundation
import Testing

/// The real `entropy-lab` under a pseudo-terminal: proves GNU readline is in
/// use (Tab, Up, Ctrl-C, Ctrl-D) and that history reaches its file.
@Suite(.serialized) struct InteractiveShellTests {
  /// The longest run `step` accepts; Ctrl-C stops it long before the end.
  static let longRun = 10_000_000

  typealias Keys = PseudoTerminal

  /// A shell in a fresh home folder with an empty inputrc and TERM=xterm.
  static func start(
    in home: TemporaryFolder, arguments: [String] = [], environment extra: [String: String] = [:],
    standardOutput: String? = nil
  ) throws -> PseudoTerminal {
    let inputrc = try home.write("inputrc", "")
    var environment = ShellBinary.environment([
      "HOME": home.path, "XDG_STATE_HOME": home.path + "/state", "TERM": "xterm", "INPUTRC": inputrc,
    ])
    environment.merge(extra) { _, new in new }
    return try PseudoTerminal(
      executable: try ShellBinary.path(), arguments: arguments, environment: environment,
      standardOutput: standardOutput)
  }

  @Test func tabUpCtrlCAndCtrlDAtTheReadlinePrompt() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let shell = try Self.start(in: home)
    try shell.expect("Ctrl-D or 'quit' to leave")
    try shell.expect("[1]> ")

    // Tab completes a command name from the command table.
    shell.type("pol" + Keys.tab)
    try shell.expect("policy")
    shell.type("arms 4" + Keys.enter)
    try shell.expect("1 state × 4 arms")
    try shell.expect("[2]> ")
    shell.type("rewards 1 0 0 0" + Keys.enter)
    try shell.expect("R = 0.25")
    try shell.expect("[3]> ")

    // Up brings the previous line back; Enter runs it again.
    shell.type(Keys.up)
    try shell.expect("rewards 1 0 0 0")
    shell.type(Keys.enter)
    try shell.expect("R = 0.25")
    try shell.expect("[4]> ")

    // Ctrl-C discards a partly typed line; the shell lives on, and the same
    // cell number comes back because nothing ran.
    shell.type("policy arms 9")
    try shell.expect("policy arms 9")
    shell.type(Keys.ctrlC)
    try shell.expect("[4]> ")
    shell.type("predict" + Keys.enter)
    try shell.expect("path integral")
    try shell.expect("[5]> ")

    // Ctrl-C on an empty line says how to leave.
    shell.type(Keys.ctrlC)
    try shell.expect("(Ctrl-D or 'quit' to leave)")
    try shell.expect("[5]> ")

    // Ctrl-C during a long run stops it between steps.
    shell.type("step \(Self.longRun)" + Keys.enter)
    try shell.expect("Ctrl-C stops")  // the progress line: the run is under way
    shell.type(Keys.ctrlC)
    try shell.expect("interrupted after")
    try shell.expect("[6]> ")
    shell.type("predict" + Keys.enter)
    try shell.expect("path integral")
    try shell.expect("[7]> ")

    // Ctrl-D on an empty line leaves with status 0 and saves the history.
    shell.type(Keys.ctrlD)
    #expect(try shell.waitForExit() == 0)
    let history = try String(contentsOfFile: home.path + "/state/entropy-lab/history", encoding: .utf8)
    #expect(
      history
        == ["policy arms 4", "rewards 1 0 0 0", "predict", "step \(Self.longRun)", "predict"].joined(separator: "\n")
        + "\n")
  }

  @Test func historyFromAnEarlierSessionComesBackWithUp() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let file = try home.write("my-history", "policy arms 3\nrewards 0 0 1\n")
    let shell = try Self.start(in: home, environment: ["ENTROPY_LAB_HISTORY": file])
    try shell.expect("[1]> ")
    shell.type(Keys.up + Keys.up)
    try shell.expect("policy arms 3")
    shell.type(Keys.enter)
    try shell.expect("1 state × 3 arms")
    try shell.expect("[2]> ")
    shell.type("quit" + Keys.enter)
    #expect(try shell.waitForExit() == 0)
    let history = try String(contentsOfFile: file, encoding: .utf8)
    #expect(history == "policy arms 3\nrewards 0 0 1\npolicy arms 3\nquit\n")
  }

  @Test func sigtermSavesTheHistoryAndEndsBySignal() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let shell = try Self.start(in: home)
    try shell.expect("[1]> ")
    shell.type("policy arms 2" + Keys.enter)
    try shell.expect("[2]> ")
    kill(shell.pid, SIGTERM)
    #expect(try shell.waitForExit() == 128 + SIGTERM)
    let history = try String(contentsOfFile: home.path + "/state/entropy-lab/history", encoding: .utf8)
    #expect(history == "policy arms 2\n")
  }

  @Test func anUnwritableHistoryFileGivesOneWarning() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    // A folder that cannot exist: its parent is a regular file.
    let blocker = try home.write("blocker", "")
    let shell = try Self.start(in: home, environment: ["ENTROPY_LAB_HISTORY": blocker + "/history"])
    try shell.expect("[1]> ")
    shell.type("policy arms 2" + Keys.enter)
    try shell.expect("[2]> ")
    shell.type("show" + Keys.enter)
    try shell.expect("[3]> ")
    shell.type(Keys.ctrlD)
    #expect(try shell.waitForExit() == 0)
    let warnings = shell.screen.components(separatedBy: "cannot create the folder for the history file").count - 1
    #expect(warnings == 1, "screen:\n\(shell.screen)")
  }

  /// Issue 11, finding 6, at a terminal: the shell's output cannot be
  /// written (stdin is the terminal, stdout `/dev/full`). It stops at once,
  /// without waiting for a line, and exits 74 (EX_IOERR) with one message
  /// on standard error (the terminal), as the piped shell does.
  @Test(.enabled(if: ExitCodeTests.hasDevFull, "needs /dev/full"))
  func aFailedWriteToTheOutputEndsTheShellWith74() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let shell = try Self.start(in: home, standardOutput: "/dev/full")
    let status = try shell.waitForExit()
    #expect(status == 74, "screen:\n\(shell.screen)")
    let messages = shell.screen.components(separatedBy: "cannot write to standard output").count - 1
    #expect(messages == 1, "screen:\n\(shell.screen)")
  }

  /// Colour on a terminal, unless NO_COLOR, --no-color or TERM=dumb.
  @Test(arguments: [
    ([String](), [String: String](), true),
    ([], ["NO_COLOR": "1"], false),
    ([], ["NO_COLOR": ""], true),
    (["--no-color"], [:], false),
    ([], ["TERM": "dumb"], false),
  ])
  func colourFollowsTheConventions(arguments: [String], environment: [String: String], coloured: Bool) throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let shell = try Self.start(in: home, arguments: arguments, environment: environment)
    try shell.expect("[1]> ")
    shell.type("bogus" + Keys.enter)
    try shell.expect("is not a command")
    try shell.expect("[2]> ")
    shell.type(Keys.ctrlD)
    #expect(try shell.waitForExit() == 0)
    #expect(shell.screen.contains("\u{1B}[31merror") == coloured, "screen:\n\(shell.screen.debugDescription)")
  }
}
