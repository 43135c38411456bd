import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// OPEFO, entropy polarity, Entrocraft and `entropic` in the shell: switched
/// and set through `control`, refused without changing the session, their
/// help stating the source and its certainty, their activity in the step
/// tables, `tokens`, `compare`, sweeps and JSON, and their schedules.
@Suite("Literature controls in the shell (opefo, polarity, entrocraft, entropic)")
struct LiteratureControlShellTests {
  static let setup = [
    "policy arms 4 states 4", "rewards 0.9 0.5 0.1 0.3", "update grpo", "group 8", "lr 1", "seed 3",
  ]

  @Test("on/off and parameters set the session's values; help shows method, source and certainty")
  func switchAndHelp() {
    let session = LabHarness.session(Self.setup)
    let cases: [(line: String, name: String, values: [Double], source: String)] = [
      ("control opefo on kernel sampled strength 0.5", "opefo", [1, 0.5], "(SECONDARY)"),
      ("control polarity on expand 2 contract 0.25", "polarity", [2, 0.25], "EntropyLab's reading (no primary"),
      (
        "control entrocraft on variant paper band cos low 0.6 high 0.7 lowend 0.1 highend 0.2 span 50",
        "entrocraft", [1, 2, 0.6, 0.7, 0.1, 0.2, 50], "VERIFIED"
      ),
      ("control entropic on target 0.8 gain 0.02", "entropic", [0.8, 0.02], "VERIFIED"),
    ]
    for c in cases {
      LabHarness.run(session, c.line)
      #expect(session.state.controls.isOn(c.name), "\(c.line)")
      #expect(session.state.controls.values(of: c.name) == c.values, "\(c.line)")
      let help = LabHarness.run(session, "help control \(c.name)").output
      #expect(help.contains("Source: ") && help.contains(c.source), "\(help)")
      // Not a top-level command: no new prefix.
      #expect((try? CommandTable.standard.resolve(c.name)) == nil)
      LabHarness.run(session, "control \(c.name) off")
      #expect(!session.state.controls.isOn(c.name))
    }
    let polarity = LabHarness.run(session, "help control polarity").output
    #expect(polarity.contains("the lab's reading of entropy polarity") && polarity.contains("not PAPO's"))
    #expect(LabHarness.run(session, "help control opefo").output.contains("λ = (N − P)/(N + P)"))
  }

  @Test("bad values, words and names are refused and leave the session unchanged")
  func refusals() {
    let session = LabHarness.session(Self.setup + ["control opefo on", "control entrocraft on"])
    LabHarness.refuse(session, "control opefo kernel banana", command: "control", word: "banana")
    LabHarness.refuse(session, "control opefo strength 1.5", command: "control", word: "1.5")
    LabHarness.refuse(session, "control opefo strength -0.1", command: "control", word: "-0.1")
    LabHarness.refuse(session, "control polarity on expand -1", command: "control", word: "-1")
    LabHarness.refuse(session, "control polarity contract nan", command: "control", word: "nan")
    LabHarness.refuse(session, "control entrocraft variant both", command: "control", word: "both")
    LabHarness.refuse(session, "control entrocraft band step", command: "control", word: "step")
    LabHarness.refuse(session, "control entrocraft span 0", command: "control", word: "0")
    LabHarness.refuse(session, "control entrocraft span 2.5", command: "control", word: "2.5")
    LabHarness.refuse(session, "control entrocraft low -0.2", command: "control", word: "-0.2")
    LabHarness.refuse(session, "control entropic on target -1", command: "control", word: "-1")
    LabHarness.refuse(session, "control entropic gain inf", command: "control", word: "inf")
    LabHarness.refuse(session, "set opefo.kernel=half", command: "set", word: "opefo.kernel=half")
    #expect(session.state.controls.values(of: "opefo") == [0, 1])
  }

