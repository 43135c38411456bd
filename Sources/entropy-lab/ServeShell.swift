import EntropyLab
import EntropyLabServe

/// The terminal side of `entropy-lab serve`: the readline shell, typing
/// into the session the page shows. It runs on the main thread and reaches
/// the session only through the `LabHub` actor (`Blocking.wait`), so a
/// line from the terminal and a click on the page never run at once; each
/// runs to its end in the order it arrived. What the page runs is printed
/// above the prompt as it happens, marked `(from the page)`.
struct ServeShell {
  let hub: LabHub
  var source: ReadlineLineSource
  let width: TerminalWidth

  mutating func run() {
    Interrupt.installHandlers()
    var out = StandardOutput()
    let hub = self.hub
    source.interjection = {
      let text = ServeShell.pageCells(hub)
      return text.isEmpty ? nil : (text, Blocking.wait { await hub.prompt })
    }
    out.writeLine(
      "Type commands here or on the page: both drive one session. Ctrl-D or 'quit' stops the server.")
    while !out.isBroken && !Interrupt.isEnding {
      let prompt = Blocking.wait { await hub.prompt }
      guard let line = source.nextLine(prompt: prompt) else { break }
      let pending = ServeShell.pageCells(hub)
      if !pending.isEmpty { out.write(pending) }
      let columns = width.current()
      let result = Blocking.wait { () async -> CellResult? in
        await hub.setTerminalWidth(columns)
        return await hub.execute(line, from: .terminal)?.cell
      }
      guard let cell = result else { continue }
      if !cell.output.isEmpty { out.writeLine(cell.output) }
      if cell.quit { break }
    }
    source.finish()
    Interrupt.endBySignal()
  }

  /// What the page ran since the terminal last looked, as the terminal
  /// prints it.
  static func pageCells(_ hub: LabHub) -> String {
    let cells = Blocking.wait { await hub.takePageCells() }
    return cells.map { cell in
      "[\(cell.number)]> \(TerminalText.visible(cell.input))   (from the page)\n"
        + (cell.output.isEmpty ? "" : cell.output + "\n")
    }.joined()
  }
}
