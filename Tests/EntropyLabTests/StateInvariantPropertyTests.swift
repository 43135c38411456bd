import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// Seeded random sessions of thousands of commands of every kind (file
/// commands excepted), valid and invalid mixed, with the state's
/// invariants checked after every single command:
///
/// - no NaN and no +∞ anywhere in the state (logits may be −∞: π = 0);
///   the one NaN allowed is a step record's path integral, the documented
///   "not resolved" marker (`EntropyDynamics.maxResolvedSpan`);
/// - each state's probabilities are in [0, 1] and sum to 1 within 1e-12;
/// - each state's entropy is in [0, log K];
/// - a failed command leaves the session bit for bit as it was (state,
///   checkpoints), compared through the bit patterns of every number.
@Suite struct StateInvariantPropertyTests {
  @Test(arguments: [(seed: UInt64(20_260_101), commands: 2000), (seed: 7, commands: 2000)])
  func invariantsHoldAfterEveryCommand(seed: UInt64, commands: Int) {
    var rng = SplitMix64(seed: seed)
    let session = Session(seed: seed, isInterrupted: { false })
    var failures = 0
    var problems: [String] = []
    for index in 0..<commands {
      let line = RandomCommands.line(&rng, arms: session.state.policy.arms, states: session.state.policy.states)
      #expect(!GarbageSmoke.touchesFiles(line), "\(line)")
      let before = session.state
      let checkpointsBefore = session.checkpoints
      guard let cell = session.execute(line) else { continue }
      if cell.failed {
        failures += 1
        if !(session.state == before && session.checkpoints == checkpointsBefore)
          && (StateBits.of(session.state) != StateBits.of(before)
            || StateBits.of(session.checkpoints) != StateBits.of(checkpointsBefore))
        {
          problems.append("#\(index) '\(line)' failed (\(cell.output)) but changed the session")
        }
        #expect(!cell.output.isEmpty, "#\(index) '\(line)' failed without a message")
      }
      problems += StateInvariants.violations(session.state).map { "#\(index) after '\(line)': \($0)" }
      if problems.count > 20 { break }
    }
    #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
    // The mix exercised both paths.
    #expect(failures > commands / 10 && failures < commands * 9 / 10, "\(failures) failures of \(commands)")
  }

  @Test func theRandomCommandsCoverEveryNonFileCommand() {
    var rng = SplitMix64(seed: 1)
    let words = Set(
      (0..<3000).compactMap { _ in
        (try? Tokenizer.split(RandomCommands.line(&rng, arms: 4, states: 2)))?.first
          .flatMap { try? CommandTable.standard.resolve($0.text).name }
      })
    let sessionCommands = CommandTable.standard.commands.filter { GarbageSmoke.sessionOnlyGroups.contains($0.group) }
    for command in sessionCommands { #expect(words.contains(command.name), "\(command.name) never generated") }
  }

  @Test func theCheckerSeesABrokenState() {
    var state = LabState(seed: 0)
    state.learningRate = .nan
    #expect(!StateInvariants.violations(state).isEmpty)
    var other = LabState(seed: 0)
    other.learningRate = -0.0
    #expect(StateBits.of(other) != StateBits.of(LabState(seed: 0)))
  }
}

/// Random command lines: every non-file command, with numbers that are
/// plausible (so the state wanders: sizes, rules, controls, trajectories)
/// or extreme and junk (so every refusal path runs).
enum RandomCommands {
  static let plausible = ["0", "1", "2", "3", "0.5", "0.1", "0.9", "-1", "-0.5", "1e-3", "2.5", "0.2", "0.28", "4"]
  static let extreme = [
    "1e308", "-1e308", "1e300", "1e200", "-1e200", "1e-320", "-1e-320", "5e-324", "1.7976931348623157e308", "nan",
    "inf", "-inf", "1e309", "-0", "9223372036854775807", "99999999999999999999", "x", "'a b'", "--", "1..2",
  ]

  static func pick<T>(_ values: [T], _ rng: inout SplitMix64) -> T {
    values[Int(rng.next() % UInt64(values.count))]
  }

  static func chance(_ percent: UInt64, _ rng: inout SplitMix64) -> Bool { rng.next() % 100 < percent }

  /// A number: mostly plausible, sometimes extreme or junk.
  static func number(_ rng: inout SplitMix64) -> String {
    chance(75, &rng) ? pick(plausible, &rng) : pick(extreme, &rng)
  }

  /// A small count (sizes, steps), sometimes junk or refused-as-too-large.
  static func count(_ rng: inout SplitMix64, upTo n: Int = 4) -> String {
    chance(88, &rng)
      ? String(1 + Int(rng.next() % UInt64(n)))
      : pick(["0", "-1", "1.5", "nan", "1e9", "9223372036854775807", "4294967296", "x"], &rng)
  }

