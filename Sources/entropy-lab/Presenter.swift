import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Presents a notebook one cell at a time (`entropy-lab present`).
///
/// The screen shows one section — its prose, the cells of it already run
/// with their outputs, and the next cell's command — and is redrawn after
/// every key at a terminal. Before each cell runs, the session is
/// snapshotted, so `b` returns to exactly the state before it. From a pipe
/// nothing is cleared: only what is new on the screen is printed.
struct Presenter {
  let presentation: Presentation
  let path: String
  let session: Session
  let traits: TerminalTraits
  let keys: PresenterKeys
  let columns: Int
  private var out = StandardOutput()
  /// How many cells have run.
  private var index = 0
  /// Whether the next cell's section is on screen (false right after the
  /// last cell of a section ran: its output stays until the next key).
  private var turned = true
  /// The session before each cell that has run.
  private var snapshots: [Session.Snapshot] = []
  /// The output of each cell that has run.
  private var outputs: [String] = []
  /// What is on the screen now (for a pipe: what was printed).
  private var screen = ""

  init(notebook: Notebook, path: String, traits: TerminalTraits, keys: PresenterKeys, columns: Int) {
    presentation = Presentation(notebook)
    self.path = path
    self.traits = traits
    self.keys = keys
    self.columns = max(columns, 20)
    let style = OutputStyle(json: false, color: traits.color, unicode: traits.unicode, width: self.columns)
    session = Session(seed: notebook.header?.seed ?? 0, style: style)
    session.fileAccess.mode = session.fileAccess.restricting(.safe(writableFolder: nil))
  }

  /// The terminal's width: the tty's, else `$COLUMNS`, else 80.
  static func columns(environment: [String: String]) -> Int {
    if let columns = TerminalWidth.terminalColumns() { return columns }
    return environment["COLUMNS"].flatMap { Int($0) } ?? 80
  }

  /// Runs until `q`, Ctrl-D or the end of input.
  mutating func run() {
    Interrupt.installHandlers()
    defer {
      keys.restore()
      Interrupt.endBySignal()
    }
    draw()
    while !out.isBroken {
      switch keys.next() {
      case .next: forward()
      case .back: back()
      case .quit:
        out.write(keys.isTerminal ? "\n" : "")
        return
      case .other: continue
      }
      draw()
    }
  }

  /// Enter: turn to the next section, or run the next cell.
  private mutating func forward() {
    guard turned else {
      turned = true
      return
    }
    guard index < presentation.slides.count else { return }
    snapshots.append(session.snapshot())
    Interruption.reset()
    let cell = session.execute(presentation.slides[index].command)
    outputs.append(cell?.output ?? "")
    index += 1
    turned = index == presentation.slides.count ? false : presentation.slides[index].prose == nil
  }

  /// `b`: undo the last cell, with the session as it was before it.
  private mutating func back() {
    guard let snapshot = snapshots.popLast() else { return }
    session.restore(snapshot)
    outputs.removeLast()
    index -= 1
    turned = true
  }

  /// The screen for the current position.
  private func render() -> (text: String, hint: String) {
    let slides = presentation.slides
    var lines: [String] = []
    let pending = turned && index < slides.count
    if slides.isEmpty {
      lines += prose(presentation.closing ?? "")
    } else {
      let focus = pending ? index : max(index - 1, 0)
      let start = presentation.sectionStart(of: focus)
      if let text = slides[start].prose { lines += prose(text) + [""] }
      for j in start..<index {
        lines.append(command(j))
        if !outputs[j].isEmpty { lines.append(outputs[j]) }
      }
      if pending {
        lines.append(command(index))
      } else if index == slides.count, let closing = presentation.closing {
        lines += [""] + prose(closing)
      }
    }
    let hint: String
    if pending {
      hint = "Enter: run [\(index + 1)] · b: back · q: quit   (\(index) of \(slides.count) run)"
    } else if index < slides.count {
      hint = "Enter: next section · b: back · q: quit   (\(index) of \(slides.count) run)"
    } else {
      hint = "End of \(path). b: back · q: quit"
    }
    return (lines.joined(separator: "\n") + "\n", hint)
  }

  /// Shows the current position: a redrawn screen at a terminal, only what
  /// is new from a pipe.
  private mutating func draw() {
    let (text, hint) = render()
    if keys.isTerminal {
      out.write("\u{1B}[H\u{1B}[2J" + text + "\n" + styled(hint, "2") + "\n")
    } else if text.hasPrefix(screen) {
      out.write(String(text.dropFirst(screen.count)))
    } else {
      out.write("\n" + text)
    }
    screen = text
  }

  /// Cell `j`'s prompt and command.
  private func command(_ j: Int) -> String {
    styled("[\(j + 1)]> ", "1;34") + styled(TerminalText.visible(presentation.slides[j].command), "1")
  }

  /// Markdown prose for the terminal: headings in bold, long lines wrapped
  /// at word boundaries (code blocks and indented lines kept as they are),
  /// control characters made visible (`TerminalText`).
  private func prose(_ markdown: String) -> [String] {
    var result: [String] = []
    var inFence = false
    for line in TerminalText.visible(markdown).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    {
      if line.hasPrefix("```") || line.hasPrefix("~~~") { inFence.toggle() }
      if inFence || line.hasPrefix("    ") || line.hasPrefix("\t") || line.count <= columns {
        result.append(line.hasPrefix("#") && !inFence ? styled(line, "1") : line)
        continue
      }
      var current = ""
      for word in line.split(separator: " ") {
        if !current.isEmpty && current.count + 1 + word.count > columns {
          result.append(current)
          current = ""
        }
        current += current.isEmpty ? String(word) : " " + word
      }
      if !current.isEmpty { result.append(current) }
    }
    return result
  }

  private func styled(_ text: String, _ sgr: String) -> String {
    traits.color ? "\u{1B}[\(sgr)m" + text + "\u{1B}[0m" : text
  }
}
