import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// The session's rollback without a copy (`Session`, `Command.changesInPlace`):
/// - a failed in-place command leaves the state bit for bit as it was,
///   including when the failure is found in the last row of a step that
///   would have changed every row before it (a partial mutation would show);
/// - the commands that fill or step the S × K arrays write the session's
///   own buffers (same address before and after: no copy was made);
/// - the in-place step (past `lastStepLimit`) gives the same trajectory and
///   logits, bit for bit, as the step that keeps `show last`'s copy.
@Suite struct SessionRollbackTests {
  /// 12 states × 6,000 arms: 72,000 logits, above the parallel threshold
  /// (the last-row failure runs at this size).
  static let (states, arms) = (12, 6_000)

  /// The other tests' size: the properties do not depend on it, and debug
  /// builds run the row kernels slowly.
  static let (smallStates, smallArms) = (6, 500)

  /// A session past the `show last` limit (so steps run in place), with
  /// a random policy and rewards.
  static func large(limit: Int = 0, small: Bool = true) -> Session {
    let session = LabHarness.session([], seed: 5)
    session.state.lastStepLimit = limit
    let (s, k) = small ? (smallStates, smallArms) : (states, arms)
    for line in ["policy arms \(k) states \(s)", "policy random scale 2", "rewards random"] {
      LabHarness.run(session, line)
    }
    return session
  }

  /// The logits' buffer address (read through a temporary copy of the state
  /// that is released at once, so it does not force a copy later).
  static func logitsAddress(_ session: Session) -> UInt {
    session.state.policy.logits.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
  }

  static func rewardsAddress(_ session: Session) -> UInt {
    session.state.bandit.meanRewards.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
  }

  /// Bit patterns of the big arrays, so −0/0 and NaN compare exactly.
  static func bits(_ state: LabState) -> [[UInt64]] {
    [state.policy.logits.map(\.bitPattern), state.bandit.meanRewards.map(\.bitPattern)]
  }

  @Test("a step refused in its last row leaves every row bit for bit unchanged")
  func stepFailingInLastRow() {
    let session = Self.large(small: false)
    LabHarness.run(session, "update npg")
    LabHarness.run(session, "lr 10")
    // State 11's advantages span ±8e307: Δz = 10·(A − E_π A) overflows
    // there; every other row's step is finite and would be applied.
    let huge = (0..<Self.arms).map { $0 % 2 == 0 ? "8e307" : "-8e307" }.joined(separator: " ")
    LabHarness.run(session, "adv \(huge) state \(Self.states - 1)")
    let before = session.state
    let beforeBits = Self.bits(before)
    _ = LabHarness.refuseKeepingState(session, "step")
    #expect(Self.bits(session.state) == beforeBits)
    #expect(session.state == before)
    // The same rows without the last do step: the refusal was the last row's.
    LabHarness.run(session, "adv exact")
    LabHarness.run(session, "lr 0.1")
    LabHarness.run(session, "step")
  }

  @Test("refusals of the in-place commands at scale leave the state bit for bit unchanged")
  func refusalsAtScale() {
    let session = Self.large()
    LabHarness.run(session, "step 2")
    let beforeBits = Self.bits(session.state)
    for line in [
      "policy random scale 1e101", "policy random scale -1", "rewards 1 2 3", "rewards random now",
      "policy logits 1 2 state 0", "policy arms 1e30 states 1e30", "adv 1 2 3", "step 0", "run -1",
    ] {
      _ = LabHarness.refuseKeepingState(session, line)
      #expect(Self.bits(session.state) == beforeBits, "'\(line)'")
    }
  }

  @Test("policy random, rewards random and step write the session's own buffers (no rollback copy)")
  func noCopy() {
    let session = Self.large()
    let (z, mu) = (Self.logitsAddress(session), Self.rewardsAddress(session))
    for line in ["policy random", "rewards random", "step", "step 3", "run 2", "adv exact"] {
      LabHarness.run(session, line)
      #expect(Self.logitsAddress(session) == z, "'\(line)' copied the logits")
      #expect(Self.rewardsAddress(session) == mu, "'\(line)' copied the rewards")
    }
    // A checkpoint shares the buffers: the next step must copy, once.
    LabHarness.run(session, "checkpoint a")
    LabHarness.run(session, "step")
    #expect(Self.logitsAddress(session) != z)
    #expect(session.checkpoints["a"]?.policy.logits.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == z)
  }

  @Test("the in-place step equals the step that keeps show last's copy, bit for bit", arguments: ["pg", "npg"])
  func inPlaceEqualsKept(rule: String) {
    let inPlace = Self.large(limit: 0)
    let kept = Self.large(limit: Int.max)
    for session in [inPlace, kept] {
      LabHarness.run(session, "update \(rule)")
      LabHarness.run(session, "lr 2")
      LabHarness.run(session, "step 3")
    }
    #expect(Self.bits(inPlace.state) == Self.bits(kept.state))
    #expect(inPlace.state.trajectory == kept.state.trajectory)
    #expect(inPlace.cells.map(\.output) == kept.cells.map(\.output))
    #expect(kept.state.lastStep != nil && !kept.state.lastStepDropped)
    #expect(inPlace.state.lastStep == nil && inPlace.state.lastStepDropped)
    let shown = LabHarness.run(inPlace, "show last").output
    #expect(shown.hasPrefix("show last: not kept at this size"), "\(shown)")
  }
}
