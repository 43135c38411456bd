import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// Bad input across every command, from a session with a bit of
/// everything in it: each line is refused with its exact message (text and
/// JSON), and the session is exactly as before.
@Suite struct ErrorRollbackTests {
  /// A session with several states, a trajectory of sampled and exact
  /// steps, controls, hand-set advantages and a checkpoint.
  static let richSetup = [
    "policy arms 4 states 3", "policy logits 1 0 -1 0.5 state 0", "policy probs 0.1 0.2 0.3 0.4 state 2",
    "rewards 0.9 0.1 0.2 0.7", "update grpo", "group 4", "minibatches 2", "clipcov on ratio 0.5", "seed 8", "step 2",
    "update pg", "lr 0.3", "step", "adv 1 0 0 -1 state 1", "checkpoint base",
  ]

  static func rich(json: Bool = false) -> Session { LabHarness.session(richSetup, json: json) }

  /// (line, error message, expected form): what the user sees is
  /// `error: message` and, if given, `  expected: form`.
  static let refusals: [(String, String, String?)] = {
    let policy = "policy arms|logits|probs|random …"
    let arms = "policy arms K [states S]"
    let logits = "policy logits v1 … vK [state s]"
    let probs = "policy probs p1 … pK [state s]"
    let random = "policy random [scale σ]"
    let rewards = "rewards v1 … vK [state s] | rewards random"
    let adv = "adv v1 … vK [state s] | adv exact"
    let compare = "compare [SETTING …] [KEY=VALUE …] [steps N] [seeds s1..s2]"
    let clipcov = "clipcov on|off [ratio r] [low ω_low] [high ω_high]"
    return [
      // Wordings settled after review (forms named once known, the word as typed).
      ("policy logits 1 2 3 nan", "policy logits: 'nan' is not a finite number or -inf (expected logits)", logits),
      ("policy logits 1 2 3 inf", "policy logits: 'inf' is not a finite number or -inf (expected logits)", logits),
      (
        "policy logits 1 2 3 4 state 3", "policy logits: '3' is out of range (expected a state number from 0 to 2)",
        logits
      ),
      ("policy probs 1 1 1 -1", "policy probs: '-1' is negative (expected probabilities ≥ 0)", probs),
      ("policy probs 0 0 0 0", "policy probs: the probabilities sum to 0 (at least one must be positive)", probs),
      (
        "step 99999999999999999999",
        "step: '99999999999999999999' is out of range (expected the number of steps n from 1 to 10000000)", "step [n]"
      ),
      ("rewards 1 2 3 4 state 7", "rewards: '7' is out of range (expected a state number from 0 to 2)", rewards),
      (
        "show state -1", "show: '-1' is out of range (expected a state number from 0 to 2)",
        "show [last] [state s] [top n | all]"
      ),
      ("lr 0.1 0.2", "lr: '0.2' is not expected here", "lr η"),
      ("status please", "status: 'please' is not expected here", "status"),
      (
        "clipcov maybe", "clipcov: 'maybe' is not on, off or a setting of clipcov (settings: ratio, low, high)",
        clipcov
      ),
      ("quit now", "quit: 'now' is not expected here", "quit"),
      ("nan", "'nan' is not a command (type 'help' for the list)", nil),
      ("42", "'42' is not a command (type 'help' for the list)", nil),
      // The command word.
      ("stpe", "'stpe' is not a command; did you mean 'step'? (type 'help' for the list)", nil),
      ("polcy arms 3", "'polcy' is not a command; did you mean 'policy'? (type 'help' for the list)", nil),
      ("xyzzy 1 2", "'xyzzy' is not a command (type 'help' for the list)", nil),
      ("1e309", "'1e309' is not a command (type 'help' for the list)", nil),
      ("cli on", "'cli' is ambiguous: it could be clip, clipcov, cliphigher", nil),
      ("step 'unterminated", "unterminated quote starting at column 6", nil),
      // policy
      ("policy", "policy: needs arms, logits, probs or random", policy),
      ("policy foo", "policy: 'foo' is not one of: arms, logits, probs, random", policy),
      ("policy arms", "policy arms: needs the number of arms K", arms),
      ("policy arms 0", "policy arms: '0' is out of range (expected the number of arms K at least 1)", arms),
      ("policy arms -5", "policy arms: '-5' is out of range (expected the number of arms K at least 1)", arms),
      ("policy arms inf", "policy arms: 'inf' is not a whole number (expected the number of arms K)", arms),
      ("policy arms 4 states 0", "policy arms: '0' is out of range (expected the number of states S at least 1)", arms),
      ("policy arms 4 states", "policy arms: needs the number of states S", arms),
      ("policy logits 1 2", "policy logits: expected 4 values (one per arm), got 2", logits),
      (
        "policy logits -inf -inf -inf -inf state 2",
        "policy logits: at least one logit must be finite (a state needs an arm with π > 0)", logits
      ),
      (
        "policy logits -inf -inf -inf -inf",
        "policy logits: at least one logit must be finite (a state needs an arm with π > 0)", logits
      ),
      ("policy logits 1 2 3 4 state", "policy logits: needs a state number", logits),
      ("policy probs 1 2 3", "policy probs: expected 4 values (one per arm), got 3", probs),
      (
        "policy probs 0 0 0 0 state 1", "policy probs: the probabilities sum to 0 (at least one must be positive)",
        probs
      ),
      ("policy random scale -2", "policy random: '-2' must not be negative (expected the scale σ)", random),
      ("policy random scale inf", "policy random: 'inf' is not a finite number (expected the scale σ)", random),
      // rewards and adv
      ("rewards 1 2 3", "rewards: expected 4 values (one per arm), got 3", rewards),
      ("rewards 1 2 3 nan", "rewards: 'nan' is not a finite number (expected mean rewards)", rewards),
      ("rewards 1 2 3 1e309 state 0", "rewards: '1e309' is not a finite number (expected mean rewards)", rewards),
      ("rewards 1 2 3 4 state 1.5", "rewards: '1.5' is not a whole number (expected a state number)", rewards),
      ("adv 1 2", "adv: expected 4 values (one per arm), got 2", adv),
      ("adv 1 2 3 -inf", "adv: '-inf' is not a finite number (expected advantages)", adv),
      ("adv 1 2 3 4 state x", "adv: 'x' is not a whole number (expected a state number)", adv),
      // update, lr, seed
      ("update", "update: needs an update rule", "update pg|npg|grpo"),
      ("update ppo", "update: 'ppo' is not one of: pg, npg, grpo", "update pg|npg|grpo"),
      ("lr", "lr: needs the learning rate η", "lr η"),
      ("lr 0", "lr: '0' must be greater than 0 (expected the learning rate η)", "lr η"),
      ("lr -0", "lr: '-0' must be greater than 0 (expected the learning rate η)", "lr η"),
      ("lr nan", "lr: 'nan' is not a finite number (expected the learning rate η)", "lr η"),
      ("lr -inf", "lr: '-inf' is not a finite number (expected the learning rate η)", "lr η"),
      ("lr 1e309", "lr: '1e309' is not a finite number (expected the learning rate η)", "lr η"),
      ("seed -1", "seed: '-1' is not a whole number from 0 to 18446744073709551615 (expected a seed)", "seed n"),
      (
        "seed 18446744073709551616",
        "seed: '18446744073709551616' is not a whole number from 0 to 18446744073709551615 (expected a seed)", "seed n"
      ),
      // predict, step, show
      ("step 0", "step: '0' is out of range (expected the number of steps n from 1 to 10000000)", "step [n]"),
      (
        "step -9223372036854775808",
        "step: '-9223372036854775808' is out of range (expected the number of steps n from 1 to 10000000)",
        "step [n]"
      ),
      ("step nan", "step: 'nan' is not a whole number (expected the number of steps n)", "step [n]"),
      ("show state", "show: needs a state number", "show [last] [state s] [top n | all]"),
      // sampled GRPO settings
      ("group 0", "group: '0' is out of range (expected the group size G from 1 to 100000)", "group G"),
      (
        "noise gaussian -1", "noise: '-1' must not be negative (expected the noise σ)",
        "noise bernoulli|gaussian σ|none"
      ),
      ("noise gaussian", "noise: needs the noise σ", "noise bernoulli|gaussian σ|none"),
      ("filter maybe", "filter: 'maybe' is not on or off", "filter on|off [refill [cap n]]"),
      (
        "minibatches 0", "minibatches: '0' is out of range (expected the number of minibatches M from 1 to 100000)",
        "minibatches M [groups keep|split] [order fixed|shuffle|reshuffle]"
      ),
      (
        "epochs 1001", "epochs: '1001' is out of range (expected the number of epochs E from 1 to 1000)", "epochs E"
      ),
      (
        "clip 0.1 -0", "clip: '-0' must be greater than 0 (expected ε_high)",
        "clip ε | clip ε_low ε_high | clip standard|clipcov|cliphigher"
      ),
      // controls: a good setting before a bad one is not kept either
      ("clipcov off ratio 0.1 low nan", "clipcov: 'nan' is not a finite number (expected a value for low)", clipcov),
      ("clipcov on ratio 1.5", "clipcov: '1.5' is not allowed for ratio: expected in (0, 1]", clipcov),
      (
        "klcov on coef -0.5", "klcov: '-0.5' is not allowed for coef: expected a number ≥ 0",
        "klcov on|off [ratio k] [coef β]"
      ),
      ("cliphigher", "cliphigher: needs on, off or a setting", "cliphigher on|off [high ε_high]"),
      ("entropybonus on coef", "entropybonus: needs a value for coef", "entropybonus on|off [coef α]"),
      // trajectory
      ("run", "run: needs the number of steps N", "run N"),
      (
        "run 10000001", "run: '10000001' is out of range (expected the number of steps N from 1 to 10000000)",
        "run N"
      ),
      (
        "tokens top 0", "tokens: '0' is out of range (expected how many tokens n at least 1)",
        "tokens [top n | all | chosen | responses | flips]"
      ),
      ("history last", "history: needs how many steps n", "history [last n]"),
      (
        "plot loss", "plot: 'loss' is not one of: entropy, reward, cov, residual, law",
        "plot entropy|reward|cov|residual … | plot law | plot sweep …"
      ),
      ("fit first 1", "fit: '1' must be between 0 and 1 (exclusive)", "fit [first F]"),
      ("fit first 0.3", "fit: needs at least 2 steps to fit (have 0 in the first fraction)", "fit [first F]"),
      ("compare", "compare: needs sampled steps: the controls act on GRPO updates ('update grpo' first)", compare),
      (
        "compare steps 0", "compare: '0' is out of range (expected the number of steps N from 1 to 1000000)",
        compare
      ),
      // session
      ("help nosuch", "'nosuch' is not a command (type 'help' for the list)", nil),
      ("restore", "restore: needs a checkpoint name", "restore NAME"),
      ("restore nope", "restore: 'nope' is not a checkpoint (saved: base)", "restore NAME"),
    ]
  }()

