import Foundation

@testable import EntropyCore
@testable import EntropyLab

/// What the two fuzz targets do with their bytes. Kept apart from the
/// `@_cdecl` entry points so that a finding can be replayed from a test
/// or a debugger with the same guards.
public enum FuzzHarness {
  /// The most lines (or notebook cells) run per input.
  public static let maxLines = 4096
  /// The largest count or size a heavy command may ask for: large enough
  /// to reach the resource findings (a million states, a group of 10⁵,
  /// `run 1000000`), because the lab's own budgets now bound the cost:
  /// `memoryLimit` for every allocation, `stepLimit` steps and `budget`
  /// of time per input (`RunBudget`), checked before a command starts.
  public static let maxCount = 1_000_000.0
  /// The memory budget the fuzzed sessions run under (libFuzzer's own
  /// limit, -rss_limit_mb, is 2 GiB: a command that allocates past the
  /// budget unchecked is a finding).
  public static let memoryLimit = 256 << 20
  /// Steps per input (`RunBudget`).
  public static let stepLimit = 20_000
  /// After this long an input's remaining lines are skipped, and a long
  /// `step`/`run`/replay stops at its next interruption check.
  public static let budget = Duration.milliseconds(400)

  /// Sets the budgets for one input: the memory limit, and a fresh step
  /// and time budget.
  public static func startInput() {
    MemoryBudget.setLimit(bytes: memoryLimit)
    RunBudget.configure(maxSteps: stepLimit, maxSeconds: 0.4)
  }
  /// Commands whose numbers are counts or sizes (cost grows with them).
  public static let heavyCommands: Set<String> = [
    "policy", "step", "run", "group", "minibatches", "epochs", "compare", "tokens", "history", "fit",
  ]
  /// Groups whose commands only touch the session, never a file.
  public static let sessionOnlyGroups: Set<String> = [
    "Policy and rewards", "Updates", "Dynamics", "Sampled GRPO", "Entropy controls", "Trajectory", "Session",
  ]

