@preconcurrency import CReadline
import EntropyLab
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Tab completion through the session's command table: command names for
/// the first word, then what the command accepts next (`CommandTable.offer`),
/// file names where it takes a file.
///
/// Readline calls plain C functions, so the table and the current
/// candidates live in process-wide storage behind a mutex (readline only
/// ever calls from the thread that runs the prompt).
enum ReadlineCompletion {
  /// The table completions come from.
  private static let table = Mutex<CommandTable?>(nil)
  /// The candidates of the completion in progress.
  private static let candidates = Mutex<[String]>([])

  /// Points readline's completion hooks at `commandTable`; call once at
  /// start-up, before the first prompt.
  static func install(_ commandTable: CommandTable) {
    table.withLock { $0 = commandTable }
    rl_attempted_completion_function = attemptCompletion
  }

  /// The candidates for `word`, given the line before it.
  fileprivate static func prepare(lineBeforeWord: String, word: String) -> Preparation {
    let offer = table.withLock { $0?.offer(lineBeforeWord: lineBeforeWord) } ?? .words([])
    guard case .words = offer else { return .fileName }
    let found = table.withLock { $0?.completions(lineBeforeWord: lineBeforeWord, word: word) ?? [] }
    candidates.withLock { $0 = found }
    return found.isEmpty ? .nothing : .words
  }

  /// What `prepare` found.
  fileprivate enum Preparation {
    case words
    case fileName
    case nothing
  }

  /// The `index`th candidate, if there is one.
  fileprivate static func candidate(_ index: Int) -> String? {
    candidates.withLock { index < $0.count ? $0[index] : nil }
  }
}

/// Readline's `rl_attempted_completion_function`: the matches for the word
/// between `start` and `end`; file names only where the command takes a
/// file (save, replay/load, export).
private func attemptCompletion(
  _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
  rl_attempted_completion_over = 1  // no fallback to file-name completion
  guard let text, let buffer = rl_line_buffer else { return nil }
  let before = UnsafeRawBufferPointer(start: buffer, count: Int(max(0, start)))
  let lineBeforeWord = String(decoding: before, as: UTF8.self)
  switch ReadlineCompletion.prepare(lineBeforeWord: lineBeforeWord, word: String(cString: text)) {
  case .words: return rl_completion_matches(text, nextCandidate)
  case .fileName:
    rl_attempted_completion_over = 0  // readline completes the file name
    return nil
  case .nothing: return nil
  }
}

/// Readline's generator: called with state 0, 1, 2, … until it returns nil;
/// each match is `strdup`'d because readline frees it.
private func nextCandidate(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
  guard let match = ReadlineCompletion.candidate(Int(state)) else { return nil }
  return strdup(match)
}