  @Test(arguments: refusals)
  func refusedWithTheExactMessageAndNothingChanges(line: String, message: String, expected: String?) {
    let session = Self.rich()
    LabHarness.refuse(session, line, output: LabHarness.errorText(message, expected: expected))
  }

  @Test(arguments: refusals)
  func refusedInJSONAsOneErrorObject(line: String, message: String, expected: String?) {
    let session = Self.rich(json: true)
    guard let cell = LabHarness.refuseKeepingState(session, line) else { return }
    let objects = LabHarness.json(cell.output)
    #expect(objects.count == 1)
    #expect(objects.first?["error"] as? String == message)
    #expect(objects.first?["expected"] as? String == expected)
  }

  /// Refusals whose text depends on the machine (the memory figure): the
  /// command and word they name, and the rollback, are checked.
  static let pendingWording: [(String, String?, String?)] = [
    ("policy arms 99999999999999999999", "policy arms", nil)
  ]

  @Test(arguments: pendingWording)
  func refusedAndNothingChanges(line: String, command: String?, word: String?) {
    LabHarness.refuse(Self.rich(), line, command: command, word: word)
  }

  /// Refusals whose new wording is disputed (reported to the lead, not yet
  /// decided): once a control's settings have begun, 'on' and 'off' are no
  /// longer accepted, yet the refusal says "is not on, off or a setting"
  /// ('klcov on on' answers "'on' is not on, off or a setting of klcov").
  /// The rollback and the command and word named are checked outright; the
  /// exact wording the tests propose is checked as a known issue, so the
  /// test fails (issue not recorded) the day the source changes.
  static let disputedWording: [(String, String, String, String)] = [
    (
      "clipcov on ratio 0.2 width 1", "width",
      "clipcov: 'width' is not a setting of clipcov (settings: ratio, low, high)",
      "clipcov on|off [ratio r] [low ω_low] [high ω_high]"
    ),
    (
      "clipcov ratio 0.2 off", "off",
      "clipcov: 'off' is not a setting of clipcov (settings: ratio, low, high)",
      "clipcov on|off [ratio r] [low ω_low] [high ω_high]"
    ),
  ]

