@preconcurrency import CReadline
import EntropyLab
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lines typed at a terminal, through GNU readline: editing, history
/// (kept in a `HistoryFile`), Tab completion and Ctrl-C.
///
/// It uses readline's callback interface — `poll` on the terminal, then
/// `rl_callback_read_char` — so a Ctrl-C is handled in ordinary code, never
/// in a signal handler:
/// 1. readline's own SIGINT handler (kept installed for the whole prompt by
///    `rl_persistent_signal_handlers`) records the signal; `poll` returns
///    EINTR (or readline meets the signal while it reads a key);
/// 2. `rl_check_signals()` lets readline drop its line state (undo list,
///    incremental search, …), echo `^C` and pass the signal on to the
///    shell's handler, which sets `Interruption`;
/// 3. seeing the flag, the source discards the line and starts a fresh
///    prompt.
/// Between prompts the shell's handler is the only one, and long commands
/// poll the same flag between steps.
struct ReadlineLineSource: LineSource {
  private(set) var lineNumber = 0
  /// Where history is kept, or nil when it is off.
  private var history: HistoryFile?
  /// The lines entered in this session, appended to the file at the end.
  private var newEntries: [String] = []
  /// The last line added to the history (repeats are not added again).
  private var lastEntry: String?

  /// The most history entries kept.
  static let historyLimit = 1000

  /// Sets readline up for the shell; warns once on stderr if the history
  /// file cannot be read (history is then not saved either, so the file is
  /// never overwritten with less than it holds).
  init(table: CommandTable, historyPath: String?) {
    setlocale(LC_CTYPE, "")  // multibyte (UTF-8) editing
    rl_readline_name = UnsafePointer(strdup("entropy-lab"))
    // Prompt and editing go where the user looks: stdout, or stderr when
    // stdout is redirected (`entropy-lab | tee log`).
    if isatty(STDOUT_FILENO) == 0 { rl_outstream = StandardStreams.error }
    rl_catch_signals = 1
    rl_persistent_signal_handlers = 1
    ReadlineCompletion.install(table)
    stifle_history(Int32(ReadlineLineSource.historyLimit))
    if let historyPath {
      let file = HistoryFile(path: historyPath, limit: ReadlineLineSource.historyLimit)
      do throws(HistoryError) {
        let entries = try file.load()
        for entry in entries { add_history(entry) }
        lastEntry = entries.last
        history = file
      } catch {
        StandardOutput.warn(error.message)
      }
    }
  }

  /// Asked about four times a second while the prompt waits (`serve`):
  /// text to print above the prompt line (what the page ran meanwhile) and
  /// the prompt to show after it, or nil. Unset in the plain shell, which
  /// then waits for keys without waking up.
  var interjection: (() -> (text: String, prompt: String)?)?

  mutating func nextLine(prompt: String) -> String? {
    guard let line = ReadlineLineSource.readLine(prompt: prompt, interjection: interjection) else {
      ReadlineLineSource.endPromptLine()
      return nil
    }
    lineNumber += 1
    if !line.allSatisfy(\.isWhitespace) && line != lastEntry {
      add_history(line)
      newEntries.append(line)
      lastEntry = line
    }
    return line
  }

  /// Saves the history; an unwritable file gives one warning on stderr.
  mutating func finish() {
    guard let history else { return }
    do throws(HistoryError) {
      try history.save(appending: newEntries)
      newEntries = []
    } catch {
      StandardOutput.warn(error.message)
    }
  }

  /// One line through the callback interface; nil on Ctrl-D at an empty
  /// line, or when the terminal goes away.
  private static func readLine(prompt: String, interjection: (() -> (text: String, prompt: String)?)?) -> String? {
    Interruption.reset()  // a Ctrl-C from before this prompt is stale
    Pending.current.withLock { $0 = .waiting }
    rl_callback_handler_install(prompt, onLine)
    while true {
      switch Pending.current.withLock({ $0 }) {
      case .line(let text): return text
      case .end: return nil
      case .waiting: break
      }
      // A signal can land anywhere: while we wait in poll (EINTR), or while
      // readline reads a key (it may then handle it itself, or leave it
      // pending). So both are checked before every wait.
      var searching = false
      if rl_pending_signal() != 0 { searching = processSignal() }
      if Interrupt.isEnding {
        rl_callback_handler_remove()
        return nil
      }
      if Interruption.consume() {
        abandonLine(prompt: prompt, searching: searching)
        continue
      }
      var terminal = pollfd(fd: fileno(rl_instream ?? StandardStreams.input), events: Int16(POLLIN), revents: 0)
      let ready = poll(&terminal, 1, interjection == nil ? -1 : 250)
      if ready < 0 {
        if errno == EINTR { continue }
        rl_callback_handler_remove()
        return nil
      }
      if ready == 0 {
        if let (text, newPrompt) = interjection?() { interject(text, prompt: newPrompt) }
        continue
      }
      rl_callback_read_char()
    }
  }

