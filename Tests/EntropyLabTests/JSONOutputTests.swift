import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// `--json`: one JSON object per result line, the keys scripts rely on,
/// errors as `{"error": …}`.
@Suite struct JSONOutputTests {
  /// A script that runs every command, good and bad lines mixed.
  static let script = [
    "help", "help step", "status", "policy arms 4 states 2", "policy logits 1 0 -1 0.5", "policy probs 1 2 0 1 state 1",
    "policy random scale 0.5", "policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "adv 1 0 0 0", "adv exact",
    "update npg", "lr 0.2", "seed 3", "predict", "step", "step 2", "show", "show state 1", "update grpo", "group 4",
    "noise gaussian 0.2", "noise bernoulli", "filter off", "minibatches 2", "epochs 2", "clip 0.2 0.28", "clipcov on",
    "klcov on", "cliphigher on", "entropybonus on", "klcov off", "step", "tokens", "tokens top 2", "run 3", "history",
    "history last 1", "plot entropy", "plot reward", "plot cov", "plot residual", "fit", "fit first 0.5",
    "compare steps 2 seeds 1..2", "checkpoint a", "checkpoint", "restore a", "stpe", "cli", "lr", "policy arms 0",
    "checkpoint 'quote\" back\\slash'", "restore nope", "'", "quit",
  ]

  @Test func everyLineOfEveryCommandIsOneJSONObject() {
    let session = LabHarness.session(json: true)
    for line in Self.script {
      guard let cell = session.execute(line) else {
        Issue.record("'\(line)' ran nothing")
        continue
      }
      if line == "quit" {
        #expect(cell.output == "")
        continue
      }
      let objects = LabHarness.jsonLines(cell.output)
      #expect(!objects.isEmpty, "'\(line)' printed nothing")
      for (i, object) in objects.enumerated() {
        #expect(object != nil, "'\(line)' line \(i + 1) is not a JSON object: \(cell.output)")
      }
      if cell.failed {
        #expect(objects.count == 1, "'\(line)': an error is one object")
        #expect(objects.first??["error"] is String, "'\(line)'")
      } else {
        #expect(objects.allSatisfy { $0?["error"] == nil }, "'\(line)'")
      }
    }
  }

