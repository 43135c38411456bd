@preconcurrency import CReadline
import EntropyLab
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Tab completion through the session's command table: command names for
/// the first word, the command's sub-words after it.
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
  fileprivate static func prepare(lineBeforeWord: String, word: String) -> Bool {
    let found = table.withLock { $0?.completions(lineBeforeWord: lineBeforeWord, word: word) ?? [] }
    candidates.withLock { $0 = found }
    return !found.isEmpty
  }

  /// The `index`th candidate, if there is one.
  fileprivate static func candidate(_ index: Int) -> String? {
    candidates.withLock { index < $0.count ? $0[index] : nil }
  }
}

/// Readline's `rl_attempted_completion_function`: the matches for the word
/// between `start` and `end`, never file names.
private func attemptCompletion(
  _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
  rl_attempted_completion_over = 1  // no fallback to file-name completion
  guard let text, let buffer = rl_line_buffer else { return nil }
  let before = UnsafeRawBufferPointer(start: buffer, count: Int(max(0, start)))
  let lineBeforeWord = String(decoding: before, as: UTF8.self)
  guard ReadlineCompletion.prepare(lineBeforeWord: lineBeforeWord, word: String(cString: text)) else { return nil }
  return rl_completion_matches(text, nextCandidate)
}

/// Readline's generator: called with state 0, 1, 2, … until it returns nil;
/// each match is `strdup`'d because readline frees it.
private func nextCandidate(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
  guard let match = ReadlineCompletion.candidate(Int(state)) else { return nil }
  return strdup(match)
}