  /// `k` values (the current arm count, or occasionally not).
  static func values(_ k: Int, _ rng: inout SplitMix64, of make: (inout SplitMix64) -> String) -> String {
    let n = chance(85, &rng) ? k : Int(rng.next() % 6)
    return (0..<n).map { _ in make(&rng) }.joined(separator: " ")
  }

  static func state(_ states: Int, _ rng: inout SplitMix64) -> String {
    guard chance(30, &rng) else { return "" }
    return " state " + (chance(85, &rng) ? String(Int(rng.next() % UInt64(states))) : pick(["-1", "99", "x"], &rng))
  }

  static func line(_ rng: inout SplitMix64, arms k: Int, states s: Int) -> String {
    switch rng.next() % 42 {
    case 0: return "policy arms \(count(&rng, upTo: 6))" + (chance(40, &rng) ? " states \(count(&rng, upTo: 3))" : "")
    case 1, 2: return "policy logits \(values(k, &rng, of: number))" + state(s, &rng)
    case 3: return "policy probs \(values(k, &rng, of: number))" + state(s, &rng)
    case 4: return "policy random" + (chance(60, &rng) ? " scale \(number(&rng))" : "")
    case 5, 6: return "rewards \(values(k, &rng, of: number))" + state(s, &rng)
    case 7: return "rewards random"
    case 8: return "adv \(values(k, &rng, of: number))" + state(s, &rng)
    case 9: return "adv exact"
    case 10: return "update \(pick(["pg", "npg", "grpo", "grpo", "sgd"], &rng))"
    case 11, 12: return "lr \(number(&rng))"
    case 13: return "seed \(chance(80, &rng) ? String(rng.next() % 1000) : number(&rng))"
    case 14: return "predict"
    case 15, 16, 17: return chance(30, &rng) ? "step" : "step \(count(&rng, upTo: 5))"
    case 18: return "show" + state(s, &rng)
    case 19: return "group \(count(&rng))"
    case 20:
      return "noise " + pick(["bernoulli", "none", "gaussian \(number(&rng))", "gaussian", "poisson"], &rng)
    case 21: return "filter \(pick(["on", "off", "maybe"], &rng))"
    case 22: return "minibatches \(count(&rng, upTo: 2))"
    case 23: return "epochs \(count(&rng, upTo: 2))"
    case 24: return chance(50, &rng) ? "clip \(number(&rng))" : "clip \(number(&rng)) \(number(&rng))"
    case 25:
      return chance(25, &rng)
        ? "clipcov off" : "clipcov on ratio \(number(&rng)) low \(number(&rng)) high \(number(&rng))"
    case 26: return chance(25, &rng) ? "klcov off" : "klcov on ratio \(number(&rng)) coef \(number(&rng))"
    case 27: return chance(25, &rng) ? "cliphigher off" : "cliphigher on high \(number(&rng))"
    case 28:
      // The registry's own command, over the literature's controls too.
      if chance(50, &rng) { return chance(25, &rng) ? "entropybonus off" : "entropybonus on coef \(number(&rng))" }
      return pick(
        [
          "control", "control cispo on high \(number(&rng))", "control cispo off",
          "control cispo on cap \(pick(["relative", "absolute", "sideways"], &rng)) max \(number(&rng))",
          "control adaptive-entropy on", "control adaptive-entropy off",
          "control klcov schedule cos \(number(&rng)) \(number(&rng)) over \(count(&rng))",
          "control clipcov schedule constant", "control bogus on",
        ], &rng)
    case 29, 30: return "run \(count(&rng, upTo: 4))"
    case 31: return "tokens " + pick(["top \(count(&rng))", "all", "chosen", "", "bottom"], &rng)
    case 32: return "history" + (chance(50, &rng) ? " last \(count(&rng))" : "")
    case 33: return "plot \(pick(["entropy", "reward", "cov", "residual", "pie"], &rng))"
    case 34: return "fit" + (chance(40, &rng) ? " first \(count(&rng))" : "")
    case 35:
      return "compare \(pick(["none", "clipcov", "klcov", "cliphigher", "entropybonus", "bogus"], &rng))"
        + " steps \(count(&rng, upTo: 3)) seeds 1..\(1 + rng.next() % 2)"
    case 36: return "checkpoint \(pick(["a", "b"], &rng))"
    case 37: return "restore \(pick(["a", "b", "c"], &rng))"
    case 38:
      // `sweep` leaves the state as it was, like the others here, so adding
      // it does not change the path the random session takes.
      return pick(
        [
          "status", "help", "help step", "quit", "stpe", "", "# comment", "'unterminated",
          "sweep lr=0.1,2 update=pg,grpo steps 2 seeds 1..2", "sweep group=1,x each 'policy random'",
          "set lr=0.5 clipcov.on=on", "set lr=-1 group=2", "set control=klcov ratio=0.01 noise.sigma=0.3",
          "set seed=7 clip=0.3", "get", "get lr clipcov.ratio", "get nonsense",
        ], &rng)
    case 39:
      // Issue 14's trainer settings.
      return pick(
        [
          "length \(count(&rng, upTo: 4))", "length 2..\(count(&rng, upTo: 4))", "reward all", "reward mean", "reward",
          "reward some", "aggregation seq-mean-token-mean", "aggregation token-sum", "aggregation mean",
          "microbatches \(count(&rng, upTo: 3))", "optimizer adamw", "optimizer sgd",
          "optimizer adamw beta1 \(number(&rng))",
          "gradclip \(number(&rng))", "gradclip off", "dualclip \(number(&rng))", "dualclip off",
        ], &rng)
    case 40:
      return pick(
        [
          "filter on refill cap \(count(&rng, upTo: 3))", "filter off refill",
          "minibatches \(count(&rng, upTo: 3)) groups keep order fixed", "minibatches 2 groups split order shuffle",
          "minibatches 2 order bogus", "clip clipcov", "clip cliphigher", "clip standard", "tokens flips",
          "tokens responses", "show last", "show last state 0",
        ], &rng)
    default:
      // A junk line built from command words and extremes.
      let words = ["policy", "rewards", "adv", "step", "lr", "clip", "logits", "arms", "state", "on", "ratio"]
      return (0..<(1 + Int(rng.next() % 5))).map { _ in chance(50, &rng) ? pick(words, &rng) : number(&rng) }
        .joined(separator: " ")
    }
  }
}

/// The invariants of a valid state.
enum StateInvariants {
  static func violations(_ state: LabState) -> [String] {
    var problems: [String] = []
    let policy = state.policy
    for s in 0..<policy.states {
      let p = policy.probabilities(state: s)
      let sum = p.reduce(0, +)
      if !(abs(sum - 1) <= 1e-12) { problems.append("state \(s): Σπ = \(sum)") }
      if let bad = p.first(where: { !($0 >= 0 && $0 <= 1) }) { problems.append("state \(s): π = \(bad)") }
      let h = policy.entropy(state: s)
      let bound = log(Double(policy.arms))
      if !(h >= 0 && h <= bound + 1e-12 * max(1, bound)) { problems.append("state \(s): H = \(h) ∉ [0, \(bound)]") }
    }
    StateBits.forEachDouble(in: state) { path, value in
      let allowed =
        value.isFinite || (value == -.infinity && path.contains("logits"))
        || (value.isNaN && path.hasSuffix("pathIntegral"))
      if !allowed { problems.append("\(path) = \(value)") }
    }
    return problems
  }
}

/// A bit-exact picture of a value: every `Double` by its bit pattern (so
/// NaN equals NaN and −0 differs from 0), everything else by its
/// description, dictionaries in key order.
enum StateBits {
  static func of(_ value: Any) -> [String] {
    var out: [String] = []
    walk(value, path: "", visitDouble: nil, into: &out)
    return out
  }

