import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// Sampled GRPO settings (`group`, `noise`, `filter`, `minibatches`,
/// `epochs`, `clip`) and the control toggles generated from
/// `EntropyControls.all` (`clipcov`, `klcov`, `cliphigher`, `entropybonus`).
@Suite struct GRPOSettingsCommandTests {
  static let onPolicyNote =
    "note: with one minibatch and one epoch every update is on-policy: log π_θ = log π_old, so the penalty "
    + "β·|log π_θ − log π_old| has zero gradient and KL-Cov changes nothing (set 'minibatches' or 'epochs' above 1)"
  static let minibatchesUsage = "minibatches M [groups keep|split] [order fixed|shuffle|reshuffle]"
  static let exactRuleNote = "note: controls act on sampled steps only; 'update grpo' to use them"

  static func ratioNote(_ ratio: String, tokens: Int) -> String {
    "note: ratio \(ratio) × about \(tokens) tokens per update is below 1, so max(⌊ratio·N⌋, 1) touches exactly one token per update"
  }

  // MARK: settings

  @Test func groupSetsG() {
    let session = LabHarness.session()
    #expect(session.state.grpo.groupSize == 8)
    #expect(LabHarness.run(session, "group 16").output == "group: G = 16")
    #expect(session.state.grpo.groupSize == 16)
    #expect(LabHarness.run(session, "group 100000").output == "group: G = 100000")
  }

