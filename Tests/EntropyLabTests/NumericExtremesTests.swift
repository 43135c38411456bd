import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// Numbers at the edge of Double: logits of ±1e308, learning rates of
/// 1e300, advantages of 1e200, K = 1, probabilities of 1e-320. Every
/// command either gives a correct, finite result or is refused with a
/// message and the session left exactly as it was.
@Suite struct NumericExtremesTests {
  /// Runs `line`: a refusal must carry a message and change nothing (bit
  /// for bit); a success must leave a valid state and print no nan or inf
  /// (−inf is allowed: a logit or log π of an arm with π = 0).
  @discardableResult
  static func check(_ session: Session, _ line: String, sourceLocation: SourceLocation = #_sourceLocation)
    -> CellResult?
  {
    let before = StateBits.of(session.state)
    guard let cell = session.execute(line) else { return nil }
    if cell.failed {
      #expect(cell.output.hasPrefix("error:"), "'\(line)': \(cell.output)", sourceLocation: sourceLocation)
      #expect(
        StateBits.of(session.state) == before, "'\(line)' failed but changed the state", sourceLocation: sourceLocation)
    } else {
      let problems = StateInvariants.violations(session.state)
      #expect(problems.isEmpty, "'\(line)': \(problems)", sourceLocation: sourceLocation)
      let words = cell.output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," })
      let bad = words.filter { w in
        let lower = w.lowercased()
        return lower.contains("nan") || (lower.contains("inf") && !lower.hasPrefix("-inf"))
      }
      #expect(bad.isEmpty, "'\(line)' printed \(bad):\n\(cell.output)", sourceLocation: sourceLocation)
    }
    return cell
  }

  static func session(_ lines: [String] = []) -> Session {
    let session = Session(seed: 1, isInterrupted: { false })
    for line in lines { check(session, line) }
    return session
  }

  @Test func logitsOfPlusMinus1e308GiveTheRightPolicy() {
    let s = Self.session()
    #expect(Self.check(s, "policy logits 1e308 -1e308 0 0")?.failed == false)
    #expect(s.state.policy.probabilities(state: 0) == [1, 0, 0, 0])
    #expect(s.state.policy.entropy(state: 0) == 0)
    #expect(Self.check(s, "policy logits 1e308 1e308 1e308 1e308")?.failed == false)
    #expect(s.state.policy.probabilities(state: 0) == [0.25, 0.25, 0.25, 0.25])
    #expect(abs(s.state.policy.entropy(state: 0) - log(4)) < 1e-15)
    #expect(Self.check(s, "policy logits -1e308 -1e308 -1e308 -1e308")?.failed == false)
    #expect(abs(s.state.policy.entropy(state: 0) - log(4)) < 1e-15)
    // The largest finite logit next to small ones (was NaN entropy: the
    // kernel's per-lane rescale overflowed to −∞ · 0).
    #expect(Self.check(s, "policy logits 1.7976931348623157e308 0.28 1 2")?.failed == false)
    #expect(s.state.policy.probabilities(state: 0) == [1, 0, 0, 0])
    #expect(s.state.policy.entropy(state: 0) == 0)
    for line in ["show", "predict", "step", "status", "policy logits 1 1e300 2 3", "show", "step 2", "history"] {
      Self.check(s, line)
    }
    #expect(Self.check(s, "policy logits 1e309 0 0 0")?.failed == true)
    #expect(Self.check(s, "policy logits inf 0 0 0")?.failed == true)
    #expect(Self.check(s, "policy logits -inf -inf -inf -inf")?.failed == true)
  }

  @Test func largeLogitsKeepProbabilitiesSummingToOne() {
    // Logits near the re-centring threshold: π = e^((z − m) − log Σe) sums
    // to 1 within 1e-12 (e^(z − lse) missed it by 1e-11 here).
    let s = Self.session(["policy logits 1048575.3 1048574.1 1048570 1048575.9"])
    let sum = s.state.policy.probabilities(state: 0).reduce(0, +)
    #expect(abs(sum - 1) <= 1e-12)
    let lp = s.state.policy.logProbabilities(state: 0)
    #expect(abs(lp.map { exp($0) }.reduce(0, +) - 1) <= 1e-12)
  }

  @Test func learningRateOf1e300IsTakenOrRefusedCleanly() {
    let s = Self.session(["rewards 1 0 0 0", "lr 1e300"])
    for line in ["predict", "show", "step", "step 3", "update npg", "predict", "show", "step", "run 2"] {
      Self.check(s, line)
    }
    // A rate that is not finite never gets in.
    #expect(Self.check(s, "lr 1e309")?.failed == true)
    #expect(Self.check(s, "lr inf")?.failed == true)
    #expect(Self.check(s, "lr nan")?.failed == true)
  }

  @Test func aStepWhoseLogitChangeOverflowsIsRefused() {
    let s = Self.session(["lr 1e300", "adv 1e200 -1e200 0 0"])
    let step = Self.check(s, "step")
    #expect(step?.failed == true)
    #expect(step?.output.contains("not finite") == true, "\(step?.output ?? "")")
    #expect(s.state.stepsTaken == 0 && s.state.trajectory.isEmpty)
    #expect(Self.check(s, "predict")?.failed == true)
    #expect(Self.check(s, "run 3")?.failed == true)
    // `show` still shows the arms, without the overflowing step.
    let show = Self.check(s, "show")
    #expect(show?.failed == false)
    #expect(show?.output.contains("not finite (overflow)") == true, "\(show?.output ?? "")")
    Self.check(s, "update npg")
    #expect(Self.check(s, "step")?.failed == true)
    #expect(s.state.policy.logits == [0, 0, 0, 0])
  }