  @Test(arguments: disputedWording)
  func refusedWithDisputedWording(line: String, word: String, message: String, expected: String) {
    let command = String(line.prefix { $0 != " " })
    guard let cell = LabHarness.refuse(Self.rich(), line, command: command, word: word),
      let jsonCell = LabHarness.refuse(Self.rich(json: true), line, command: command, word: word)
    else { return }
    let objects = LabHarness.json(jsonCell.output)
    #expect(objects.count == 1)
    #expect(objects.first?["expected"] as? String == expected)
    #expect(cell.output == LabHarness.errorText(message, expected: expected))
    #expect(objects.first?["error"] as? String == message)
  }

  /// Sizes that would not fit are refused with the figure.
  @Test func aSizeTooLargeForMemoryIsRefusedWithTheFigure() {
    let session = Self.rich()
    let available = Printed.bytes(Double(ProcessInfo.processInfo.physicalMemory) / 2)
    let needed = Printed.bytes(1e6 * 1e6 * 8 * 6)
    LabHarness.refuse(
      session, "policy arms 1000000 states 1000000",
      output: LabHarness.errorText(
        "policy arms: that size needs \(needed) of memory, more than the \(available) allowed (half of this machine's memory; raise it with --memory-limit SIZE); choose fewer states or arms",
        expected: "policy arms K [states S]"))
    #expect(needed == "48 TB")
  }

  /// A sampled step on rewards Bernoulli noise cannot draw is refused.
  @Test func aSampledStepWithRewardsOutsideZeroOneIsRefused() {
    let session = LabHarness.session(["rewards 2 0 0 0", "update grpo"])
    LabHarness.refuse(
      session, "step",
      output: LabHarness.errorText(
        "step: Bernoulli rewards need every mean reward in [0, 1], but μ(state 0, arm 0) = 2; "
          + "use 'noise gaussian σ' or 'noise none'", expected: "step [n]"))
  }

  /// Every failed line is recorded as a failed cell; the last good state
  /// survives any number of failures in a row.
  @Test func manyFailuresInARowChangeNothing() {
    let session = Self.rich()
    let before = LabHarness.Snapshot(session)
    let lines = Self.refusals.map(\.0) + Self.disputedWording.map(\.0)
    for line in lines { _ = session.execute(line) }
    #expect(LabHarness.Snapshot(session) == before)
    #expect(session.cells.suffix(lines.count).allSatisfy { $0.failed })
  }
}