  /// Copies libFuzzer's buffer.
  public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
  }

  /// A session that refuses every file command and stops long commands
  /// once the input's time budget is spent.
  public static func session(seed: UInt64 = 0) -> Session {
    let deadline = ContinuousClock.now + budget
    let session = Session(seed: seed, isInterrupted: { ContinuousClock.now >= deadline })
    session.fileAccess = FileAccessPolicy(mode: .safe(writableFolder: nil))
    return session
  }

  /// Whether `line` may run in the command target: it names no file
  /// command and asks for no count beyond `maxCount`.
  public static func allowed(_ line: String, filesToo: Bool = false) -> Bool {
    guard let tokens = try? Tokenizer.split(line), let first = tokens.first else { return true }
    guard let command = try? CommandTable.standard.resolve(first.text) else { return true }
    if !filesToo && !sessionOnlyGroups.contains(command.group) { return false }
    guard heavyCommands.contains(command.name) else { return true }
    let words = tokens.dropFirst().map(\.text)
    // `policy logits/probs` take values, not counts; `scale σ` is a value.
    if command.name == "policy", let mode = words.first, "logits".hasPrefix(mode) || "probs".hasPrefix(mode),
      !mode.isEmpty
    {
      return true
    }
    var previous = ""
    for word in words {
      defer { previous = word }
      if previous == "scale" { continue }
      if !isSmallCount(word) { return false }
    }
    return true
  }

  /// Whether every number in `word` (ranges `a..b` included) is at most
  /// `maxCount` in size; words without digits pass.
  static func isSmallCount(_ word: String) -> Bool {
    guard word.contains(where: \.isNumber) else { return true }
    for part in word.split(separator: ".", omittingEmptySubsequences: true) {
      let cleaned = part.filter { $0 != "_" && $0 != "+" }
      if let value = Double(cleaned) {
        if !(abs(value) <= maxCount) { return false }
      } else if cleaned.contains(where: \.isNumber) {
        // Something number-like that Double cannot read (0x10, 1e): only
        // short ones pass.
        if cleaned.count > 3 { return false }
      }
    }
    return true
  }

  /// The command target: each line of `bytes` runs in a fresh session.
  public static func runCommands(_ bytes: [UInt8]) {
    startInput()
    let text = String(decoding: bytes, as: UTF8.self)
    let session = session()
    var lines = 0
    let start = ContinuousClock.now
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lines += 1
      if lines > maxLines || ContinuousClock.now - start >= budget { break }
      let line = String(line)
      guard allowed(line) else { continue }
      let before = session.state
      let result = session.execute(line)
      checkInvariants(session, before: before, line: line, failed: result?.failed ?? false)
      if result?.quit ?? false { break }
    }
  }

  /// The oracle beyond "no crash": traps (so libFuzzer records the input)
  /// when a failed command changed the state, or the state is not a valid
  /// one: a logit NaN or +∞, probabilities not summing to 1 within 1e-12,
  /// an entropy outside [0, log K], a non-finite learning rate.
  public static func checkInvariants(_ session: Session, before: LabState, line: String, failed: Bool) {
    let state = session.state
    if failed && state != before {
      // `==` is false for equal states holding a NaN (an unresolved path
      // integral): compare descriptions, which print NaN alike.
      precondition(
        String(describing: state) == String(describing: before), "failed command changed the state: \(line)")
    }
    let policy = state.policy
    precondition(!policy.logits.contains { $0.isNaN || $0 == .infinity }, "NaN or +inf logit after: \(line)")
    precondition(state.learningRate.isFinite, "non-finite η after: \(line)")
    let bound = log(Double(policy.arms))
    // A sum of K rounded terms is off by up to about K·ε (ε = 2.2e-16):
    // 1e-12 held for the old harness's K ≤ 12, not for K = 151,936.
    let slack = max(1e-12, 4 * Double(policy.arms) * Double.ulpOfOne)
    for s in 0..<policy.states {
      let sum = policy.probabilities(state: s).reduce(0, +)
      precondition(abs(sum - 1) <= slack, "Σπ = \(sum) in state \(s) after: \(line)")
      let h = policy.entropy(state: s)
      precondition(h >= 0 && h <= bound + slack * max(1, bound), "H = \(h) in state \(s) after: \(line)")
    }
  }

  /// The notebook target: decode (refusing binary or invalid UTF-8 as a
  /// file would be), parse, drop over-costly cells, replay in check mode
  /// in safe mode (file commands refused by name).
  public static func runNotebook(_ bytes: [UInt8]) {
    guard let text = try? NotebookFile.decode(bytes, path: "fuzz.md") else { return }
    runNotebook(text: text)
  }

  /// Parses and replays a notebook's text (the notebook targets share it).
  public static func runNotebook(text: String) {
    startInput()
    guard var notebook = try? NotebookParser.parse(text, path: "fuzz.md") else { return }
    notebook.cells = Array(notebook.cells.prefix(maxLines).filter { allowed($0.command, filesToo: true) })
    let session = session(seed: notebook.header?.seed ?? 0)
    let outcome = Replayer.replay(notebook, in: session, options: ReplayOptions(mode: .check))
    precondition(outcome.cells.count == notebook.cells.count, "a cell went missing from the outcome")
    checkInvariants(session, before: session.state, line: "(end of replay)", failed: false)
    // What `save` would write must parse again (issue 11: a `#tolerance`
    // comment the parser rejects was saved as typed).
    let saved = NotebookWriter.notebook(for: session).text
    do throws(FileError) {
      _ = try NotebookParser.parse(saved, path: "saved.md")
    } catch {
      preconditionFailure("save wrote a notebook replay rejects: \(error.location): \(error.problem)")
    }
    // Safe mode: the replay must not have touched a file. The target runs
    // in an empty scratch folder (run.sh), which must stay empty.
    precondition(
      (try? FileManager.default.contentsOfDirectory(atPath: "."))?.filter { !$0.hasPrefix("fuzz-") }.isEmpty ?? true,
      "a file appeared in the scratch folder")
  }
}