  @Test func policyApplyRejectsANonFiniteChangeAndLeavesThePolicy() throws {
    var policy = try Policy(states: 1, arms: 3, logits: [1.5e308, 1, -inf])
    let before = policy
    #expect(throws: CoreError.self) { try policy.apply([.infinity, 0, 0]) }
    #expect(throws: CoreError.self) { try policy.apply([.nan, 0, 0]) }
    #expect(throws: CoreError.self) { try policy.apply([0, -.infinity, 0]) }
    #expect(throws: CoreError.self) { try policy.apply([1e308, 0, 0]) }  // finite Δz, overflowing logit
    #expect(policy == before)
  }

  @Test func recentringKeepsProbabilitiesAndFiniteLogitsFinite() throws {
    var policy = try Policy(states: 2, arms: 3, logits: [1e308, -1e308, 0, 5e6, 4e6, -inf])
    let p0 = policy.probabilities(state: 0)
    let p1 = policy.probabilities(state: 1)
    try policy.apply([0, 0, 0, 0, 0, 0])
    // Both rows had a maximum beyond 2²⁰: now their maximum is 0.
    #expect(policy.logits(state: 0).max() == 0 && policy.logits(state: 1).max() == 0)
    #expect(policy.probabilities(state: 0) == p0 && policy.probabilities(state: 1) == p1)
    // −1e308 − 1e308 would be −∞: clamped, still a finite (live) logit.
    #expect(policy.logits[1] == -Double.greatestFiniteMagnitude)
    // A dead arm stays dead.
    #expect(policy.logits[5] == -Double.infinity)
  }

  private let inf = Double.infinity

  @Test func advantagesOf1e200() {
    let s = Self.session(["adv 1e200 -1e200 0 0"])
    for line in ["show", "predict", "step", "update npg", "predict", "step", "lr 1e-300", "step", "show"] {
      Self.check(s, line)
    }
    #expect(Self.check(s, "adv 1e309 0 0 0")?.failed == true)
  }

  @Test func rewardsTooWideForFiniteAdvantagesAreRefused() {
    let s = Self.session()
    let cell = Self.check(s, "rewards 1.7e308 -1.7e308 1.7e308 0")
    #expect(cell?.failed == true)
    #expect(cell?.output.contains("too wide") == true, "\(cell?.output ?? "")")
    // Wide but finite spreads are fine.
    #expect(Self.check(s, "rewards 8e307 -8e307 1 0")?.failed == false)
    for line in ["show", "predict", "step", "status"] { Self.check(s, line) }
  }

  @Test func oneArmIsAlwaysCertain() {
    let s = Self.session(["policy arms 1 states 2", "rewards 1", "lr 1e300"])
    for line in [
      "show", "predict", "step 3", "update npg", "step", "update grpo", "filter off", "run 2", "tokens all", "fit",
      "policy logits 1e308", "step", "policy probs 1e-320", "show", "adv 1e200", "step",
    ] {
      Self.check(s, line)
    }
    for st in 0..<2 {
      #expect(s.state.policy.probabilities(state: st) == [1])
      #expect(s.state.policy.entropy(state: st) == 0)
    }
  }

  @Test func probabilitiesOf1eMinus320() {
    let s = Self.session()
    #expect(Self.check(s, "policy probs 1e-320 1 0 0")?.failed == false)
    let p = s.state.policy.probabilities(state: 0)
    #expect(p[1] == 1 && p[2] == 0 && p[3] == 0)
    #expect(p[0] > 0 && p[0] < 1e-300)  // subnormal, not flushed
    #expect(s.state.policy.logits[2] == -.infinity)
    #expect(Self.check(s, "policy probs 1e-320 1e-320 1e-320 1e-320")?.failed == false)
    #expect(s.state.policy.probabilities(state: 0).allSatisfy { abs($0 - 0.25) < 1e-15 })
    #expect(Self.check(s, "policy probs 5e-324 0 0 0")?.failed == false)
    #expect(s.state.policy.probabilities(state: 0) == [1, 0, 0, 0])
    #expect(Self.check(s, "policy probs 0 0 0 0")?.failed == true)
    #expect(Self.check(s, "policy probs 1e308 1e308 1e308 1e308")?.failed == false)
    #expect(s.state.policy.probabilities(state: 0).allSatisfy { abs($0 - 0.25) < 1e-15 })
    for line in ["show", "predict", "rewards 1 0 0 0", "step 2", "update grpo", "run 2"] { Self.check(s, line) }
  }

  @Test func aSizeThatWouldNotFitIsRefusedBeforeAllocating() {
    let s = Self.session()
    let cell = Self.check(s, "policy arms 9223372036854775807 states 9223372036854775807")
    #expect(cell?.failed == true)
    let huge = Self.check(s, "policy arms 1000000000000")
    #expect(huge?.failed == true)
    #expect(huge?.output.contains("GB") == true || huge?.output.contains("bytes") == true, "\(huge?.output ?? "")")
  }

  @Test func randomLogitsOfHugeScaleAreFiniteOrRefused() {
    let s = Self.session()
    for line in ["policy random scale 1e300", "show", "step", "policy random scale 1e308", "show", "predict"] {
      Self.check(s, line)
    }
  }
}
