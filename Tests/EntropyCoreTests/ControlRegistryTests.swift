import EntropyCore
import Foundation
import Testing

/// Test controls: each exercises one hook of the protocol.
private struct MaskArmOne: EntropyControl {
  static let name = "test-maskone"
  static let summary = "Masks arm 1 of every state for the step"
  static let parameters: [ControlParameter] = []
  static let activity = [ActivityMeasure(key: "test_masked", heading: "masked", summary: "arms masked")]
  init(values: [Double]) {}
  mutating func beginStep(_ start: inout ControlStepStart, using generator: inout SplitMix64) {
    for s in 0..<start.states { start.logits[s * start.arms + 1] = -.infinity }
    start.activity.count("test_masked", start.states)
  }
}

private struct StepCounter: EntropyControl {
  static let name = "test-counter"
  static let summary = "Counts the steps it saw and reports the rollout entropy"
  static let parameters: [ControlParameter] = []
  static let activity = [
    ActivityMeasure(key: "test_seen", heading: "seen", summary: "steps seen", kind: .level),
    ActivityMeasure(key: "test_h", heading: "H_t", summary: "rollout entropy", kind: .level),
  ]
  var memory: [Double] = []
  init(values: [Double]) {}
  mutating func prepare(_ rollout: inout ControlRollout, using generator: inout SplitMix64) {
    let seen = (memory.first ?? 0) + 1
    memory = [seen]
    rollout.activity.level("test_seen", seen)
    rollout.activity.level("test_h", rollout.entropy)
  }
}

private struct BadName: EntropyControl {
  static let name = "Bad Name"
  static let summary = ""
  static let parameters: [ControlParameter] = []
  init(values: [Double]) {}
}

private struct TakenName: EntropyControl {
  static let name = "clipcov"
  static let summary = ""
  static let parameters: [ControlParameter] = []
  init(values: [Double]) {}
}

private struct ReservedParameter: EntropyControl {
  static let name = "test-reserved"
  static let summary = ""
  static let parameters = [
    ControlParameter(name: "schedule", symbol: "s", defaultValue: 1, allowed: "any") { _ in true }
  ]
  init(values: [Double]) {}
}

private struct BadDefault: EntropyControl {
  static let name = "test-baddefault"
  static let summary = ""
  static let parameters = [
    ControlParameter(name: "x", symbol: "x", defaultValue: -1, allowed: "a number > 0") { $0 > 0 }
  ]
  init(values: [Double]) {}
}

private struct ClashingKey: EntropyControl {
  static let name = "test-clash"
  static let summary = ""
  static let parameters: [ControlParameter] = []
  static let activity = [ActivityMeasure(key: "clipped", heading: "c", summary: "")]
  init(values: [Double]) {}
}

@Suite("The control registry: activity by name, hooks, schedules, registration")
struct ControlRegistryTests {
  /// A 2-state × 4-arm bandit with spread rewards, G = 8, filter off.
  static func setup() throws -> (Policy, Bandit, GRPOConfig) {
    let policy = try Policy(states: 2, arms: 4, logits: [1, 0, -1, 0.5, 0, 0.3, -0.2, 0.1])
    var bandit = Bandit(states: 2, arms: 4)
    try bandit.setRewards([0.9, 0.5, 0.1, 0.3], state: 0)
    try bandit.setRewards([0.2, 0.8, 0.4, 0.6], state: 1)
    var config = GRPOConfig()
    config.filter = false
    return (policy, bandit, config)
  }

  @Test("schedules: Entrocraft's vectors at t = 50, T = 200 (literature §2), clamped after N, offset by start")
  func schedules() {
    // Tolerance 1e-12: a few roundings of O(1) values.
    let lbLinear = ControlSchedule(parameter: 0, shape: .linear, from: 0.6, to: 0.4, over: 200, start: 0)
    let ubLinear = ControlSchedule(parameter: 0, shape: .linear, from: 0.7, to: 0.5, over: 200, start: 0)
    expectClose(lbLinear.value(atStep: 50), 0.55, tolerance: 1e-12)
    expectClose(ubLinear.value(atStep: 50), 0.65, tolerance: 1e-12)
    let lbCos = ControlSchedule(parameter: 0, shape: .cos, from: 0.6, to: 0.4, over: 200, start: 0)
    let ubCos = ControlSchedule(parameter: 0, shape: .cos, from: 0.7, to: 0.5, over: 200, start: 0)
    expectClose(lbCos.value(atStep: 50), 0.5707106781, tolerance: 1e-10)
    expectClose(ubCos.value(atStep: 50), 0.6707106781, tolerance: 1e-10)
    #expect(lbCos.value(atStep: 0) == 0.6 && lbCos.value(atStep: 200) == 0.4 && lbCos.value(atStep: 900) == 0.4)
    let late = ControlSchedule(parameter: 0, shape: .linear, from: 1, to: 0, over: 10, start: 5)
    #expect(late.value(atStep: 3) == 1 && late.value(atStep: 10) == 0.5 && late.value(atStep: 15) == 0)
  }

