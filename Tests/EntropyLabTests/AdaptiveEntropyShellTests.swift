import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// The adaptive entropy coefficient (`control adaptive-entropy`) in the
/// shell: α moving by ±δ toward the target each step, the gate, what the
/// step tables report, refusals that leave the session as it was, and the
/// bonus's effect on the step against plain GRPO from the same rollout.
@Suite("Adaptive entropy coefficient in the shell")
struct AdaptiveEntropyShellTests {
  static let setup = ["policy arms 4", "rewards 1 0 0 0", "update grpo", "seed 5"]

  func steps(_ session: Session) -> [[String: Any]] {
    LabHarness.json(LabHarness.run(session, "history").output).filter { $0["kind"] as? String == "step" }
  }

  @Test("below the target α rises by δ each step; above it α falls to 0 and the gate withholds the bonus")
  func alphaFollowsTheTarget() throws {
    let session = LabHarness.session(Self.setup, json: true)
    // H ≤ log 4 < 2: the rollout entropy is below the target every step.
    LabHarness.run(session, "control adaptive-entropy on target 2 delta 0.01")
    LabHarness.run(session, "run 3")
    var rows = steps(session)
    #expect(rows.count == 3)
    for (i, row) in rows.enumerated() {
      // α = 0 + (i + 1)·0.01, a sum of at most three terms: 1e-15 bounds its rounding.
      let alpha = try #require(LabHarness.number(row["adaptive_alpha"]))
      #expect(abs(alpha - Double(i + 1) * 0.01) < 1e-15, "step \(i + 1): α = \(alpha)")
      let h = try #require(LabHarness.number(row["adaptive_h"]))
      #expect(h > 1.3 && h <= log(4) + 1e-12, "H_t is the rollout's entropy: \(h)")
    }
    // Above the target: α steps down from the new start (0.05 → 0.04 → 0.03),
    // and with the gate on the step uses no bonus, which the table shows as 0.
    LabHarness.run(session, "control adaptive-entropy target 0.1 coef 0.05")
    LabHarness.run(session, "run 2")
    rows = steps(session)
    #expect(rows.count == 5)
    for row in rows.suffix(2) { #expect(LabHarness.number(row["adaptive_alpha"]) == 0) }
    #expect(session.state.controls.isOn("adaptive-entropy"))
  }

  @Test("the bonus changes the step; withheld by the gate, the step is plain GRPO's bit for bit")
  func bonusActsOnlyWhenActive() throws {
    func after(_ lines: [String]) -> [Double] {
      let session = LabHarness.session(Self.setup + ["policy logits 2 0 0 0", "step"] + lines + ["step"])
      return session.state.policy.logits
    }
    let plain = after([])
    // Gate on, target below H: no bonus, the same rollout, the same logits.
    #expect(after(["control adaptive-entropy on coef 0.5 target 0.01"]) == plain)
    // Gate off: the bonus (α = 0.5 − δ = 0.499, H_t being above the target) moves the logits.
    let bonus = after(["control adaptive-entropy on coef 0.5 target 0.01 gate off"])
    #expect(bonus != plain)
    // Below the target with the gate on: the bonus applies.
    #expect(after(["control adaptive-entropy on coef 0.5 target 3"]) != plain)
  }

  @Test("bad values are refused with the parameter named, and the session is unchanged")
  func refusals() {
    let session = LabHarness.session(Self.setup + ["control adaptive-entropy on target 1"])
    LabHarness.refuse(session, "control adaptive-entropy delta -1", command: "control", word: "-1")
    LabHarness.refuse(session, "control adaptive-entropy coef nan", command: "control", word: "nan")
    LabHarness.refuse(session, "control adaptive-entropy target inf", command: "control", word: "inf")
    LabHarness.refuse(session, "control adaptive-entropy gate maybe", command: "control", word: "maybe")
    #expect(session.state.controls.values(of: "adaptive-entropy") == [0, 1, 1e-3, 0])
  }

  @Test("help says where it comes from and how sure that is")
  func help() {
    let session = LabHarness.session()
    let help = LabHarness.run(session, "help control adaptive-entropy").output
    #expect(help.contains("Source: ") && help.contains("SECONDARY") && help.contains("TRL"))
    #expect(help.contains("adaptive_alpha") && help.contains("adaptive_h"))
  }
}