  @Test func predictCarriesThePredictionKeysButNoAfterOrChange() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1"], json: true)
    let p = LabHarness.onlyJSON(session, "predict")
    #expect(
      Set(p.keys) == [
        "kind", "rule", "entropy_before", "first_order", "second_order", "path_integral", "expected_reward", "cell",
        "command",
      ])
    for key in ["entropy_before", "first_order", "second_order", "path_integral", "expected_reward"] {
      #expect(LabHarness.number(p[key])?.isFinite == true, "\(key)")
    }
    expectWithin(LabHarness.number(p["first_order"]), -4.0551032e-03, tolerance: 1e-10, "first order at η = 0.1")
  }

  @Test func stepCarriesEveryKeyScriptsRelyOn() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1"], json: true)
    let s = LabHarness.onlyJSON(session, "step")
    let required: Set<String> = [
      "entropy_before", "entropy_after", "entropy_change", "first_order", "second_order", "path_integral",
      "expected_reward",
    ]
    #expect(required.isSubset(of: Set(s.keys)))
    #expect(Set(s.keys) == required.union(["kind", "rule", "step", "first_order_residual", "cell", "command"]))
  }

  /// The numbers are printed with enough digits to read back the same
  /// Double. (Read with `Double(_:)`: Foundation's JSONSerialization on
  /// Linux can be one ulp off, which is not the shell's doing.)
  @Test func numbersRoundTripExactly() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1"], json: true)
    let line = LabHarness.run(session, "step").output
    let record = session.state.trajectory[0]
    let expected: [(String, Double)] = [
      ("entropy_before", record.entropyBefore), ("entropy_after", record.entropyAfter),
      ("entropy_change", record.entropyChange), ("first_order", record.prediction.firstOrder),
      ("second_order", record.prediction.secondOrder), ("path_integral", record.prediction.pathIntegral),
      ("first_order_residual", record.firstOrderResidual), ("expected_reward", record.expectedReward),
    ]
    for (key, value) in expected {
      #expect(Self.rawNumber(key, in: line).flatMap(Double.init) == value, "\(key)")
    }
  }

  /// The text of the number after `"key":` in a JSON line.
  static func rawNumber(_ key: String, in line: String) -> String? {
    guard let range = line.range(of: "\"\(key)\":") else { return nil }
    let rest = line[range.upperBound...]
    return String(rest.prefix { "0123456789+-.eE".contains($0) })
  }

  @Test func aSampledStepAddsItsCounts() {
    let session = LabHarness.session(["rewards 0.2 0.9 0.5 0.1", "update grpo", "filter off"], json: true)
    let s = LabHarness.onlyJSON(session, "step")
    #expect(
      Set(s.keys)
        == [
          "kind", "rule", "step", "entropy_before", "entropy_after", "entropy_change", "first_order", "second_order",
          "path_integral", "first_order_residual", "expected_reward", "tokens", "candidates", "clipped", "penalized",
          "ppo_clipped", "population_term", "cell", "command",
        ])
    #expect(LabHarness.number(s["tokens"]) == 8)
  }

  @Test func anErrorIsAnObjectWithTheMessageAndTheExpectedForm() {
    let session = LabHarness.session(json: true)
    let before = session.state
    let lr = LabHarness.jsonLines(session.execute("lr")?.output ?? "")
    #expect(lr.count == 1)
    #expect(lr.first??["error"] as? String == "lr: needs the learning rate η")
    #expect(lr.first??["expected"] as? String == "lr η")
    // The error and its expected form, after the cell's number and line.
    #expect(lr.first??.count == 4)
    #expect(lr.first??["cell"] as? Int == 1 && lr.first??["command"] as? String == "lr")
    #expect(session.state == before)

    let unknown = LabHarness.jsonLines(session.execute("stpe")?.output ?? "")
    #expect(
      unknown.first??["error"] as? String == "'stpe' is not a command; did you mean 'step'? (type 'help' for the list)")
    #expect(unknown.first??.count == 3)

    let quote = session.execute("'")?.output
    #expect(quote == #"{"cell":3,"command":"'","error":"unterminated quote starting at column 1"}"#)
  }

  @Test func messagesNotesAndHelpAreObjectsToo() {
    let session = LabHarness.session(json: true)
    // A settings command answers with its keys and typed values, and its text.
    let lr = LabHarness.onlyJSON(session, "lr 0.5")
    #expect(lr["kind"] as? String == "settings" && lr["text"] as? String == "lr: η = 0.5")
    #expect((lr["settings"] as? [String: Any])?["lr"] as? Double == 0.5)
    let adv = LabHarness.json(LabHarness.run(session, "adv 1 0 0 0").output)
    #expect(adv.count == 2)
    #expect(adv[0]["text"] as? String == "adv: set by hand for state 0")
    #expect((adv[0]["settings"] as? [String: Any])?["adv"] as? String == "manual")
    #expect((adv[1]["warning"] as? String)?.hasPrefix("advantages are not centred under π") == true)
    #expect(
      LabHarness.onlyJSON(session, "help lr")["text"] as? String
        == "usage: lr η\n\nSet the learning rate η (a positive number).")
    #expect(LabHarness.onlyJSON(session, "help")["text"] as? String == session.table.helpOverview())
  }

  @Test func stringsAreEscaped() {
    let session = LabHarness.session(json: true)
    let name = "tab\there \"quoted\" back\\slash \u{1}"
    let cell = LabHarness.run(session, "checkpoint '\(name)'")
    #expect(
      LabHarness.json(cell.output).first?["message"] as? String == "checkpoint '\(name)': step 0, H = 1.3862943611")
  }

  @Test func nonFiniteNumbersAreNull() {
    let session = LabHarness.session(["policy logits -inf 0 0 0"], json: true)
    let arm = LabHarness.json(LabHarness.run(session, "show").output)[1]
    #expect(arm["logit"] is NSNull)
    #expect(arm["log_prob"] is NSNull)
    #expect(LabHarness.number(arm["prob"]) == 0)
  }

  @Test func theSameSessionInTextAndJSONHasTheSameState() {
    let lines = [
      "policy arms 3 states 2", "policy random", "rewards 1 0 0.5", "update grpo", "run 4", "update npg", "step 2",
    ]
    let text = LabHarness.session(lines)
    let json = LabHarness.session(lines, json: true)
    #expect(text.state == json.state)
  }
}
