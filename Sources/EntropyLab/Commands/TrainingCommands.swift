import EntropyCore
import Foundation

/// Sampled GRPO settings (the controls' commands are `ControlCommands`).
enum TrainingCommands {
  static let all: [Command] = [group, noise, filter, minibatches, epochs, clip]

  /// One line describing the sampled-step settings.
  static func describe(_ c: GRPOConfig, _ controls: ControlSettings) -> String {
    let noiseText: String
    switch c.noise {
    case .bernoulli: noiseText = "Bernoulli rewards"
    case .gaussian(let s): noiseText = "Gaussian rewards σ = \(NumberStyle.setting.format(s))"
    case .none: noiseText = "noiseless rewards"
    }
    let on = controls.enabled.isEmpty ? "no controls" : "controls: " + controls.enabled.joined(separator: ", ")
    let knobs = TrainerKnobCommands.describe(c)
    return "G = \(c.groupSize), \(noiseText), filter \(c.filter ? "on" : "off"), M = \(c.minibatches), "
      + "E = \(c.epochs), clip ε = \(NumberStyle.setting.format(c.clipLow))/\(NumberStyle.setting.format(c.clipHigh)), "
      + on + (knobs.isEmpty ? "" : "; " + knobs)
  }

  static let group = Command(
    name: "group", usage: "group G",
    summary: "Samples per state in a GRPO step (responses per prompt; default 8).",
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      let g = try args.integer("the group size G", in: 1...100_000)
      try args.expectEnd()
      state.grpo.groupSize = g
      var reports: [Report] = [SettingsRegistry.report("group: G = \(g)", keys: ["group"], state)]
      if g == 1 && state.grpo.filter {
        reports.append(.warning("with G = 1 every group has equal rewards, so the filter drops them all"))
      }
      return reports
    })

  static let noise = Command(
    name: "noise", usage: "noise bernoulli|gaussian σ|none",
    summary: "How sampled rewards are drawn from the mean rewards (default bernoulli: 0/1 with P(1) = μ).",
    subwords: ["bernoulli", "gaussian", "none"],
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      let kind = try args.choice("a noise model", ["bernoulli", "gaussian", "none"])
      switch kind {
      case "bernoulli": state.grpo.noise = .bernoulli
      case "gaussian": state.grpo.noise = .gaussian(try args.nonNegativeNumber("the noise σ"))
      default: state.grpo.noise = .none
      }
      try args.expectEnd()
      if case .gaussian(let sigma) = state.grpo.noise {
        return [
          SettingsRegistry.report(
            "noise: gaussian σ = \(NumberStyle.setting.format(sigma))", keys: ["noise", "noise.sigma"], state)
        ]
      }
      return [SettingsRegistry.report("noise: " + kind, keys: ["noise"], state)]
    })

  static let filter = Command(
    name: "filter", usage: "filter on|off [refill [cap n]]",
    summary: "Drop groups whose rewards are all equal (all right or all wrong), as DAPO does (default on).",
    details: [
      "refill: keep drawing groups (further passes over the states, in order) until S groups are kept,",
      "at most n passes (default 10, DAPO's max_num_gen_batches), then keep the first S; as DAPO's trainer.",
      "Without refill (the default) the batch shrinks to the groups kept.",
    ],
    subwords: ["on", "off", "refill", "cap"],
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      let on = try args.toggle()
      var refill = false
      var cap = state.grpo.refillCap
      if args.consume("refill") {
        guard on else { throw args.error("needs the filter on (expected 'filter on refill [cap n]')", word: "refill") }
        refill = true
        if args.consume("cap") { cap = try args.integer("the most rollout passes n", in: 1...10_000) }
      }
      try args.expectEnd()
      state.grpo.filter = on
      state.grpo.refill = refill
      state.grpo.refillCap = cap
      return [
        SettingsRegistry.report(
          "filter: \(on ? "on" : "off")" + (refill ? ", refill up to \(cap) passes" : ""),
          keys: ["filter", "refill", "refill.cap"], state)
      ]
    })

  static let minibatches = Command(
    name: "minibatches", usage: "minibatches M [groups keep|split] [order fixed|shuffle|reshuffle]",
    summary: "Split each rollout into M minibatches, one update each (default 1: strictly on-policy).",
    details: [
      "The paper's runs use 8 updates per rollout step; from the 2nd update on the policy is off-policy.",
      "groups keep: each state's group stays in one minibatch (verl); split (default): responses are spread.",
      "order fixed: rollout order, the same split every epoch (verl); shuffle: one random order per rollout;",
      "reshuffle (default): a new order every epoch (none when M = E = 1). A response's tokens stay together.",
    ],
    subwords: ["groups", "keep", "split", "order", "fixed", "shuffle", "reshuffle"],
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      let m = try args.integer("the number of minibatches M", in: 1...100_000)
      var keep = state.grpo.keepGroups
      var order = state.grpo.order
      while !args.isAtEnd {
        let word = try args.choice("groups or order", ["groups", "order"])
        if word == "groups" {
          keep = try args.choice("keep or split", ["keep", "split"]) == "keep"
        } else {
          order =
            MinibatchOrder(rawValue: try args.choice("an order", MinibatchOrder.allCases.map(\.rawValue))) ?? order
        }
      }
      state.grpo.minibatches = m
      state.grpo.keepGroups = keep
      state.grpo.order = order
      var text = "minibatches: M = \(m)"
      if keep || order != .reshuffle { text += ", groups \(keep ? "keep" : "split"), order \(order.rawValue)" }
      return [SettingsRegistry.report(text, keys: ["minibatches", "groups", "order"], state)]
    })

  static let epochs = Command(
    name: "epochs", usage: "epochs E",
    summary: "Passes over each rollout (default 1).",
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      state.grpo.epochs = try args.integer("the number of epochs E", in: 1...1000)
      try args.expectEnd()
      return [SettingsRegistry.report("epochs: E = \(state.grpo.epochs)", keys: ["epochs"], state)]
    })

  /// The reference scripts' PPO clip ranges, by name: the standard one,
  /// then each control's (`EntropyControl.clipPreset`).
  static let clipPresets: [(name: String, low: Double, high: Double, source: String)] =
    [("standard", 0.2, 0.2, "GRPO/PPO default, verl and PRIME-RL yaml")]
    + EntropyControls.all.compactMap { type in type.clipPreset.map { (type.name, $0.low, $0.high, $0.source) } }

  static let clip = Command(
    name: "clip", usage: "clip ε | clip ε_low ε_high | clip " + clipPresets.map(\.name).joined(separator: "|"),
    summary: "The PPO clip range of the ratio π_θ/π_old (default 0.2/0.2), or a reference script's preset.",
    details: clipPresets.map {
      "\($0.name): \(NumberStyle.setting.format($0.low))/\(NumberStyle.setting.format($0.high)) (\($0.source))"
    },
    subwords: clipPresets.map(\.name),
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      let low: Double
      let high: Double
      if let word = args.peek, let preset = clipPresets.first(where: { $0.name == word }) {
        _ = args.consume(word)
        low = preset.low
        high = preset.high
      } else {
        low = try args.positiveNumber("ε (or ε_low)")
        high = args.isAtEnd ? low : try args.positiveNumber("ε_high")
      }
      try args.expectEnd()
      state.grpo.clipLow = low
      state.grpo.clipHigh = high
      return [
        SettingsRegistry.report(
          "clip: ε_low = \(NumberStyle.setting.format(low)), ε_high = \(NumberStyle.setting.format(high))",
          keys: ["clip.low", "clip.high"], state)
      ]
    })
}