  @Test("activity: counts add across loss calls, levels keep the last value; order follows the measures")
  func activityMerge() {
    var a = ControlActivity()
    a.count("clipped", 2)
    a.level("lambda", 0.5)
    var b = ControlActivity()
    b.count("clipped", 3)
    b.level("lambda", 0.25)
    a.merge(b)
    #expect(a.count("clipped") == 5 && a["lambda"] == 0.25)
    let measures = [
      ActivityMeasure(key: "lambda", heading: "λ", summary: "", kind: .level),
      ActivityMeasure(key: "candidates", heading: "c", summary: ""),
      ActivityMeasure(key: "clipped", heading: "c", summary: ""),
    ]
    let ordered = a.ordered(by: measures)
    #expect(ordered.keys == ["lambda", "candidates", "clipped"])
    #expect(ordered.values == [0.25, 0, 5])
  }

  @Test("a step reports each control's activity under its own keys, and none without controls")
  func activityByName() throws {
    let (policy, bandit, config) = try Self.setup()
    var g = SplitMix64(seed: 3)
    let plain = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [], learningRate: 0.5, using: &g)
    #expect(plain.counts.activity.keys.isEmpty)
    g = SplitMix64(seed: 3)
    let clip = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [ClipCov(values: [0.2, -10, 10])], learningRate: 0.5,
      using: &g)
    #expect(clip.counts.activity.keys == ["candidates", "clipped"])
    // The count equals the tokens the control marked as chosen.
    #expect(clip.counts.activity.count("clipped") == clip.tokens.filter { $0.chosenBy == ["clipcov"] }.count)
    #expect(clip.counts.activity.count("clipped") == 3)  // max(⌊0.2·16⌋, 1)
  }

  @Test("beginStep masks arms for the step: never sampled, logits unchanged, π renormalised over the rest")
  func masking() throws {
    let (policy, bandit, config) = try Self.setup()
    var g = SplitMix64(seed: 5)
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [MaskArmOne(values: [])], learningRate: 0.5,
      using: &g)
    #expect(step.tokens.allSatisfy { $0.token.arm != 1 })
    #expect(step.delta[1] == 0 && step.delta[5] == 0)
    #expect(step.delta.contains { $0 != 0 })
    #expect(step.counts.activity.count("test_masked") == 2)
    // The old log-probs are those of the masked softmax: log π(a) over the
    // arms {0, 2, 3} only. Tolerance 1e-12: one log-sum-exp.
    for t in step.tokens where t.token.state == 0 {
      let z = [1.0, -1, 0.5]
      let lse = log(z.map { exp($0) }.reduce(0, +))
      let index = [0: 0, 2: 1, 3: 2][t.token.arm] ?? 0
      expectClose(t.token.oldLogProb, z[index] - lse, tolerance: 1e-12)
    }
  }

  @Test("prepare sees the rollout's entropy H_t; memory is carried out of the step")
  func memoryAndEntropy() throws {
    let (policy, bandit, config) = try Self.setup()
    var g = SplitMix64(seed: 7)
    var counter = StepCounter(values: [])
    counter.memory = [4]
    let step = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [counter], learningRate: 0.5, using: &g)
    #expect(step.memory["test-counter"] == [5])
    #expect(step.counts.activity["test_seen"] == 5)
    // G = 8 responses of each of the two states, filter off: H_t is the
    // mean of the two states' entropies. Tolerance 1e-12.
    expectClose(
      step.counts.activity["test_h"] ?? .nan, (policy.entropy(state: 0) + policy.entropy(state: 1)) / 2,
      tolerance: 1e-12)
  }

  @Test("settings: schedules apply per step and end when the parameter is set; memory clears on a switch")
  func settings() {
    var s = ControlSettings()
    s.set("klcov", on: true)
    s.setSchedule(ControlSchedule(parameter: 1, shape: .linear, from: 1, to: 0, over: 4, start: 2), control: "klcov")
    #expect(s.values(of: "klcov", atStep: 4) == [2e-3, 0.5])
    #expect(s.scheduledLevels(atStep: 3)["klcov.coef"] == 0.75)
    s.remember(["klcov": [1, 2]])
    #expect(s.memory["klcov"] == [1, 2])
    s.setValue(0.3, control: "klcov", parameter: 1)
    #expect(s.schedules["klcov"] == nil && s.values(of: "klcov", atStep: 4) == [2e-3, 0.3])
    #expect(s.memory["klcov"] == nil)
  }

  @Test("registration refuses malformed, taken or reserved names, bad defaults and clashing activity keys")
  func registrationErrors() {
    func reason(_ type: any EntropyControl.Type) -> String? {
      do throws(CoreError) {
        try EntropyControls.register(type)
        return nil
      } catch {
        if case .invalidControl(_, let why) = error { return why }
        return "\(error)"
      }
    }
    #expect(reason(BadName.self) == "the name must be lowercase letters, digits and '-', starting with a letter")
    #expect(reason(TakenName.self) == "another control is called 'clipcov'")
    #expect(reason(ReservedParameter.self) == "parameter 'schedule' is a word of the control command")
    #expect(reason(BadDefault.self) == "parameter 'x' does not allow its own default")
    #expect(reason(ClashingKey.self) == "activity key 'clipped' is another control's")
    #expect(!EntropyControls.all.contains { $0.name.hasPrefix("test-") || $0.name == "Bad Name" })
  }
}
