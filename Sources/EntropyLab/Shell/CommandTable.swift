/// The table of every shell command: lookup by name, alias or unique
/// prefix, suggestions for typos, help text and Tab completion all come
/// from it.
public struct CommandTable: Sendable {
  /// The commands, in help order.
  public let commands: [Command]

  /// A table over `commands`.
  public init(_ commands: [Command]) {
    self.commands = commands
  }

  /// Every command of the shell. Adding a command is one row here plus its
  /// file.
  public static let standard = CommandTable(
    PolicyCommands.all + ModelCommands.all + DynamicsCommands.all + TrainingCommands.all + ControlCommands.all
      + TrainerKnobCommands.all
      + TrajectoryCommands.all + SweepCommands.all
      + SessionCommands.all + NotebookCommands.all + ExportCommands.all + SettingsCommands.all)

  /// The groups in the order `help` lists them.
  public static let groupOrder = [
    "Policy and rewards", "Updates", "Dynamics", "Sampled GRPO", "Entropy controls", "Trajectory", "Session",
    "Notebooks", "Export",
  ]

  /// The command named `word`: an exact name or alias, else the unique
  /// command whose name starts with it.
  ///
  /// - Throws: `LabError` naming the nearest command for an unknown word,
  ///   or the candidates for an ambiguous prefix.
  public func resolve(_ word: String) throws(LabError) -> Command {
    if let exact = commands.first(where: { $0.name == word || $0.aliases.contains(word) }) { return exact }
    let matches = commands.filter { $0.name.hasPrefix(word) }
    if matches.count == 1 { return matches[0] }
    if matches.count > 1 {
      throw LabError(
        word: word, problem: "is ambiguous: it could be \(matches.map(\.name).joined(separator: ", "))")
    }
    var problem = "is not a command"
    if let near = nearest(to: word) { problem += "; did you mean '\(near)'?" }
    throw LabError(word: word, problem: problem + " (type 'help' for the list)")
  }

  /// The command name closest to `word` by edit distance, if close enough.
  public func nearest(to word: String) -> String? {
    // The distance costs |word| × |name| time and memory per name: a long
    // word (a pasted line, a 10 MB token) gets no suggestion.
    guard word.utf8.count <= 4 * CommandTable.suggestionMaxLength, word.count <= CommandTable.suggestionMaxLength
    else { return nil }
    let names = commands.flatMap { [$0.name] + $0.aliases }
    let scored = names.map { ($0, CommandTable.editDistance(word.lowercased(), $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    // Short words are easily close to anything: allow one edit up to four
    // letters, two beyond.
    return best.1 <= (word.count <= 4 ? 1 : 2) && best.1 < word.count ? best.0 : nil
  }

  /// The longest word (in characters) a typo suggestion is looked for.
  public static let suggestionMaxLength = 64

  /// Levenshtein distance (insert, delete, substitute; adjacent swap
  /// counts 1, so `stpe` is 1 from `step`).
  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
          d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        }
      }
    }
    return d[a.count][b.count]
  }

  /// Completions of the word being typed: command names for the first
  /// word, the command's sub-words after it.
  ///
  /// - Parameters:
  ///   - lineBeforeWord: the text of the line before the word being completed.
  ///   - word: the partial word.
  public func completions(lineBeforeWord: String, word: String) -> [String] {
    guard case .words(let candidates) = offer(lineBeforeWord: lineBeforeWord) else { return [] }
    return candidates.filter { $0.hasPrefix(word) }
  }

  /// What the next word of a line may be: command names first, then what
  /// the command accepts after the words before it (its `completer`, else
  /// its sub-words), or a file name.
  public func offer(lineBeforeWord: String) -> CompletionOffer {
    let earlier = lineBeforeWord.split(whereSeparator: \.isWhitespace).map(String.init)
    guard let first = earlier.first else { return .words(commands.map(\.name)) }
    guard let command = try? resolve(first) else { return .words([]) }
    // `help` completes command names.
    if command.name == "help" { return .words(earlier.count == 1 ? commands.map(\.name) : []) }
    if let completer = command.completer { return completer(Array(earlier.dropFirst())) }
    return .words(command.subwords)
  }

  /// `help`: every command's usage and summary, by group.
  public func helpOverview() -> String {
    var lines: [String] = []
    let width = min(34, (commands.map(\.usage.count).max() ?? 0))
    let groups = CommandTable.groupOrder + Set(commands.map(\.group)).subtracting(CommandTable.groupOrder).sorted()
    for group in groups {
      let members = commands.filter { $0.group == group }
      guard !members.isEmpty else { continue }
      if !lines.isEmpty { lines.append("") }
      lines.append(group + ":")
      for c in members {
        if c.usage.count > width {
          // A long usage gets a line of its own; the summary goes under it.
          lines.append("  " + c.usage)
          lines.append(String(repeating: " ", count: width + 4) + c.summary)
        } else {
          lines.append("  " + c.usage + String(repeating: " ", count: width - c.usage.count + 2) + c.summary)
        }
      }
    }
    lines.append("")
    lines.append("Commands may be shortened to any unique prefix. 'help COMMAND' shows details.")
    return lines.joined(separator: "\n")
  }

  /// `help NAME`: the usage, summary, details and aliases of one command.
  public func help(for command: Command) -> String {
    var lines = ["usage: " + command.usage, "", command.summary]
    if !command.details.isEmpty {
      lines.append("")
      lines.append(contentsOf: command.details)
    }
    if !command.aliases.isEmpty {
      lines.append("")
      lines.append("also: " + command.aliases.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
  }
}
