import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// Thousands of seeded random lines mixing command words, sub-words and
/// junk numbers (nan, inf, 1e309, -0, huge integers): the process never
/// crashes, a failed line leaves the session exactly as it was, and the
/// state always stays a valid one. Runs in a child process so that a crash
/// fails this test rather than the whole run.
@Suite struct RandomGarbageSmokeTests {
  @Test func randomLinesNeverCrashAndFailuresChangeNothing() async {
    let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
      var problems = GarbageSmoke.run(lines: 3000, seed: 20_250_528, json: false)
      problems += GarbageSmoke.run(lines: 1500, seed: 7, json: true)
      print(problems.prefix(25).joined(separator: "\n"), terminator: "")
    }
    let report = result.map { String(decoding: $0.standardOutputContent, as: UTF8.self) }
    #expect(report == "", "\(report ?? "")")
  }

  @Test func theGarbageNeverNamesACommandThatTouchesFiles() {
    for line in GarbageSmoke.lines(3000, seed: 20_250_528) + GarbageSmoke.lines(1500, seed: 7) {
      #expect(!GarbageSmoke.touchesFiles(line), "\(line)")
    }
  }

  @Test func theGarbageIsReproducibleAndMixed() {
    let a = GarbageSmoke.lines(200, seed: 1)
    #expect(a == GarbageSmoke.lines(200, seed: 1))
    #expect(a != GarbageSmoke.lines(200, seed: 2))
    let firstWords = Set(a.compactMap { $0.split(separator: " ").first.map(String.init) })
    #expect(firstWords.count > 20)
    #expect(a.contains { $0.contains("nan") } && a.contains { $0.contains("1e309") })
  }
}

/// The random-line generator and checker.
enum GarbageSmoke {
  static let junkNumbers = [
    "nan", "-nan", "NaN", "inf", "-inf", "+inf", "infinity", "-INF", "1e309", "-1e309", "1e308", "-1e308", "1e-320",
    "-0", "0", "-0.0", "1", "2", "3", "-1", "0.5", "0.25", "1.5", "2.5", "0.001", "9223372036854775807",
    "-9223372036854775808", "9223372036854775808", "18446744073709551615", "18446744073709551616",
    "99999999999999999999", "0x10", "1_000", "007", "1e3", "1..3", "3..1", "0..999",
  ]
  static let junkWords = [
    "state", "states", "scale", "top", "last", "first", "steps", "seeds", "on", "off", "'", "\"a b\"", "#", "?", "-",
    "--", "é", "∞", "ω", "'x y'", "\"", "stpe", "pol",
  ]

  /// Plausible command forms; each `#` becomes a number, plausible or junk,
  /// so that enough lines succeed for the state to wander (sizes, rules,
  /// controls, trajectories) while the junk hits every parser.
  static let templates = [
    "policy arms # states #", "policy arms #", "policy logits # # # #", "policy logits # # # # state #",
    "policy probs # # # #", "policy probs # # # # state #", "policy random scale #", "rewards # # # #",
    "rewards # # # # state #", "adv # # # #", "adv # # # # state #", "adv exact", "update pg", "update npg",
    "update grpo", "update grpo", "lr #", "seed #", "predict", "step #", "step", "step", "show", "show state #",
    "group #", "noise gaussian #", "noise bernoulli", "noise none", "filter #", "minibatches #", "epochs #", "clip # #",
    "clipcov on ratio # low # high #", "klcov on ratio # coef #", "cliphigher on high #", "entropybonus on coef #",
    "clipcov off", "klcov off", "run #", "tokens top #", "tokens all", "history last #", "plot entropy", "plot cov",
    "fit", "fit first #", "compare steps # seeds 1..2", "checkpoint a", "restore a", "status",
  ]
  static let plausibleNumbers = ["0", "1", "2", "3", "4", "4", "5", "0.5", "0.1", "0.9", "-1", "-0.5", "1e-3", "2.5"]

  /// The groups whose commands only touch the session: commands that read
  /// or write files (notebooks, export) must not get random file names.
  static let sessionOnlyGroups: Set<String> = [
    "Policy and rewards", "Updates", "Dynamics", "Sampled GRPO", "Entropy controls", "Trajectory", "Session",
  ]