  /// Lets readline handle the signal it caught: for SIGINT it drops its
  /// line state (undo list, incremental search, …), echoes `^C` and hands
  /// the signal on to the shell's handler, which sets `Interruption`.
  ///
  /// - Returns: whether an incremental search was in progress.
  private static func processSignal() -> Bool {
    let signal = rl_pending_signal()
    let searching = rl_readline_state & UInt(RL_STATE_ISEARCH | RL_STATE_NSEARCH) != 0
    if signal == SIGINT && !searching {
      // Put the cursor after the text, so the echoed ^C follows it.
      rl_point = rl_end
      rl_redisplay()
    }
    rl_check_signals()
    if signal == SIGTSTP {
      // Back from Ctrl-Z and `fg`: the shell may have drawn over the line.
      rl_forced_update_display()
    }
    return searching
  }

  /// After Ctrl-C at the prompt: discards the line and starts a fresh
  /// prompt; on an empty line, says how to leave.
  private static func abandonLine(prompt: String, searching: Bool) {
    let out = rl_outstream ?? StandardStreams.output
    if searching {
      // Ending the search redrew the line with the cursor inside it, and
      // the echoed ^C landed on the text: draw the line again, ^C after it.
      rl_point = rl_end
      rl_forced_update_display()
      if ReadlineLineSource.terminalEchoesControlCharacters() { fputs("^C", out) }
    }
    let lineWasEmpty = rl_end == 0
    rl_replace_line("", 1)
    rl_point = 0
    rl_mark = 0
    rl_callback_handler_remove()
    fputs(lineWasEmpty ? "\n(Ctrl-D or 'quit' to leave)\n" : "\n", out)
    fflush(out)
    rl_callback_handler_install(prompt, onLine)
  }

  /// After Ctrl-D, moves to a new line — unless readline already did, as it
  /// does when it switched bracketed paste off at the end of the prompt.
  /// Prints `text` above the line being edited, then draws `prompt` and
  /// the edited text again with the cursor where it was.
  private static func interject(_ text: String, prompt: String) {
    let out = rl_outstream ?? StandardStreams.output
    let point = rl_point
    let saved = rl_copy_text(0, rl_end)
    defer { free(saved) }
    rl_save_prompt()
    rl_replace_line("", 0)
    rl_redisplay()
    fputs("\r\u{1B}[K" + text + (text.hasSuffix("\n") ? "" : "\n"), out)
    fflush(out)
    rl_restore_prompt()
    rl_set_prompt(prompt)
    rl_replace_line(saved.map { String(cString: $0) } ?? "", 0)
    rl_point = point
    rl_forced_update_display()
  }

  private static func endPromptLine() {
    let bracketedPaste = rl_variable_value("enable-bracketed-paste").map { String(cString: $0) } == "on"
    guard !bracketedPaste else { return }
    let out = rl_outstream ?? StandardStreams.output
    fputs("\n", out)
    fflush(out)
  }

  /// Whether the terminal shows control keys as `^C` (ECHOCTL), as
  /// readline's own `rl_echo_signal_char` checks.
  private static func terminalEchoesControlCharacters() -> Bool {
    var modes = termios()
    guard tcgetattr(fileno(rl_instream ?? StandardStreams.input), &modes) == 0 else { return false }
    return modes.c_lflag & tcflag_t(ECHOCTL) != 0
  }
}

/// What readline's line callback handed over.
private enum Pending: Equatable, Sendable {
  case waiting
  case line(String)
  case end

  /// The line in flight between `onLine` and `readLine(prompt:)`.
  static let current = Mutex<Pending>(.waiting)
}

/// Readline's line handler (`rl_callback_handler_install`): takes the line,
/// frees readline's copy and ends the prompt.
private func onLine(_ text: UnsafeMutablePointer<CChar>?) {
  rl_callback_handler_remove()
  guard let text else {
    Pending.current.withLock { $0 = .end }
    return
  }
  let line = String(cString: text)
  free(text)
  Pending.current.withLock { $0 = .line(line) }
}
