import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// A control written outside the package, as a library user would: it
/// zeroes the gradient of tokens whose |log ρ| exceeds `limit`, and reports
/// how many it guarded and its limit.
struct RatioGuard: EntropyControl {
  static let name = "ratioguard"
  static let summary = "Ratio guard (a test's control): zero the gradient of tokens whose |log ρ| > limit"
  static let parameters = [
    ControlParameter(name: "limit", symbol: "λ", defaultValue: 0.5, allowed: "a number > 0", unit: "nats") {
      $0 > 0 && $0.isFinite
    },
    ControlParameter(name: "side", choices: ["both", "up"], defaultChoice: "both"),
  ]
  static let source = ControlSource("the EntropyLab test suite", status: .labReading)
  static let activity = [
    ActivityMeasure(key: "ratioguard_guarded", heading: "guarded", summary: "tokens whose gradient it zeroed"),
    ActivityMeasure(key: "ratioguard_limit", heading: "λ", summary: "the limit", kind: .level),
  ]
  var limit: Double
  var upOnly: Bool

  init(values: [Double]) {
    limit = values[0]
    upOnly = values[1] == 1
  }

  func apply(to terms: inout MinibatchTerms, using generator: inout SplitMix64) {
    var chosen: [Int] = []
    for i in 0..<terms.count where (upOnly ? terms.logRatios[i] : abs(terms.logRatios[i])) > limit {
      terms.lossGradient[i] = 0
      chosen.append(i)
    }
    terms.chosen[Self.name] = chosen
    terms.activity.count("ratioguard_guarded", chosen.count)
    terms.activity.level("ratioguard_limit", limit)
  }
}

@Suite("A control registered from outside the package, and the control command")
struct ExternalControlTests {
  static func registered() throws {
    try EntropyControls.register(RatioGuard.self)
  }

  @Test("registered: listed by 'control', set by 'control NAME', keys in set/get/sweep, help from its own data")
  func registeredControlInTheShell() throws {
    try Self.registered()
    // Registering again is a no-op.
    try EntropyControls.register(RatioGuard.self)
    #expect(EntropyControls.all.filter { $0.name == "ratioguard" }.count == 1)
    let session = LabHarness.session(["update grpo", "minibatches 4", "lr 2"])
    let list = LabHarness.run(session, "control").output
    #expect(list.contains("ratioguard") && list.contains("clipcov"))
    let on = LabHarness.run(session, "control ratioguard on limit 0.01 side up")
    #expect(on.output.hasPrefix("ratioguard: on (λ = 0.01, side = up)"), "\(on.output)")
    #expect(session.state.controls.values(of: "ratioguard") == [0.01, 1])
    // Not a top-level command: no new prefix.
    #expect((try? CommandTable.standard.resolve("ratioguard")) == nil)
    let help = LabHarness.run(session, "help control ratioguard").output
    #expect(help.contains("Source: EntropyLab's reading (no primary source read): the EntropyLab test suite"))
    #expect(help.contains("  limit λ: default 0.5, nats; allowed a number > 0"))
    #expect(help.contains("  side: default both; both|up"))
    #expect(help.contains("ratioguard_guarded: tokens whose gradient it zeroed"))
    #expect(LabHarness.run(session, "get ratioguard.side").output.contains("up"))
    LabHarness.run(session, "set ratioguard.side=both")
    #expect(session.state.controls.values(of: "ratioguard") == [0.01, 0])
    LabHarness.refuse(session, "set ratioguard.side=down", command: "set", word: "ratioguard.side=down")
    LabHarness.refuse(session, "control ratioguard limit -1", command: "control", word: "-1")
    LabHarness.refuse(session, "control nosuch on", command: "control", word: "nosuch")
  }

  @Test("its activity is in step, history and export by its own keys; absent for steps it was off")
  func activityInTables() throws {
    try Self.registered()
    let session = LabHarness.session(
      ["policy arms 4 states 4", "rewards 0.9 0.5 0.1 0.3", "update grpo", "minibatches 4", "lr 2", "seed 3"],
      json: true)
    LabHarness.run(session, "step 2")
    LabHarness.run(session, "control ratioguard on limit 0.01")
    LabHarness.run(session, "step 3")
    let output = LabHarness.run(session, "history").output
    let rows = LabHarness.json(output).filter { $0["kind"] as? String == "step" }
    #expect(rows.count == 5, "\(output)")
    // Off for the first two steps: no value (null); on for the rest.
    #expect(rows.prefix(2).allSatisfy { $0["ratioguard_guarded"] is NSNull })
    let guarded = rows.suffix(3).compactMap { ($0["ratioguard_guarded"] as? NSNumber)?.intValue }
    #expect(guarded.count == 3 && guarded.contains { $0 > 0 })
    #expect(rows.suffix(3).allSatisfy { LabHarness.number($0["ratioguard_limit"]) == 0.01 })
    // The trajectory's records match what the tokens show for the last step.
    let last = try #require(session.state.trajectory.last?.sampled)
    #expect(
      last.activity.count("ratioguard_guarded")
        == session.state.lastTokens.filter { $0.chosenBy.contains("ratioguard") }.count)
    let csv = TrajectoryExport.csv(session.state.trajectory)
    #expect(csv.split(separator: "\n").first?.hasSuffix("ratioguard_guarded,ratioguard_limit") == true)
  }

  @Test("schedules: 'control NAME schedule' moves the coefficient per step, shown in history as NAME.PARAM")
  func scheduleInTheShell() {
    let session = LabHarness.session(["update grpo", "minibatches 2", "seed 1"], json: true)
    LabHarness.run(session, "control klcov on")
    LabHarness.run(session, "control klcov schedule linear 1 0 over 4")
    #expect(session.state.controls.schedules["klcov"]?.map(\.parameter) == [1])
    LabHarness.run(session, "step 5")
    let rows = LabHarness.json(LabHarness.run(session, "history").output).filter { $0["kind"] as? String == "step" }
    let coefs = rows.compactMap { LabHarness.number($0["klcov.coef"]) }
    #expect(coefs == [1, 0.75, 0.5, 0.25, 0])
    LabHarness.run(session, "control klcov schedule constant 0.3")
    #expect(session.state.controls.schedules["klcov"] == nil)
    #expect(session.state.controls.values(of: "klcov") == [2e-3, 0.3])
    LabHarness.refuse(session, "control klcov schedule linear 1 -1 over 4", command: "control", word: "-1")
    LabHarness.refuse(session, "control klcov schedule linear 1 0 4", command: "control", word: "4")
  }

  @Test("sweep and compare reach a control through its keys and name")
  func sweepAndCompare() throws {
    try Self.registered()
    let session = LabHarness.session(
      ["policy arms 4 states 4", "rewards 0.9 0.5 0.1 0.3", "update grpo", "minibatches 2", "lr 2"])
    let sweep = LabHarness.run(session, "sweep ratioguard.on=on ratioguard.limit=0.01,1 seeds 1..2 steps 3").output
    #expect(sweep.contains("ratioguard.limit"))
    let compare = LabHarness.run(session, "compare none ratioguard steps 3 seeds 1..2").output
    #expect(compare.contains("ratioguard_guarded"))
    // compare's default is still none and the four classic controls.
    let plain = LabHarness.run(session, "compare steps 1 seeds 1..1").output
    #expect(!plain.contains("ratioguard"))
  }
}
