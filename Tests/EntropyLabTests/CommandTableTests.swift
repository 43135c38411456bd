import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// The command table: names, prefixes, suggestions, help and completion.
@Suite struct CommandTableTests {
  let table = CommandTable.standard
  var names: [String] { table.commands.map(\.name) }

  // MARK: names

  @Test func namesAndAliasesAreUnique() {
    let all = table.commands.flatMap { [$0.name] + $0.aliases }
    var seen: [String: Int] = [:]
    for word in all { seen[word, default: 0] += 1 }
    #expect(seen.filter { $0.value > 1 }.isEmpty, "used twice: \(seen.filter { $0.value > 1 }.keys.sorted())")
    #expect(all.allSatisfy { !$0.isEmpty && !$0.contains(where: \.isWhitespace) })
  }

  @Test func theIssueCommandsExist() throws {
    for name in ["policy", "rewards", "adv", "update", "lr", "predict", "step", "show", "seed", "help", "quit"] {
      #expect(try table.resolve(name).name == name)
    }
  }

  @Test func everyFullNameAndAliasResolvesToItsCommand() throws {
    for command in table.commands {
      #expect(try table.resolve(command.name).name == command.name)
      for alias in command.aliases { #expect(try table.resolve(alias).name == command.name) }
    }
  }

  /// A name that is a prefix of another can only be typed in full; the
  /// intended cases are `clip` (PPO clip) beside the two clip controls, and
  /// `reward` (the response's reward model, issue 14) beside `rewards`.
  @Test func noNameIsAPrefixOfAnotherUnlessIntended() {
    var pairs: [String] = []
    for a in names {
      for b in names where b != a && b.hasPrefix(a) { pairs.append("\(a) < \(b)") }
    }
    #expect(pairs.sorted() == ["clip < clipcov", "clip < cliphigher", "reward < rewards"])
  }

  /// Every prefix of every name resolves exactly as a reference rule says:
  /// an exact name wins, else the one name with that prefix, else an error.
  @Test func everyPrefixResolvesToTheUniqueCommandOrFails() {
    for command in table.commands {
      for length in 1...command.name.count {
        let prefix = String(command.name.prefix(length))
        let exact = table.commands.first { $0.name == prefix || $0.aliases.contains(prefix) }
        let starting = names.filter { $0.hasPrefix(prefix) }
        let resolved = try? table.resolve(prefix)
        if let exact {
          #expect(resolved?.name == exact.name, "\(prefix)")
        } else if starting.count == 1 {
          #expect(resolved?.name == starting[0], "\(prefix)")
        } else {
          #expect(resolved == nil, "\(prefix) should be ambiguous among \(starting)")
        }
      }
    }
  }

  @Test func uniquePrefixesWorkInTheShell() {
    let session = LabHarness.session()
    let cell = LabHarness.run(session, "pol arms 3")
    #expect(cell.output == "policy: 1 state × 3 arms, all logits 0 (uniform); H = 1.0986122887 = log 3")
    LabHarness.run(session, "upd npg")
    #expect(session.state.rule == .npg)
    LabHarness.run(session, "minib 4")
    #expect(session.state.grpo.minibatches == 4)
  }

  // MARK: errors

  /// The wording, on a small table of its own so new commands cannot
  /// change it.
  @Test func ambiguousPrefixNamesTheCandidatesInTableOrder() throws {
    let toy = CommandTable([Self.toy("alpha"), Self.toy("alps"), Self.toy("beta")])
    #expect(throws: LabError(word: "al", problem: "is ambiguous: it could be alpha, alps")) { try toy.resolve("al") }
    #expect(throws: LabError.self) { try toy.resolve("alp") }
    #expect(try toy.resolve("alph").name == "alpha")
    #expect(try toy.resolve("b").name == "beta")
  }

  @Test func ambiguousPrefixInTheShell() {
    let session = LabHarness.session()
    LabHarness.refuse(session, "cli", output: "error: 'cli' is ambiguous: it could be clip, clipcov, cliphigher")
  }

  @Test(arguments: [
    ("stpe", "step"), ("polciy", "policy"), ("hlep", "help"), ("predcit", "predict"), ("STEP", "step"),
    ("updaet", "update"), ("exti", "exit"), ("rewrads", "rewards"),
    // Beyond four letters, two edits still get a suggestion.
    ("plxcy", "policy"), ("nxize", "noise"),
  ])
  func unknownCommandSuggestsTheNearest(typed: String, suggestion: String) {
    let session = LabHarness.session()
    LabHarness.refuse(
      session, typed + " 1",
      output: "error: '\(typed)' is not a command; did you mean '\(suggestion)'? (type 'help' for the list)")
  }

  /// Two edits from "step" in four letters, three from "checkpoint": too far
  /// (one edit is allowed up to four letters, two beyond).
  @Test(arguments: ["xyzzy", "zzzzzzzzzzzz", "-inf", "1e309", "sxyp", "chexkpoxnx"])
  func unknownCommandFarFromEveryNameGetsNoSuggestion(typed: String) {
    let session = LabHarness.session()
    LabHarness.refuse(session, typed, output: "error: '\(typed)' is not a command (type 'help' for the list)")
  }

  @Test func editDistanceCountsASwapAsOne() {
    #expect(CommandTable.editDistance("stpe", "step") == 1)
    #expect(CommandTable.editDistance("", "step") == 4)
    #expect(CommandTable.editDistance("step", "step") == 0)
    #expect(CommandTable.editDistance("kitten", "sitting") == 3)
  }

  // MARK: help

  @Test func everyCommandHasUsageSummaryAndAHelpPage() {
    let session = LabHarness.session()
    for command in table.commands {
      #expect(command.usage == command.name || command.usage.hasPrefix(command.name + " "), "\(command.name)")
      #expect(!command.summary.isEmpty && command.summary.hasSuffix("."), "\(command.name)")
      #expect(!command.group.isEmpty)
      let page = LabHarness.run(session, "help \(command.name)").output
      #expect(page.hasPrefix("usage: \(command.usage)\n\n\(command.summary)"), "\(command.name)")
      #expect(page == table.help(for: command))
      for line in command.details where !line.isEmpty { #expect(page.contains(line)) }
      if !command.aliases.isEmpty {
        #expect(page.hasSuffix("\n\nalso: " + command.aliases.joined(separator: ", ")))
        for alias in command.aliases { #expect(LabHarness.run(session, "help \(alias)").output == page) }
      }
    }
  }

  @Test func theOverviewListsEveryCommandOnceUnderItsGroup() {
    let overview = table.helpOverview()
    let lines = overview.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for command in table.commands {
      // A usage that fits is followed by its summary on the same line; a
      // longer one stands alone, its summary indented on the next line.
      let rows = lines.indices.filter {
        lines[$0] == "  " + command.usage || lines[$0].hasPrefix("  " + command.usage + " ")
      }
      #expect(rows.count == 1, "\(command.name)")
      if let r = rows.first {
        let summaryLine = lines[r] == "  " + command.usage && r + 1 < lines.count ? lines[r + 1] : lines[r]
        #expect(summaryLine.hasSuffix(command.summary), "\(command.name)")
        if summaryLine != lines[r] { #expect(summaryLine.trimmingCharacters(in: .whitespaces) == command.summary) }
      }
      let groupLine = lines.firstIndex(of: command.group + ":")
      let row = rows.first
      if let groupLine, let row {
        // No other group heading between the command's group and its row.
        #expect(!lines[(groupLine + 1)..<row].contains { $0.hasSuffix(":") && !$0.hasPrefix(" ") }, "\(command.name)")
      } else {
        Issue.record("\(command.name): group '\(command.group)' or row missing")
      }
    }
    #expect(lines.last == "Commands may be shortened to any unique prefix. 'help COMMAND' shows details.")
  }

  // MARK: completion

  @Test func completesTheFirstWordFromCommandNames() {
    #expect(table.completions(lineBeforeWord: "", word: "pol") == ["policy"])
    #expect(table.completions(lineBeforeWord: "", word: "") == names)
    #expect(table.completions(lineBeforeWord: "", word: "st") == names.filter { $0.hasPrefix("st") })
    #expect(Set(table.completions(lineBeforeWord: "", word: "st")).isSuperset(of: ["step", "status"]))
    #expect(table.completions(lineBeforeWord: "", word: "qqq").isEmpty)
    #expect(table.completions(lineBeforeWord: "   ", word: "pred") == ["predict"])
  }

  @Test func completesSubWordsAfterACommandOrItsPrefix() {
    #expect(table.completions(lineBeforeWord: "policy ", word: "l") == ["logits"])
    #expect(table.completions(lineBeforeWord: "pol ", word: "pr") == ["probs"])
    // Only what the form accepts next: 'state', not 'states' (issue 13).
    #expect(table.completions(lineBeforeWord: "policy logits 1 2 3 4 ", word: "st") == ["state"])
    #expect(table.completions(lineBeforeWord: "update ", word: "") == ["pg", "npg", "grpo"])
    #expect(table.completions(lineBeforeWord: "noise ", word: "g") == ["gaussian"])
    #expect(table.completions(lineBeforeWord: "plot ", word: "re") == ["reward", "residual"])
    #expect(table.completions(lineBeforeWord: "adv ", word: "e") == ["exact"])
    #expect(table.completions(lineBeforeWord: "advantages ", word: "e") == ["exact"])
    #expect(table.completions(lineBeforeWord: "compare ", word: "cli") == ["clipcov", "cliphigher"])
    #expect(table.completions(lineBeforeWord: "clipcov ", word: "") == ["on", "off", "ratio", "low", "high"])
    #expect(table.completions(lineBeforeWord: "klcov on ", word: "c") == ["coef"])
    #expect(table.completions(lineBeforeWord: "xyzzy ", word: "").isEmpty)
    #expect(table.completions(lineBeforeWord: "cli ", word: "").isEmpty)  // ambiguous first word
    #expect(table.completions(lineBeforeWord: "lr ", word: "").isEmpty)
  }

  @Test func everySubWordOfEveryCommandIsOfferedAfterIt() {
    for command in table.commands {
      // `help` completes command names instead.
      let offered = table.completions(lineBeforeWord: command.name + " ", word: "")
      if command.completer != nil {
        // A command that completes by position offers some of its sub-words first.
        // `control` offers the registry as it is now, which a library user
        // (here ExternalControlTests, in the same process) may have grown
        // since the table's sub-words were read.
        let registry = command.name == "control" ? EntropyControls.all.map { $0.name } : []
        #expect(Set(offered).isSubset(of: Set(command.subwords + registry)), "\(command.name)")
        continue
      }
      let expected = command.name == "help" ? names : command.subwords
      #expect(offered == expected, "\(command.name)")
    }
  }

  static func toy(_ name: String) -> Command {
    Command(
      name: name, usage: name, summary: "Toy.", group: "Toys",
      handler: .state { _, _, _ throws(LabError) in [] })
  }
}
