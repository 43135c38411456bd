import ArgumentParser
import EntropyLab

/// `entropy-lab diff EXPECTED.md ACTUAL.md`: compares two notebooks'
/// recorded outputs by `replay --check`'s rules, running neither.
///
/// A thin layer over `NotebookDiff`.
struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Compare two notebooks' recorded outputs cell by cell, by replay --check's rules, running neither.",
    discussion: """
      The cells are paired in order and their commands must be the same. Outputs are compared as \
      replay --check compares them: words exactly, numbers to the precision printed or EXPECTED's \
      tolerance (its header's, or a cell's #tolerance), blank lines and spacing ignored. Each \
      mismatch is printed as EXPECTED:LINE with the expected and actual lines, then one summary \
      line. Its use: a lesson run through the Jupyter kernel and converted back from .ipynb, \
      checked against the lesson.

      Exit status: 0 the outputs agree; 1 they differ; 65 a file is not a valid notebook; 66 a \
      file could not be read.
      """)

  @Argument(help: "The notebook with the outputs to expect.", completion: .file(extensions: ["md"]))
  var expected: String

  @Argument(help: "The notebook whose outputs are checked.", completion: .file(extensions: ["md"]))
  var actual: String

  func run() throws {
    let want: Notebook
    let got: Notebook
    do {
      want = try NotebookFile.load(expected)
      got = try NotebookFile.load(actual)
    } catch {
      StandardOutput.warn(Renderer.render([], error: error.labError(command: "diff"), style: .plain))
      throw ExitCode(error.kind == .malformed ? 65 : 66)
    }
    let outcome = NotebookDiff.compare(expected: want, actual: got)
    var out = StandardOutput()
    for mismatch in outcome.mismatches { out.writeLine(TerminalText.visible(mismatch.message)) }
    out.writeLine(outcome.summary(expected: expected, actual: actual))
    if let status = out.reportFailure() { throw ExitCode(status) }
    if !outcome.succeeded { throw ExitCode(1) }
  }
}
