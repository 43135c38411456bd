import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// CW-GRPO and vocabulary dropout through the shell: switched and set by
/// `control`, refused with exact messages leaving the session as it was,
/// their help's source labels, their activity in step tables, history,
/// `tokens`, `compare` and `sweep`.
@Suite("CW-GRPO and vocabulary dropout in the shell")
struct LiteratureControlCommandTests {
  static let usage =
    "control [NAME [on|off] [PARAM VALUE …] | NAME schedule [PARAM] linear|cos FROM TO over N | "
    + "NAME schedule [PARAM] constant [VALUE]]"

  static let trap = [
    "policy arms 8 states 4", "policy logits 2 0 0 0 0 0 0 0", "rewards 0.6 1 0.1 0.1 0.1 0.1 0.1 0.1",
    "update grpo", "lr 1", "minibatches 2", "seed 3",
  ]

  @Test("control cwgrpo: on, off and every parameter; the T = 1 warning; bad values refused exactly")
  func cwgrpoSettings() {
    let s = LabHarness.session(Self.trap)
    let on = LabHarness.run(s, "control cwgrpo on center batch weightgrad off width 2").output
    #expect(on == "cwgrpo: on (center = batch, weightgrad = off, κ = 2)")
    #expect(s.state.controls.isOn("cwgrpo") && s.state.controls.values(of: "cwgrpo") == [0, 0, 2])
    let code = LabHarness.run(s, "control cwgrpo center response").output
    #expect(
      code == """
        cwgrpo: on (center = response, weightgrad = off, κ = 2)
        note: with response length 1 and 'center response' (the authors' code) every weight is 1: CW-GRPO is \
        GRPO here (set 'length' above 1, or 'center batch')
        """)
    LabHarness.refuse(
      s, "control cwgrpo center diagonal",
      output: LabHarness.errorText(
        "control: 'diagonal' is not allowed for center: expected batch|response", expected: Self.usage))
    LabHarness.refuse(
      s, "control cwgrpo width 0",
      output: LabHarness.errorText("control: '0' is not allowed for width: expected a number > 0", expected: Self.usage)
    )
    LabHarness.refuse(
      s, "control cwgrpo on weightgrad maybe",
      output: LabHarness.errorText(
        "control: 'maybe' is not allowed for weightgrad: expected off|on", expected: Self.usage))
    #expect(
      LabHarness.run(s, "control cwgrpo off").output == "cwgrpo: off (center = response, weightgrad = off, κ = 2)")
    #expect(!s.state.controls.isOn("cwgrpo"))
    #expect(LabHarness.run(s, "get cwgrpo.weightgrad").output.contains("off"))
  }

  @Test("control vocab-dropout: on, off and every parameter; bad values refused exactly")
  func dropoutSettings() {
    let s = LabHarness.session(Self.trap)
    let on = LabHarness.run(s, "control vocab-dropout on alpha 0.5 protect first count 2").output
    #expect(on == "vocab-dropout: on (α = 0.5, protect = first, K = 2)")
    #expect(s.state.controls.values(of: "vocab-dropout") == [0.5, 1, 2])
    for (line, word, expected) in [
      ("control vocab-dropout alpha 1.5", "1.5", "alpha: expected a number in (0, 1]"),
      ("control vocab-dropout alpha 0", "0", "alpha: expected a number in (0, 1]"),
      ("control vocab-dropout count 1.5", "1.5", "count: expected an integer ≥ 1"),
      ("control vocab-dropout count 0", "0", "count: expected an integer ≥ 1"),
      ("control vocab-dropout protect middle", "middle", "protect: expected top|first"),
    ] {
      LabHarness.refuse(
        s, line,
        output: LabHarness.errorText("control: '\(word)' is not allowed for \(expected)", expected: Self.usage))
    }
    LabHarness.refuse(s, "set vocab-dropout.alpha=2", command: "set", word: "vocab-dropout.alpha=2")
    LabHarness.run(s, "control vocab-dropout off")
    #expect(!s.state.controls.isOn("vocab-dropout"))
  }

  @Test("help control NAME: the method, the source and how sure it is, defaults, the GRPO identity")
  func help() {
    let s = LabHarness.session()
    let cw = LabHarness.run(s, "help control cwgrpo").output
    #expect(cw.contains("Source: VERIFIED: CW-GRPO (arXiv 2605.11538"))
    #expect(cw.contains("github.com/WangCheng0116/CW-GRPO @4259d83"))
    #expect(cw.contains("CW-GRPO IS GRPO, bit for bit"))
    #expect(cw.contains("weightgrad on (default, the code's behaviour: w is not detached)"))
    #expect(cw.contains("  center: default response; batch|response"))
    #expect(cw.contains("  weightgrad: default on; off|on"))
    let vd = LabHarness.run(s, "help control vocab-dropout").output
    #expect(vd.contains("Source: EntropyLab's reading of a secondary source (SECONDARY): Vocabulary dropout"))
    #expect(vd.contains("  alpha α: default 0.9, probability an unprotected arm is kept; allowed a number in (0, 1]"))
    #expect(vd.contains("  protect: default top; top|first"))
    #expect(vd.contains("dropout_dropped: arms masked for the step, over all states"))
    let list = LabHarness.run(s, "control").output
    #expect(list.contains("cwgrpo") && list.contains("VERIFIED"))
    #expect(list.split(separator: "\n").contains { $0.hasPrefix("vocab-dropout") && $0.hasSuffix("SECONDARY") })
  }

  @Test("activity by name: step columns, history JSON, tokens; CW-GRPO acts at T = 3, not at T = 1")
  func activityReported() throws {
    let s = LabHarness.session(Self.trap + ["length 3"], json: true)
    LabHarness.run(s, "control cwgrpo on")
    LabHarness.run(s, "control vocab-dropout on alpha 0.5")
    LabHarness.run(s, "step 3")
    let rows = LabHarness.json(LabHarness.run(s, "history").output).filter { $0["kind"] as? String == "step" }
    #expect(rows.count == 3)
    for row in rows {
      let reweighted = try #require((row["cwgrpo_reweighted"] as? NSNumber)?.intValue)
      let dropped = try #require((row["dropout_dropped"] as? NSNumber)?.intValue)
      let eligible = try #require((row["dropout_eligible"] as? NSNumber)?.intValue)
      #expect(reweighted > 0 && dropped > 0)
      // 4 states × 7 unprotected arms.
      #expect(eligible == 28)
      #expect(row["cwgrpo_damped"] is NSNumber)
    }
    let last = try #require(s.state.trajectory.last?.sampled)
    #expect(
      last.activity.count("cwgrpo_damped") == s.state.lastTokens.filter { $0.chosenBy.contains("cwgrpo") }.count)
    // No masked arm was sampled: each state's sampled arms are at most 1 + (7 − dropped) distinct.
    #expect(s.state.lastTokens.allSatisfy { $0.token.arm < 8 })
    // At T = 1 with the code's centring nothing is reweighted.
    let one = LabHarness.session(Self.trap, json: true)
    LabHarness.run(one, "control cwgrpo on")
    LabHarness.run(one, "step 2")
    let oneRows = LabHarness.json(LabHarness.run(one, "history").output).filter { $0["kind"] as? String == "step" }
    #expect(oneRows.allSatisfy { ($0["cwgrpo_reweighted"] as? NSNumber)?.intValue == 0 })
    // The text step table has the controls' own columns.
    let text = LabHarness.session(Self.trap + ["length 3"])
    LabHarness.run(text, "control cwgrpo on")
    LabHarness.run(text, "control vocab-dropout on")
    let step = LabHarness.run(text, "step").output
    #expect(step.contains("reweighted") && step.contains("dropped"))
  }

  @Test("compare and sweep: both controls by name and keys; α = 1 and CW-GRPO at T = 1 give GRPO's rows")
  func compareAndSweep() {
    let s = LabHarness.session(Self.trap)
    LabHarness.run(s, "control vocab-dropout alpha 1")
    let compare = LabHarness.run(s, "compare none cwgrpo vocab-dropout steps 4 seeds 1..2").output
    #expect(compare.contains("cwgrpo_reweighted") && compare.contains("dropout_dropped"))
    let lines = compare.split(separator: "\n").map(String.init)
    func numbers(_ name: String) -> [Substring] {
      (lines.first { $0.hasPrefix(name + " ") } ?? "").split(separator: " ").dropFirst().prefix(6).map { $0 }
    }
    #expect(numbers("none").count == 6 && numbers("cwgrpo").count == 6 && numbers("vocab-dropout").count == 6)
    #expect(numbers("cwgrpo") == numbers("none"))
    #expect(numbers("vocab-dropout") == numbers("none"))
    let sweep = LabHarness.run(
      s, "sweep vocab-dropout.on=on vocab-dropout.alpha=0.5,1 seeds 1..2 steps 3 show dropout_dropped"
    ).output
    #expect(sweep.contains("vocab-dropout.alpha"))
    let cw = LabHarness.run(s, "sweep cwgrpo.on=on cwgrpo.center=batch,response length=3 seeds 1..2 steps 2").output
    #expect(cw.contains("cwgrpo.center"))
  }
}
