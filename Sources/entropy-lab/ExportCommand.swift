import ArgumentParser
import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `entropy-lab export FILE.md --html OUT [--svg-dir DIR] [--title T]
/// [--ipynb OUT]`: a handout straight from a notebook file, prose included,
/// or the notebook as a Jupyter notebook.
///
/// A thin layer over `NotebookHandout`: the notebook runs in a fresh
/// session in safe mode, then the page and the charts are written
/// atomically. `--ipynb` alone runs nothing (`IpynbNotebook`).
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract:
      "Write a notebook as an HTML handout (prose, cells, charts), its charts as SVG files, or a Jupyter notebook.",
    discussion: """
      The notebook runs in a fresh session seeded from its header, in safe mode: its file \
      commands (save, export, replay) are refused and listed, and file and checkpoint commands \
      are left out of the handout. The title is --title, else the header's title, else the \
      notebook's first '# heading', else the file name. --svg-dir DIR writes every chart the \
      notebook draws as DIR/chart-01.svg, chart-02.svg, … (the folder must exist).

      --ipynb OUT writes the notebook as a Jupyter notebook (nbformat 4.5) without running it: \
      prose as Markdown cells, each run of lab cells as one code cell with the recorded outputs, \
      the header's version, seed, tolerance and title in the metadata under 'entropylab' and the \
      seed as a first 'seed N' code cell. Run it in the EntropyLab kernel (see the README's \
      'Jupyter and Colab').

      Exit status: 0 written; 1 a cell was refused or failed unexpectedly, or a file could not be \
      written; 65 not a notebook; 66 unreadable; 64 a usage error.
      """)

  @Option(help: ArgumentHelp("Write the handout to OUT (one self-contained HTML page).", valueName: "OUT"))
  var html: String?

  @Option(
    name: .customLong("svg-dir"),
    help: ArgumentHelp("Write each chart as an SVG file into DIR.", valueName: "DIR"))
  var svgDir: String?

  @Option(help: ArgumentHelp("Write the notebook as a Jupyter notebook (.ipynb) to OUT.", valueName: "OUT"))
  var ipynb: String?

  @Option(help: "The handout's title.")
  var title: String?

  @Argument(help: "The notebook (Markdown file).", completion: .file(extensions: ["md"]))
  var file: String

  func validate() throws {
    if html == nil && svgDir == nil && ipynb == nil {
      throw ValidationError("say what to write: --html OUT, --svg-dir DIR, --ipynb OUT, or several")
    }
  }

  func run() throws {
    if let ipynb {
      let notebook: Notebook
      do {
        notebook = try NotebookFile.load(file)
      } catch {
        StandardOutput.warn(Renderer.render([], error: error.labError(command: "export"), style: .plain))
        throw ExitCode(error.kind == .malformed ? 65 : 66)
      }
      do {
        try AtomicFile.write(IpynbNotebook.document(notebook), to: FileAccessPolicy.absolute(ipynb))
      } catch {
        StandardOutput.warn(Renderer.render([], error: error.labError(command: "export"), style: .plain))
        throw ExitCode(1)
      }
      fputs(
        "export: wrote the notebook's \(notebook.cells.count) commands to \(ipynb) (Jupyter, nbformat 4.5)\n",
        StandardStreams.error)
      if html == nil && svgDir == nil { return }
    }
    let handout: NotebookHandout
    do {
      handout = try NotebookHandout.make(notebookAt: file, title: title)
    } catch {
      StandardOutput.warn(Renderer.render([], error: error.labError(command: "export"), style: .plain))
      throw ExitCode(error.kind == .malformed ? 65 : 66)
    }
    var failed = handout.outcome.failed > 0
    var lines = [Renderer.render(handout.outcome.closingNotes, error: nil, style: .plain)].filter { !$0.isEmpty }
    func write(_ text: String, to path: String, what: String) {
      do {
        try AtomicFile.write(text, to: FileAccessPolicy.absolute(path))
        lines.append("export: wrote \(what) to \(path)")
      } catch {
        failed = true
        lines.append(Renderer.render([], error: error.labError(command: "export"), style: .plain))
      }
    }
    if let html { write(handout.html, to: html, what: HTMLHandout.describe(handout.items)) }
    if let svgDir {
      for (index, plot) in handout.plots.enumerated() {
        let name = String(index + 1).count < 2 ? "0\(index + 1)" : String(index + 1)
        let dir = svgDir.hasSuffix("/") ? String(svgDir.dropLast()) : svgDir
        write(SVGChart.document(plot), to: "\(dir)/chart-\(name).svg", what: "plot '\(plot.title)'")
      }
      if handout.plots.isEmpty { lines.append("export: the notebook draws no charts; no SVG written") }
    }
    fputs(lines.joined(separator: "\n") + "\n", StandardStreams.error)
    if failed { throw ExitCode(1) }
  }
}
