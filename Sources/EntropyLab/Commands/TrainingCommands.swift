import EntropyCore
import Foundation

/// Sampled GRPO settings and the entropy controls' toggles (generated
/// from `EntropyControls.all`).
enum TrainingCommands {
  static let all: [Command] =
    [group, noise, filter, minibatches, epochs, clip] + EntropyControls.all.map(controlCommand)

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
          "filter: \(on ? "on" : "off")" + (refill ? ", refill up to \(cap) passes" : ""), keys: ["filter"], state)
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
      return [SettingsRegistry.report(text, keys: ["minibatches"], state)]
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

  /// The reference scripts' PPO clip ranges, by name.
  static let clipPresets: [(name: String, low: Double, high: Double, source: String)] = [
    ("standard", 0.2, 0.2, "GRPO/PPO default, verl and PRIME-RL yaml"),
    ("clipcov", 1, 1, "PRIME-RL's and verl's Clip-Cov scripts: ε = 1/1, ratio clamped to [0, 2]"),
    ("cliphigher", 0.2, 0.28, "DAPO clip-higher, PRIME-RL's cliphigher scripts"),
  ]

  static let clip = Command(
    name: "clip", usage: "clip ε | clip ε_low ε_high | clip standard|clipcov|cliphigher",
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

  /// The toggle command of one control: `name on|off [param value]…`.
  static func controlCommand(_ type: any EntropyControl.Type) -> Command {
    let params = type.parameters
    let usage = type.name + " on|off" + params.map { " [\($0.name) \($0.symbol)]" }.joined()
    let defaults = params.map { "\($0.name) \($0.symbol) = \(NumberStyle.setting.format($0.defaultValue))" }
    let name = type.name
    return Command(
      name: name, usage: usage, summary: type.summary + ".",
      details: [
        "Defaults (paper §4.3): " + defaults.joined(separator: ", ") + ".",
        "Settings may be changed without switching on or off: '\(name) \(params[0].name) …'.",
        "Controls act on sampled steps ('update grpo').",
      ]
        + (name == ClipCov.name
          ? [
            "The reference Clip-Cov scripts (PRIME-RL, verl) run it with PPO ε = 1/1 ('clip clipcov'), to filter only "
              + "extreme tokens; the session's clip (default 0.2/0.2) applies until changed."
          ] : []),
      subwords: ["on", "off"] + params.map(\.name),
      group: "Entropy controls",
      handler: .state { state, args, _ throws(LabError) in
        var turn: Bool?
        if let w = args.peek, ["on", "off", "yes", "no", "true", "false", "1", "0"].contains(w.lowercased()) {
          turn = try args.toggle()
        }
        while !args.isAtEnd {
          let word = try args.next("a setting")
          guard let index = params.firstIndex(where: { $0.name == word }) else {
            let settings = params.map(\.name).joined(separator: ", ")
            // on/off are accepted only as the first word.
            let what = args.position == 1 && turn == nil ? "on, off or a setting" : "a setting"
            throw args.error("is not \(what) of \(name) (settings: \(settings))", word: word)
          }
          let valueWord = args.peek ?? ""
          let value = try args.number("a value for \(word)")
          guard params[index].isValid(value) else {
            throw args.error("is not allowed for \(word): expected \(params[index].allowed)", word: valueWord)
          }
          state.controls.setValue(value, control: name, parameter: index)
        }
        if turn == nil && args.tokens.isEmpty { throw args.error("needs on, off or a setting") }
        if let turn { state.controls.set(name, on: turn) }
        let values = state.controls.values[name] ?? []
        let shown = zip(params, values).map { "\($0.symbol) = \(NumberStyle.setting.format($1))" }
        var reports: [Report] = [
          SettingsRegistry.report(
            "\(name): \(state.controls.isOn(name) ? "on" : "off") (\(shown.joined(separator: ", ")))",
            keys: SettingsRegistry.keys(ofControl: name), state)
        ]
        reports += notes(for: name, state)
        return reports
      })
  }

  /// Things a user should know when a control is set.
  static func notes(for name: String, _ state: LabState) -> [Report] {
    var notes: [Report] = []
    guard state.controls.isOn(name) else { return notes }
    if state.rule != .grpo {
      notes.append(.warning("controls act on sampled steps only; 'update grpo' to use them"))
    }
    if name == KLCov.name && state.grpo.minibatches == 1 && state.grpo.epochs == 1 {
      notes.append(
        .warning(
          "with one minibatch and one epoch every update is on-policy: log π_θ = log π_old, so the penalty "
            + "β·|log π_θ − log π_old| has zero gradient and KL-Cov changes nothing (set 'minibatches' or 'epochs' above 1)"
        ))
    }
    if name == ClipCov.name || name == KLCov.name {
      let tokensPerUpdate = state.policy.states * state.grpo.groupSize / max(1, state.grpo.minibatches)
      let ratio = state.controls.values[name]?.first ?? 0
      if ratio * Double(tokensPerUpdate) < 1 {
        notes.append(
          .warning(
            "ratio \(NumberStyle.setting.format(ratio)) × about \(tokensPerUpdate) tokens per update is below 1, so "
              + "max(⌊ratio·N⌋, 1) touches exactly one token per update"))
      }
    }
    return notes
  }
}