  @Test func groupOfOneWarnsOnlyWhileTheFilterIsOn() {
    let session = LabHarness.session()
    #expect(
      LabHarness.run(session, "group 1").output
        == "group: G = 1\nnote: with G = 1 every group has equal rewards, so the filter drops them all")
    LabHarness.run(session, "filter off")
    #expect(LabHarness.run(session, "group 1").output == "group: G = 1")
  }

  @Test func noiseChoosesHowRewardsAreDrawn() {
    let session = LabHarness.session()
    #expect(session.state.grpo.noise == .bernoulli)
    #expect(LabHarness.run(session, "noise gaussian 0.5").output == "noise: gaussian σ = 0.5")
    #expect(session.state.grpo.noise == .gaussian(0.5))
    #expect(LabHarness.run(session, "noise none").output == "noise: none")
    #expect(session.state.grpo.noise == RewardNoise.none)
    #expect(LabHarness.run(session, "noise bernoulli").output == "noise: bernoulli")
    #expect(session.state.grpo.noise == .bernoulli)
    LabHarness.run(session, "noise gaussian 0")
    #expect(session.state.grpo.noise == .gaussian(0))
    // σ is echoed as a number, not as the word typed.
    #expect(LabHarness.run(session, "noise gaussian 5e-1").output == "noise: gaussian σ = 0.5")
    #expect(session.state.grpo.noise == .gaussian(0.5))
  }

  @Test func filterMinibatchesEpochsAndClip() {
    let session = LabHarness.session()
    #expect(session.state.grpo.filter)
    #expect(LabHarness.run(session, "filter off").output == "filter: off")
    #expect(!session.state.grpo.filter)
    for (word, on) in [("on", true), ("no", false), ("yes", true), ("0", false), ("TRUE", true), ("False", false)] {
      LabHarness.run(session, "filter \(word)")
      #expect(session.state.grpo.filter == on, "\(word)")
    }
    #expect(LabHarness.run(session, "minibatches 4").output == "minibatches: M = 4")
    #expect(session.state.grpo.minibatches == 4)
    #expect(LabHarness.run(session, "epochs 3").output == "epochs: E = 3")
    #expect(session.state.grpo.epochs == 3)
    #expect(LabHarness.run(session, "clip 0.1").output == "clip: ε_low = 0.1, ε_high = 0.1")
    #expect(session.state.grpo.clipLow == 0.1 && session.state.grpo.clipHigh == 0.1)
    #expect(LabHarness.run(session, "clip 0.2 0.28").output == "clip: ε_low = 0.2, ε_high = 0.28")
    #expect(session.state.grpo.clipLow == 0.2 && session.state.grpo.clipHigh == 0.28)
  }

  @Test func aSampledStepTrainsOnGTokensPerUnfilteredState() {
    let session = LabHarness.session(
      ["policy arms 3 states 2", "rewards 0.3 0.9 0.1", "update grpo", "group 5", "filter off"], json: true)
    let s = LabHarness.onlyJSON(session, "step")
    #expect(s["rule"] as? String == "grpo")
    #expect(LabHarness.number(s["tokens"]) == 10)
    #expect(session.state.lastTokens.count == 10)
    for key in ["candidates", "clipped", "penalized", "ppo_clipped", "population_term"] {
      #expect(s[key] != nil, "\(key)")
    }
    // The population term is −η·Cov_π(log π, A) per state, averaged:
    // zero here because every state starts uniform (log π constant).
    expectWithin(LabHarness.number(s["population_term"]), 0, tolerance: 1e-15, "population term")
    // The predictions are of the step's actual logit change.
    expectWithin(
      LabHarness.number(s["path_integral"]), LabHarness.number(s["entropy_change"]) ?? .nan, tolerance: 1e-13, "exact")
  }

  // MARK: control toggles

  @Test func everyClassicControlHasAGeneratedCommand() throws {
    for control in EntropyControls.all where control.isClassic {
      let command = try CommandTable.standard.resolve(control.name)
      let usage = control.name + " on|off" + control.parameters.map { " [\($0.name) \($0.symbol)]" }.joined()
      #expect(command.usage == usage)
      #expect(command.summary == control.summary + ".")
      #expect(command.group == "Entropy controls")
      #expect(command.subwords == ["on", "off"] + control.parameters.map(\.name))
      // The help is the control's own data: its source, then its details,
      // then each parameter's default (no shared template).
      #expect(command.details.first == "Source: " + control.source.line)
      #expect(Array(command.details.dropFirst().prefix(1)) == [control.details.joined(separator: " ")])
      for p in control.parameters {
        #expect(
          command.details.contains {
            $0.hasPrefix("  \(p.name) \(p.symbol): default \(Printed.setting(p.defaultValue))")
          })
      }
      #expect(!command.details.contains { $0.contains("Defaults (paper §4.3):") })
    }
    #expect(
      EntropyControls.all.filter { $0.isClassic }.map { $0.name } == ["clipcov", "klcov", "cliphigher", "entropybonus"])
  }

  @Test func everyClassicControlTurnsOnAndOffAndTakesItsSettings() {
    for control in EntropyControls.all where control.isClassic {
      let session = LabHarness.session(["update grpo", "minibatches 4"])
      let name = control.name
      let settings = control.parameters.map { "\($0.name) 0.5" }.joined(separator: " ")
      let shown = control.parameters.map { "\($0.symbol) = 0.5" }.joined(separator: ", ")
      let on = LabHarness.run(session, "\(name) on \(settings)")
      #expect(on.output.hasPrefix("\(name): on (\(shown))"), "\(on.output)")
      #expect(session.state.controls.isOn(name))
      #expect(session.state.controls.values[name] == control.parameters.map { _ in 0.5 })
      let off = LabHarness.run(session, "\(name) off")
      #expect(off.output == "\(name): off (\(shown))")
      #expect(!session.state.controls.isOn(name))
      #expect(session.state.controls.values[name] == control.parameters.map { _ in 0.5 })
    }
  }

  @Test func clipCovOnWithThePapersDefaults() {
    let session = LabHarness.session()
    let cell = LabHarness.run(session, "clipcov on")
    #expect(
      cell.output
        == ["clipcov: on (r = 0.0002, ω_low = 1, ω_high = 5)", Self.exactRuleNote, Self.ratioNote("0.0002", tokens: 8)]
        .joined(separator: "\n"))
    #expect(session.state.controls.enabled == ["clipcov"])
    #expect(session.state.controls.values["clipcov"] == [2e-4, 1, 5])
  }

  @Test func settingsCanChangeWithoutSwitching() {
    let session = LabHarness.session(["update grpo"])
    #expect(
      LabHarness.run(session, "clipcov ratio 0.5 high 7").output == "clipcov: off (r = 0.5, ω_low = 1, ω_high = 7)")
    #expect(!session.state.controls.isOn("clipcov"))
    #expect(session.state.controls.values["clipcov"] == [0.5, 1, 7])
    #expect(LabHarness.run(session, "clipcov yes").output == "clipcov: on (r = 0.5, ω_low = 1, ω_high = 7)")
    // A setting given twice: the last one wins.
    LabHarness.run(session, "cliphigher high 0.3 high 0.4")
    #expect(session.state.controls.values["cliphigher"] == [0.4])
  }

  @Test func controlsAreListedInRegistryOrder() {
    let session = LabHarness.session(["entropybonus on", "clipcov on", "cliphigher 1"])
    #expect(session.state.controls.enabled == ["clipcov", "cliphigher", "entropybonus"])
    LabHarness.run(session, "clipcov 0")
    #expect(session.state.controls.enabled == ["cliphigher", "entropybonus"])
  }

  // MARK: the KL-Cov on-policy note

  @Test func klCovOnPolicyNote() {
    let session = LabHarness.session(["update grpo"])
    let cell = LabHarness.run(session, "klcov on")
    #expect(
      cell.output
        == ["klcov: on (k = 0.002, β = 1)", Self.onPolicyNote, Self.ratioNote("0.002", tokens: 8)].joined(
          separator: "\n"))
  }

  @Test func klCovNoteGoesAwayOffPolicy() {
    let minibatches = LabHarness.session(["update grpo", "minibatches 2"])
    #expect(
      LabHarness.run(minibatches, "klcov on").output
        == ["klcov: on (k = 0.002, β = 1)", Self.ratioNote("0.002", tokens: 4)].joined(separator: "\n"))
    let epochs = LabHarness.session(["update grpo", "epochs 2", "policy arms 4 states 100"])
    // 100 states × G 8 = 800 tokens per update: 0.002 × 800 ≥ 1, so no ratio note either.
    #expect(LabHarness.run(epochs, "klcov on").output == "klcov: on (k = 0.002, β = 1)")
  }

  @Test func klCovOnAnExactRuleSaysControlsActOnSampledSteps() {
    let session = LabHarness.session(["update npg"])
    let output = LabHarness.run(session, "klcov on ratio 1").output
    #expect(output == ["klcov: on (k = 1, β = 1)", Self.exactRuleNote, Self.onPolicyNote].joined(separator: "\n"))
  }

  /// What the note claims: on-policy, KL-Cov leaves the step unchanged.
  @Test func klCovChangesNothingOnPolicyButActsOffPolicy() {
    let base = [
      "policy arms 4 states 3", "policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "noise none", "filter off",
      "update grpo", "lr 1", "seed 5",
    ]
    func logits(_ extra: [String]) -> [Double] {
      let session = LabHarness.session(base + extra + ["step 2"])
      return session.state.policy.logits
    }
    #expect(logits(["klcov on ratio 1 coef 5"]) == logits([]))
    #expect(logits(["minibatches 2", "klcov on ratio 1 coef 5"]) != logits(["minibatches 2"]))
  }

  @Test func controlsDoNotTouchExactSteps() {
    let base = ["policy logits 1 0 -1 0.5", "rewards 1 0 0 1"]
    let plain = LabHarness.session(base + ["step 2"])
    let controlled = LabHarness.session(
      base + ["clipcov on ratio 1", "klcov on ratio 1", "cliphigher on", "entropybonus on coef 1", "step 2"])
    #expect(controlled.state.policy == plain.state.policy)
    #expect(controlled.state.trajectory == plain.state.trajectory)
  }

  @Test func theEntropyBonusRaisesEntropyOnASampledStep() {
    let base = ["policy logits 2 0 -1 0.5", "rewards 1 0 0 1", "noise none", "filter off", "update grpo", "seed 3"]
    let plain = LabHarness.session(base + ["step 3"])
    let bonus = LabHarness.session(base + ["entropybonus on coef 0.5", "step 3"])
    #expect(bonus.state.policy.meanEntropy > plain.state.policy.meanEntropy)
  }

  // MARK: errors

  @Test func errorsOfTheSettings() {
    let session = LabHarness.session(["group 4", "noise gaussian 0.3", "minibatches 2", "clip 0.1 0.3"])
    LabHarness.refuse(
      session, "group", output: LabHarness.errorText("group: needs the group size G", expected: "group G"))
    for bad in ["0", "-3", "100001"] {
      LabHarness.refuse(
        session, "group \(bad)",
        output: LabHarness.errorText(
          "group: '\(bad)' is out of range (expected the group size G from 1 to 100000)", expected: "group G"))
    }
    // A whole number may be written 1e1 or 10.0; too large a one is out of range.
    LabHarness.run(session, "group 1e1")
    #expect(session.state.grpo.groupSize == 10)
    LabHarness.run(session, "group 4")
    LabHarness.refuse(
      session, "group 1e6",
      output: LabHarness.errorText(
        "group: '1e6' is out of range (expected the group size G from 1 to 100000)", expected: "group G"))
    LabHarness.refuse(
      session, "group 2.5",
      output: LabHarness.errorText(
        "group: '2.5' is not a whole number (expected the group size G)", expected: "group G"))
    LabHarness.refuse(
      session, "group 4 5", output: LabHarness.errorText("group: '5' is not expected here", expected: "group G"))

    let noise = "noise bernoulli|gaussian σ|none"
    LabHarness.refuse(session, "noise", output: LabHarness.errorText("noise: needs a noise model", expected: noise))
    LabHarness.refuse(
      session, "noise normal",
      output: LabHarness.errorText("noise: 'normal' is not one of: bernoulli, gaussian, none", expected: noise))
    LabHarness.refuse(
      session, "noise gaussian", output: LabHarness.errorText("noise: needs the noise σ", expected: noise))
    LabHarness.refuse(
      session, "noise gaussian -1",
      output: LabHarness.errorText("noise: '-1' must not be negative (expected the noise σ)", expected: noise))
    LabHarness.refuse(
      session, "noise gaussian nan",
      output: LabHarness.errorText("noise: 'nan' is not a finite number (expected the noise σ)", expected: noise))
    LabHarness.refuse(
      session, "noise gaussian 0.5 1", output: LabHarness.errorText("noise: '1' is not expected here", expected: noise))
    LabHarness.refuse(
      session, "noise none 1", output: LabHarness.errorText("noise: '1' is not expected here", expected: noise))

    LabHarness.refuse(
      session, "filter",
      output: LabHarness.errorText("filter: needs on or off", expected: "filter on|off [refill [cap n]]"))
    LabHarness.refuse(
      session, "filter maybe",
      output: LabHarness.errorText("filter: 'maybe' is not on or off", expected: "filter on|off [refill [cap n]]"))
    LabHarness.refuse(
      session, "filter on off",
      output: LabHarness.errorText("filter: 'off' is not expected here", expected: "filter on|off [refill [cap n]]"))

    LabHarness.refuse(
      session, "minibatches",
      output: LabHarness.errorText("minibatches: needs the number of minibatches M", expected: Self.minibatchesUsage))
    LabHarness.refuse(
      session, "minibatches 0",
      output: LabHarness.errorText(
        "minibatches: '0' is out of range (expected the number of minibatches M from 1 to 100000)",
        expected: Self.minibatchesUsage))
    LabHarness.refuse(
      session, "epochs 0",
      output: LabHarness.errorText(
        "epochs: '0' is out of range (expected the number of epochs E from 1 to 1000)", expected: "epochs E"))
    LabHarness.refuse(
      session, "epochs 1001",
      output: LabHarness.errorText(
        "epochs: '1001' is out of range (expected the number of epochs E from 1 to 1000)", expected: "epochs E"))
    LabHarness.refuse(
      session, "epochs two",
      output: LabHarness.errorText(
        "epochs: 'two' is not a whole number (expected the number of epochs E)", expected: "epochs E"))

    let clip = "clip ε | clip ε_low ε_high | clip standard|clipcov|cliphigher"
    LabHarness.refuse(session, "clip", output: LabHarness.errorText("clip: needs ε (or ε_low)", expected: clip))
    LabHarness.refuse(
      session, "clip 0",
      output: LabHarness.errorText("clip: '0' must be greater than 0 (expected ε (or ε_low))", expected: clip))
    LabHarness.refuse(
      session, "clip -0.1",
      output: LabHarness.errorText("clip: '-0.1' must be greater than 0 (expected ε (or ε_low))", expected: clip))
    LabHarness.refuse(
      session, "clip nan",
      output: LabHarness.errorText("clip: 'nan' is not a finite number (expected ε (or ε_low))", expected: clip))
    LabHarness.refuse(
      session, "clip 0.1 0",
      output: LabHarness.errorText("clip: '0' must be greater than 0 (expected ε_high)", expected: clip))
    LabHarness.refuse(
      session, "clip 0.1 inf",
      output: LabHarness.errorText("clip: 'inf' is not a finite number (expected ε_high)", expected: clip))
    LabHarness.refuse(
      session, "clip 0.1 0.2 0.3", output: LabHarness.errorText("clip: '0.3' is not expected here", expected: clip))
  }

  @Test func errorsOfTheControls() {
    let session = LabHarness.session(["update grpo", "clipcov on ratio 0.1", "klcov coef 2"])
    let clipcov = "clipcov on|off [ratio r] [low ω_low] [high ω_high]"
    let klcov = "klcov on|off [ratio k] [coef β]"
    LabHarness.refuse(
      session, "clipcov", output: LabHarness.errorText("clipcov: needs on, off or a setting", expected: clipcov))
    LabHarness.refuse(
      session, "klcov", output: LabHarness.errorText("klcov: needs on, off or a setting", expected: klcov))
    // Disputed wording (reported, not yet decided): after the first word,
    // on and off are no longer accepted, yet the refusal says "is not on,
    // off or a setting" ('klcov on on': "'on' is not on, off or a setting").
    // The command, the word and the rollback are checked outright; the
    // wording below is a known issue until the source decides, when this
    // fails (known issue not recorded) and must be settled.
    let disputed = [
      (
        "clipcov on width 3", "width", "clipcov: 'width' is not a setting of clipcov (settings: ratio, low, high)",
        clipcov
      ),
      ("klcov on on", "on", "klcov: 'on' is not a setting of klcov (settings: ratio, coef)", klcov),
      ("klcov coef 2 off", "off", "klcov: 'off' is not a setting of klcov (settings: ratio, coef)", klcov),
    ]
    for (line, word, message, expected) in disputed {
      let command = String(line.prefix { $0 != " " })
      guard let cell = LabHarness.refuse(session, line, command: command, word: word) else { continue }
      #expect(cell.output == LabHarness.errorText(message, expected: expected), "'\(line)'")
    }
    LabHarness.refuse(
      session, "clipcov on ratio", output: LabHarness.errorText("clipcov: needs a value for ratio", expected: clipcov))
    LabHarness.refuse(
      session, "clipcov off ratio 0.5 low",
      output: LabHarness.errorText("clipcov: needs a value for low", expected: clipcov))
    for bad in ["0", "2", "-0.5"] {
      LabHarness.refuse(
        session, "clipcov on ratio \(bad)",
        output: LabHarness.errorText(
          "clipcov: '\(bad)' is not allowed for ratio: expected in (0, 1]", expected: clipcov))
    }
    LabHarness.refuse(
      session, "clipcov on ratio nan",
      output: LabHarness.errorText(
        "clipcov: 'nan' is not a finite number (expected a value for ratio)", expected: clipcov))
    LabHarness.refuse(
      session, "clipcov on low inf",
      output: LabHarness.errorText(
        "clipcov: 'inf' is not a finite number (expected a value for low)", expected: clipcov))
    LabHarness.refuse(
      session, "klcov on coef -1",
      output: LabHarness.errorText("klcov: '-1' is not allowed for coef: expected a number ≥ 0", expected: klcov))
    LabHarness.refuse(
      session, "cliphigher on high 0",
      output: LabHarness.errorText(
        "cliphigher: '0' is not allowed for high: expected a number > 0", expected: "cliphigher on|off [high ε_high]"))
    LabHarness.refuse(
      session, "entropybonus on coef -1",
      output: LabHarness.errorText(
        "entropybonus: '-1' is not allowed for coef: expected a number ≥ 0", expected: "entropybonus on|off [coef α]"))
    LabHarness.refuse(
      session, "entropybonus on coef 1e309",
      output: LabHarness.errorText(
        "entropybonus: '1e309' is not a finite number (expected a value for coef)",
        expected: "entropybonus on|off [coef α]"))
    // The first word may be on, off or a setting.
    LabHarness.refuse(
      session, "clipcov maybe",
      output: LabHarness.errorText(
        "clipcov: 'maybe' is not on, off or a setting of clipcov (settings: ratio, low, high)",
        expected: "clipcov on|off [ratio r] [low ω_low] [high ω_high]"))
  }
}
