import EntropyCore

/// The settings of the reference trainers' knobs (issue 14): response
/// length and reward, loss aggregation, minibatch formation, micro-batches,
/// refill, the optimiser, the gradient clip and dual-clip.
enum TrainerSettings {
  static let all: [Setting] = [
    Setting(
      key: "length", summary: "tokens per response: T, or T1..T2 drawn uniformly per response",
      expected: "a whole number T from 1 to 1000, or a range T1..T2 with 1 ≤ T1 ≤ T2 ≤ 1000",
      parse: { word in
        let parts = word.components(separatedBy: "..")
        let bounds = parts.map { ArgumentReader.parseWholeNumber($0) }
        guard parts.count <= 2, let lo = bounds.first ?? nil, let hi = bounds.last ?? nil, lo >= 1, hi <= 1000,
          lo <= hi
        else { return nil }
        return lo == hi ? .integer(lo) : .word("\(lo)..\(hi)")
      },
      read: { state in
        let r = state.grpo.response
        return r.minLength == r.maxLength ? .integer(r.minLength) : .word("\(r.minLength)..\(r.maxLength)")
      },
      write: { state, value in
        let reward = state.grpo.response.reward
        if let t = value.int {
          state.grpo.response = ResponseModel(minLength: t, maxLength: t, reward: reward)
        } else if let range = value.string {
          let parts = range.components(separatedBy: "..").compactMap { Int($0) }
          if parts.count == 2 {
            state.grpo.response = ResponseModel(minLength: parts[0], maxLength: parts[1], reward: reward)
          }
        }
      }),
    word(
      "reward", "how a response is scored (mean: P = mean μ; all: P = Π μ)", ResponseReward.allCases.map(\.rawValue),
      read: { $0.grpo.response.reward.rawValue },
      write: { state, w in state.grpo.response.reward = ResponseReward(rawValue: w) ?? state.grpo.response.reward }),
    word(
      "aggregation", "verl's loss_agg_mode", LossAggregation.allCases.map(\.rawValue),
      read: { $0.grpo.aggregation.rawValue },
      write: { state, w in state.grpo.aggregation = LossAggregation(rawValue: w) ?? state.grpo.aggregation }),
    word(
      "groups", "keep each state's group in one minibatch, or split it", ["keep", "split"],
      read: { $0.grpo.keepGroups ? "keep" : "split" }, write: { state, w in state.grpo.keepGroups = w == "keep" }),
    word(
      "order", "how minibatches are ordered", MinibatchOrder.allCases.map(\.rawValue),
      read: { $0.grpo.order.rawValue },
      write: { state, w in state.grpo.order = MinibatchOrder(rawValue: w) ?? state.grpo.order }),
    Setting(
      key: "microbatches", summary: "m, loss calls per minibatch", expected: "a whole number from 1 to 100000",
      parse: SettingParse.integer(1...100_000), read: { .integer($0.grpo.microbatches) },
      write: { state, value in if let m = value.int { state.grpo.microbatches = m } }),
    Setting(
      key: "refill", summary: "with the filter on, draw more groups until the batch is full (DAPO)",
      expected: "on|off|true|false", parse: SettingParse.flag, read: { .flag($0.grpo.refill) },
      write: { state, value in if let b = value.bool { state.grpo.refill = b } }),
    Setting(
      key: "refill.cap", summary: "the most rollout passes a refill makes", expected: "a whole number from 1 to 10000",
      parse: SettingParse.integer(1...10_000), read: { .integer($0.grpo.refillCap) },
      write: { state, value in if let n = value.int { state.grpo.refillCap = n } }),
    word(
      "optimizer", "the optimiser of the logits (adamw keeps its parameters, else PyTorch's defaults)",
      ["sgd", "adamw"],
      read: { state in
        if case .adamw = state.grpo.optimizer { return "adamw" }
        return "sgd"
      },
      write: { state, w in
        if w == "sgd" {
          state.grpo.optimizer = .sgd
        } else if case .sgd = state.grpo.optimizer {
          state.grpo.optimizer = .adamwDefaults
        }
      }),
    adam("beta1", "AdamW's β1", "in [0, 1)", { $0 >= 0 && $0 < 1 }, index: 0),
    adam("beta2", "AdamW's β2", "in [0, 1)", { $0 >= 0 && $0 < 1 }, index: 1),
    adam("eps", "AdamW's ε", "> 0", { $0 > 0 }, index: 2),
    adam("decay", "AdamW's weight decay", "≥ 0", { $0 >= 0 }, index: 3),
    optionalNumber(
      "gradclip", "the global gradient-norm clip c, or off", "> 0", { $0 > 0 },
      read: { $0.grpo.gradientClip }, write: { state, c in state.grpo.gradientClip = c }),
    optionalNumber(
      "dualclip", "verl's dual-clip constant c, or off", "> 1", { $0 > 1 },
      read: { $0.grpo.dualClip }, write: { state, c in state.grpo.dualClip = c }),
  ]

  /// A setting that takes one of `words`.
  static func word(
    _ key: String, _ summary: String, _ words: [String], read: @escaping @Sendable (LabState) -> String,
    write: @escaping @Sendable (inout LabState, String) -> Void
  ) -> Setting {
    Setting(
      key: key, summary: summary, expected: words.joined(separator: "|"), parse: SettingParse.word(words),
      read: { .word(read($0)) }, write: { state, value in if let w = value.string { write(&state, w) } })
  }

  /// `optimizer.NAME`: one AdamW parameter (setting it makes the optimiser
  /// AdamW); no value while the optimiser is SGD.
  static func adam(
    _ name: String, _ summary: String, _ allowed: String, _ valid: @escaping @Sendable (Double) -> Bool, index: Int
  ) -> Setting {
    Setting(
      key: "optimizer." + name, summary: summary + " (setting it makes the optimiser AdamW)",
      expected: "a number " + allowed, parse: SettingParse.number(valid),
      read: { state in
        guard case .adamw(let b1, let b2, let eps, let wd) = state.grpo.optimizer else { return .absent }
        return .number([b1, b2, eps, wd][index])
      },
      write: { state, value in
        guard let x = value.double else { return }
        let current = state.grpo.optimizer == .sgd ? OptimizerKind.adamwDefaults : state.grpo.optimizer
        guard case .adamw(let b1, let b2, let eps, let wd) = current else { return }
        var p = [b1, b2, eps, wd]
        p[index] = x
        state.grpo.optimizer = .adamw(beta1: p[0], beta2: p[1], eps: p[2], decay: p[3])
      })
  }

  /// A number that may be `off`.
  static func optionalNumber(
    _ key: String, _ summary: String, _ allowed: String, _ valid: @escaping @Sendable (Double) -> Bool,
    read: @escaping @Sendable (LabState) -> Double?, write: @escaping @Sendable (inout LabState, Double?) -> Void
  ) -> Setting {
    Setting(
      key: key, summary: summary, expected: "a number \(allowed), or off",
      parse: { word in
        if word == "off" { return .word("off") }
        return SettingParse.number(valid)(word)
      },
      read: { state in read(state).map(SettingValue.number) ?? .word("off") },
      write: { state, value in
        if let x = value.double { write(&state, x) } else { write(&state, nil) }
      })
  }
}