  @Test("each reports its own activity by name in step/history JSON; tokens lists what it reweighted")
  func activity() throws {
    let session = LabHarness.session(Self.setup, json: true)
    LabHarness.run(session, "step 1")
    LabHarness.run(session, "control opefo on")
    LabHarness.run(session, "control polarity on expand 0.5")
    LabHarness.run(session, "control entropic on")
    LabHarness.run(session, "step 2")
    let rows = LabHarness.json(LabHarness.run(session, "history").output).filter { $0["kind"] as? String == "step" }
    #expect(rows.count == 3)
    #expect(rows[0]["opefo_lambda"] is NSNull && rows[0]["entropic_alpha"] is NSNull)
    for row in rows.suffix(2) {
      let lambda = try #require(LabHarness.number(row["opefo_lambda"]))
      #expect(abs(lambda) <= 1)
      #expect((LabHarness.number(row["opefo_reweighted"]) ?? 0) > 0)
      #expect((LabHarness.number(row["polarity_expanding"]) ?? 0) > 0)
      #expect(LabHarness.number(row["entropic_alpha"]) != nil && LabHarness.number(row["entropic_integral"]) != nil)
    }
    // entropic's integral is carried from step to step by the session:
    // I₂ = I₁ + 0.01·e₂ with e₂ = α₂ − I₁ (rounding only: 1e-15).
    let i1 = try #require(LabHarness.number(rows[1]["entropic_integral"]))
    let a2 = try #require(LabHarness.number(rows[2]["entropic_alpha"]))
    let i2 = try #require(LabHarness.number(rows[2]["entropic_integral"]))
    #expect(abs(i2 - (i1 + 0.01 * (a2 - i1))) < 1e-15 && i1 != 0, "I₁ \(i1), α₂ \(a2), I₂ \(i2)")
    let last = try #require(session.state.trajectory.last?.sampled)
    #expect(
      last.activity.count("opefo_reweighted")
        == session.state.lastTokens.filter { $0.chosenBy.contains("opefo") }.count)
    #expect(LabHarness.run(session, "tokens").output.contains("opefo"))
    // Entrocraft: branch and band levels; its band moves on a schedule.
    LabHarness.run(session, "control opefo off")
    LabHarness.run(session, "control polarity off")
    LabHarness.run(session, "control entropic off")
    LabHarness.run(session, "control entrocraft on band linear low 0.6 high 0.7 lowend 0.4 highend 0.5 span 4")
    LabHarness.run(session, "step 5")
    let craft = LabHarness.json(LabHarness.run(session, "history").output).filter {
      $0["kind"] as? String == "step"
    }.suffix(5)
    let lows = craft.compactMap { LabHarness.number($0["entrocraft_low"]) }
    #expect(lows.count == 5)
    for (a, b) in zip(lows, [0.6, 0.55, 0.5, 0.45, 0.4]) { #expect(abs(a - b) < 1e-12, "\(lows)") }
    #expect(craft.allSatisfy { [-1, 0, 1].contains(LabHarness.number($0["entrocraft_branch"]) ?? 9) })
  }

  @Test("a generic schedule moves OPEFO's strength per step, shown as opefo.strength")
  func schedule() {
    let session = LabHarness.session(Self.setup, json: true)
    LabHarness.run(session, "control opefo on")
    LabHarness.run(session, "control opefo schedule linear 1 0 over 2")
    LabHarness.run(session, "step 3")
    let rows = LabHarness.json(LabHarness.run(session, "history").output).filter { $0["kind"] as? String == "step" }
    #expect(rows.compactMap { LabHarness.number($0["opefo.strength"]) } == [1, 0.5, 0])
    #expect(LabHarness.number(rows.last?["opefo_reweighted"]) == 0)
    LabHarness.refuse(session, "control opefo schedule linear 1 2 over 2", command: "control", word: "2")
    // Any parameter of the others: polarity's contracting weight, entropic's target.
    LabHarness.run(session, "control opefo off")
    LabHarness.run(session, "control polarity on")
    LabHarness.run(session, "control polarity schedule contract linear 1 0 over 2")
    LabHarness.run(session, "control entropic on")
    LabHarness.run(session, "control entropic schedule cos 0.9 0.5 over 2")
    LabHarness.run(session, "step 3")
    let more = LabHarness.json(LabHarness.run(session, "history").output).filter {
      $0["kind"] as? String == "step"
    }.suffix(3)
    #expect(more.compactMap { LabHarness.number($0["polarity.contract"]) } == [1, 0.5, 0])
    let targets = more.compactMap { LabHarness.number($0["entropic.target"]) }
    #expect(targets.count == 3 && abs(targets[1] - 0.7) < 1e-12 && targets[2] == 0.5, "\(targets)")
  }

  @Test("compare and sweep reach them by name and key")
  func compareAndSweep() {
    let session = LabHarness.session(Self.setup)
    let compare = LabHarness.run(session, "compare none opefo polarity entrocraft entropic steps 3 seeds 1..2").output
    for key in ["opefo_reweighted", "polarity_expanding", "entrocraft_dropped"] {
      #expect(compare.contains(key), "\(compare)")
    }
    let sweep = LabHarness.run(session, "sweep opefo.on=on opefo.kernel=full,sampled seeds 1..2 steps 2").output
    #expect(sweep.contains("opefo.kernel") && sweep.contains("sampled"), "\(sweep)")
  }
}