  static func forEachDouble(in value: Any, _ body: (String, Double) -> Void) {
    var out: [String] = []
    withoutActuallyEscaping(body) { visit in walk(value, path: "", visitDouble: visit, into: &out) }
  }

  private static func walk(
    _ value: Any, path: String, visitDouble: ((String, Double) -> Void)?, into out: inout [String]
  ) {
    if let d = value as? Double {
      visitDouble?(path, d)
      out.append("\(path)=d\(d.bitPattern)")
      return
    }
    let mirror = Mirror(reflecting: value)
    if mirror.children.isEmpty {
      out.append("\(path)=\(type(of: value)):\(value)")
      return
    }
    if mirror.displayStyle == .dictionary || mirror.displayStyle == .set {
      var entries: [[String]] = []
      for child in mirror.children {
        var sub: [String] = []
        walk(child.value, path: path + "[]", visitDouble: visitDouble, into: &sub)
        entries.append(sub)
      }
      for entry in entries.sorted(by: { $0.joined() < $1.joined() }) { out += entry }
      return
    }
    out.append("\(path):\(mirror.displayStyle.map { "\($0)" } ?? "")")
    for (i, child) in mirror.children.enumerated() {
      walk(child.value, path: path + "." + (child.label ?? String(i)), visitDouble: visitDouble, into: &out)
    }
  }
}
