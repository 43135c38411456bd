import EntropyCore

/// The settings of the session itself (the update, η, the seed, the
/// advantages and the sampled-GRPO settings), in the order `status` lists
/// them. The controls' settings are generated in `ControlSettingKeys`.
enum SessionSettings {
  static let all: [Setting] = [
    Setting(
      key: "update", summary: "the update rule", expected: StepRule.allCases.map(\.rawValue).joined(separator: "|"),
      parse: SettingParse.word(StepRule.allCases.map(\.rawValue)), read: { .word($0.rule.rawValue) },
      write: { state, value in
        if let rule = value.string.flatMap(StepRule.init(rawValue:)) { state.rule = rule }
      }),
    Setting(
      key: "lr", summary: "the learning rate η", expected: "a number > 0",
      parse: SettingParse.number { $0 > 0 }, read: { .number($0.learningRate) },
      write: { state, value in if let x = value.double { state.learningRate = x } }),
    Setting(
      key: "seed", summary: "the seed of the session's random generator (setting it reseeds the generator)",
      expected: "a whole number from 0 to \(UInt64.max)",
      parse: { UInt64($0).map(SettingValue.seed) }, read: { .seed($0.seed) },
      write: { state, value in
        if case .seed(let n) = value {
          state.seed = n
          state.generator = SplitMix64(seed: n)
        }
      }),
    Setting(
      key: "adv", summary: "where advantages come from: exact (A = μ − V) or manual (typed with 'adv v1 … vK')",
      expected: "exact (hand-set advantages are typed with 'adv v1 … vK')",
      parse: SettingParse.word(["exact"]),
      read: { state in
        if case .manual = state.advantages { return .word("manual") }
        return .word("exact")
      },
      write: { state, _ in state.advantages = .exact }),
    Setting(
      key: "group", summary: "G, samples per state in a GRPO step", expected: "a whole number from 1 to 100000",
      parse: SettingParse.integer(1...100_000), read: { .integer($0.grpo.groupSize) },
      write: { state, value in if let g = value.int { state.grpo.groupSize = g } }),
    Setting(
      key: "noise", summary: "how sampled rewards are drawn (gaussian keeps noise.sigma, else σ = 1)",
      expected: "bernoulli|gaussian|none",
      parse: SettingParse.word(["bernoulli", "gaussian", "none"]),
      read: { state in
        switch state.grpo.noise {
        case .bernoulli: return .word("bernoulli")
        case .gaussian: return .word("gaussian")
        case .none: return .word("none")
        }
      },
      write: { state, value in
        switch value.string {
        case "bernoulli": state.grpo.noise = .bernoulli
        case "none": state.grpo.noise = .none
        default:
          if case .gaussian = state.grpo.noise { return }
          state.grpo.noise = .gaussian(1)
        }
      }),
    Setting(
      key: "noise.sigma", summary: "σ of Gaussian reward noise (setting it makes the noise Gaussian)",
      expected: "a number ≥ 0",
      parse: SettingParse.number { $0 >= 0 },
      read: { state in
        if case .gaussian(let s) = state.grpo.noise { return .number(s) }
        return .absent
      },
      write: { state, value in if let s = value.double { state.grpo.noise = .gaussian(s) } }),
    Setting(
      key: "filter", summary: "drop groups whose rewards are all equal", expected: "on|off|true|false",
      parse: SettingParse.flag, read: { .flag($0.grpo.filter) },
      write: { state, value in if let b = value.bool { state.grpo.filter = b } }),
    Setting(
      key: "minibatches", summary: "M, minibatches per rollout", expected: "a whole number from 1 to 100000",
      parse: SettingParse.integer(1...100_000), read: { .integer($0.grpo.minibatches) },
      write: { state, value in if let m = value.int { state.grpo.minibatches = m } }),
    Setting(
      key: "epochs", summary: "E, passes over each rollout", expected: "a whole number from 1 to 1000",
      parse: SettingParse.integer(1...1000), read: { .integer($0.grpo.epochs) },
      write: { state, value in if let e = value.int { state.grpo.epochs = e } }),
    Setting(
      key: "clip.low", summary: "the PPO clip ε_low", expected: "a number > 0",
      parse: SettingParse.number { $0 > 0 }, read: { .number($0.grpo.clipLow) },
      write: { state, value in if let x = value.double { state.grpo.clipLow = x } }),
    Setting(
      key: "clip.high", summary: "the PPO clip ε_high", expected: "a number > 0",
      parse: SettingParse.number { $0 > 0 }, read: { .number($0.grpo.clipHigh) },
      write: { state, value in if let x = value.double { state.grpo.clipHigh = x } }),
    Setting(
      key: "clip", summary: "both PPO clip bounds at once (as 'clip ε'); reads as - while they differ",
      expected: "a number > 0", isView: true,
      parse: SettingParse.number { $0 > 0 },
      read: { $0.grpo.clipLow == $0.grpo.clipHigh ? .number($0.grpo.clipLow) : .absent },
      write: { state, value in
        if let x = value.double {
          state.grpo.clipLow = x
          state.grpo.clipHigh = x
        }
      }),
  ]
}
