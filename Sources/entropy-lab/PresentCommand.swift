import ArgumentParser
import EntropyLab

/// `entropy-lab present FILE.md`: a notebook as a talk at the terminal.
struct PresentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "present",
    abstract: "Present a notebook at the terminal: its prose, then its cells one at a time.",
    discussion: """
      Each prose section is shown with its next cell's command; Enter (or space, n) runs that \
      cell and shows its output; b steps back one cell, returning the session to the state \
      before it; q (or Ctrl-D) quits. Ctrl-C stops a long cell, and quits while waiting. The \
      notebook runs in a fresh session seeded from its header, in safe mode (its file commands \
      are refused). Works in any terminal, tmux included; with input from a pipe, each line is \
      one key (an empty line is Enter).
      """)

  @Flag(name: .customLong("no-color"), help: "Never colour the output (NO_COLOR does the same).")
  var noColor = false

  @Argument(help: "The notebook (Markdown file).", completion: .file(extensions: ["md"]))
  var file: String

  func run() throws {
    Interrupt.ignoreBrokenPipe()
    let notebook: Notebook
    do {
      notebook = try NotebookFile.load(FileAccessPolicy.absolute(file), displayPath: file)
    } catch {
      StandardOutput.warn(Renderer.render([], error: error.labError(command: "present"), style: .plain))
      throw ExitCode(error.kind == .malformed ? 65 : 66)
    }
    let environment = TerminalTraits.environment()
    let traits = TerminalTraits.current(noColorFlag: noColor, environment: environment)
    var presenter = Presenter(
      notebook: notebook, path: file, traits: traits,
      keys: PresenterKeys(), columns: Presenter.columns(environment: environment))
    presenter.run()
  }
}
