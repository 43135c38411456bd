import ArgumentParser
import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `entropy-lab [shell]`: the notebook shell. A readline prompt when stdin
/// is a terminal; otherwise (or given a script) the lines are read one by
/// one without decoration.
struct ShellCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shell",
    abstract: "Open the notebook shell (default).",
    discussion: """
      At a terminal: a readline prompt with Tab completion and history \
      ($ENTROPY_LAB_HISTORY, else $XDG_STATE_HOME/entropy-lab/history, else \
      ~/.local/state/entropy-lab/history). Ctrl-C discards the line or stops a \
      long command; Ctrl-D or 'quit' leaves.

      With piped input or a script, each line runs as a cell and its output \
      (errors included) goes to stdout. Exit status: 0 when every command \
      succeeded, 1 when one failed (a replay whose notebook failed counts), 64 for \
      bad flags, 66 for an unreadable script or a folder, 74 when the output \
      could not be written (a full disk, > /dev/full) or the input read. \
      A piped or script line may have at most 1 MiB; a longer one stops the reading there (exit 1).
      """)

  @Flag(help: "Print one JSON object per result line instead of tables.")
  var json = false

  @Flag(
    help: ArgumentHelp(
      "Frame the shell for a program: one JSON object per input line (cell, command, text, failed, svg).",
      discussion: "Used by the Jupyter kernel (python/); see the README's 'Jupyter and Colab'."))
  var kernel = false

  @Flag(help: "Stop at the first failing command (piped input and scripts).")
  var bail = false

  @Option(help: "Seed of the session's random generator.")
  var seed: UInt64 = 0

  @Flag(name: .customLong("no-color"), help: "Never colour the output (NO_COLOR does the same).")
  var noColor = false

  @Flag(help: "Print each command as '[n]> line' before its output (piped input and scripts).")
  var echo = false

  @Option(
    help: ArgumentHelp(
      "Fit text output to N columns (default: the terminal's width, else $COLUMNS, else no limit).",
      valueName: "N"))
  var width: Int?

  @Flag(help: "Print every line whole, however wide (no width limit).")
  var wide = false

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp(
      "Apply a setting before the first cell (repeatable; keys as 'set', e.g. --set lr=0.5 --set clipcov.on=on).",
      valueName: "KEY=VALUE"))
  var settings: [String] = []

  @Argument(help: "A script of commands, one per line, run like piped input.", completion: .file())
  var script: String?

  @OptionGroup(title: "Budgets (no time or step limit by default in the shell)")
  var budgets: BudgetOptions

  func validate() throws {
    if let width, width < OutputStyle.narrowest {
      throw ValidationError("--width \(width) is too narrow: expected at least \(OutputStyle.narrowest) columns")
    }
    if wide && width != nil { throw ValidationError("--wide and --width cannot be used together") }
    if kernel {
      let clashing = [(json, "--json"), (echo, "--echo"), (bail, "--bail"), (script != nil, "a script")]
      if let (_, name) = clashing.first(where: { $0.0 }) {
        throw ValidationError(
          "--kernel cannot be combined with \(name): it reads standard input and answers each line with one JSON object"
        )
      }
    }
    if echo && json {
      throw ValidationError("--echo cannot be combined with --json: --json prints JSON objects only")
    }
  }

  func run() throws {
    Interrupt.ignoreBrokenPipe()
    budgets.apply()
    let environment = TerminalTraits.environment()
    let interactive = !kernel && script == nil && isatty(STDIN_FILENO) != 0
    let traits = TerminalTraits.current(noColorFlag: noColor, environment: environment)
    let widths = TerminalWidth(fixed: width, wide: wide, environment: environment)
    // The kernel's text is in the notebook style (80 columns unless --width
    // or --wide), so it compares with recorded notebooks.
    let style =
      kernel
      ? OutputStyle(width: wide ? nil : width ?? OutputStyle.notebookWidth)
      : OutputStyle(
        json: json, color: interactive && traits.color, unicode: interactive && traits.unicode,
        width: widths.current())
    let session = Session(seed: seed, style: style)
    do throws(LabError) {
      var assignments: [(key: String, value: String)] = []
      for word in settings {
        assignments.append(try SettingsRegistry.split(word, command: "--set", expected: "--set KEY=VALUE"))
      }
      try session.apply(settings: assignments)
    } catch {
      StandardOutput.warn(error.message + (error.expected.map { " (expected: \($0))" } ?? ""))
      throw ExitCode(64)  // EX_USAGE
    }
    let status: Int32
    if kernel {
      var shell = KernelShell(session: session, source: PipedLineSource())
      status = shell.run()
    } else if interactive {
      let source = ReadlineLineSource(
        table: session.table, historyPath: HistoryFile.location(environment: environment))
      var shell = InteractiveShell(
        session: session, source: source, stdoutIsTerminal: traits.stdoutIsTerminal, width: widths)
      status = shell.run()
    } else {
      let source: PipedLineSource
      if let script {
        do throws(ScriptOpenError) {
          source = try PipedLineSource(path: script)
        } catch {
          StandardOutput.warn("cannot open the script \(error.path): \(error.reason)")
          throw ExitCode(66)  // EX_NOINPUT
        }
      } else {
        source = PipedLineSource()
      }
      var shell = PipedShell(
        session: session, source: source, inputName: script ?? "standard input", bail: bail, echo: echo)
      status = shell.run()
    }
    if status != 0 { throw ExitCode(status) }
  }
}