  /// Whether `line` would run a command outside `sessionOnlyGroups`.
  static func touchesFiles(_ line: String) -> Bool {
    guard let first = (try? Tokenizer.split(line))?.first,
      let command = try? CommandTable.standard.resolve(first.text)
    else { return false }
    return !sessionOnlyGroups.contains(command.group)
  }

  /// `count` random lines from a SplitMix64 stream seeded with `seed`.
  static func lines(_ count: Int, seed: UInt64) -> [String] {
    let table = CommandTable(CommandTable.standard.commands.filter { sessionOnlyGroups.contains($0.group) })
    let names = table.commands.flatMap { [$0.name] + $0.aliases }
    let subwords = Array(Set(table.commands.flatMap(\.subwords))).sorted()
    var g = SplitMix64(seed: seed)
    func pick(_ items: [String]) -> String { items[Sampling.uniformInt(below: items.count, using: &g)] }
    var out: [String] = []
    for _ in 0..<count {
      if Sampling.uniformInt(below: 10, using: &g) < 5 {
        let line = pick(templates).split(separator: " ").map { word in
          guard word == "#" else { return String(word) }
          return Sampling.uniformInt(below: 4, using: &g) == 0 ? pick(junkNumbers) : pick(plausibleNumbers)
        }
        out.append(line.joined(separator: " "))  // templates name session commands only
        continue
      }
      var words: [String] = []
      let r = Sampling.uniformInt(below: 10, using: &g)
      if r < 7 {
        words.append(pick(names))
      } else if r < 8 {
        let name = pick(names)
        words.append(String(name.prefix(1 + Sampling.uniformInt(below: name.count, using: &g))))
      } else {
        words.append(pick(junkWords + junkNumbers))
      }
      for _ in 0..<Sampling.uniformInt(below: 8, using: &g) {
        switch Sampling.uniformInt(below: 3, using: &g) {
        case 0: words.append(pick(subwords))
        case 1: words.append(pick(junkNumbers))
        default: words.append(pick(junkNumbers + junkWords + names))
        }
      }
      let line = words.joined(separator: " ")
      out.append(touchesFiles(line) ? "status" : line)
    }
    return out
  }

  /// Runs the lines and returns a description of every broken promise.
  static func run(lines count: Int, seed: UInt64, json: Bool) -> [String] {
    let session = Session(seed: seed, style: OutputStyle(json: json), isInterrupted: { false })
    var problems: [String] = []
    for line in lines(count, seed: seed) {
      let before = LabHarness.Snapshot(session)
      guard let cell = session.execute(line) else { continue }
      if cell.failed {
        if LabHarness.Snapshot(session) != before { problems.append("failed but changed the session: \(line)") }
        if !cell.reports.isEmpty { problems.append("failed with reports: \(line)") }
      }
      if json {
        for object in LabHarness.jsonLines(cell.output) where object == nil {
          problems.append("not JSON: \(line) → \(cell.output)")
        }
      } else if cell.failed && !cell.output.hasPrefix("error: ") {
        problems.append("error without 'error: ': \(line) → \(cell.output)")
      }
      problems += invariantViolations(session.state).map { "\($0) after: \(line)" }
    }
    return problems
  }

  /// What must hold of any state a session can be in.
  static func invariantViolations(_ state: LabState) -> [String] {
    var out: [String] = []
    let policy = state.policy
    if policy.logits.contains(where: { $0.isNaN || $0 == .infinity }) { out.append("a NaN or +∞ logit") }
    for s in 0..<policy.states where !policy.logits(state: s).contains(where: \.isFinite) {
      out.append("state \(s) has no finite logit")
    }
    let h = policy.meanEntropy
    if !(h >= -1e-12 && h <= log(Double(policy.arms)) + 1e-9) { out.append("mean entropy \(h) outside [0, log K]") }
    if state.bandit.meanRewards.count != policy.logits.count { out.append("rewards and policy differ in size") }
    if !state.bandit.meanRewards.allSatisfy(\.isFinite) { out.append("a non-finite reward") }
    if case .manual(let a) = state.advantages, a.count != policy.logits.count || !a.allSatisfy(\.isFinite) {
      out.append("bad hand-set advantages")
    }
    if !(state.learningRate > 0 && state.learningRate.isFinite) { out.append("η = \(state.learningRate)") }
    if state.segment.count != state.stepsTaken || state.segment.last.map({ $0.step != state.stepsTaken }) == true {
      out.append("trajectory and step count disagree")
    }
    return out
  }
}
