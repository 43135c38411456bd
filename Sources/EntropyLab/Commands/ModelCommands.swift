import EntropyCore

/// `update`, `lr` and `seed`: how the next steps are taken.
enum ModelCommands {
  static let all: [Command] = [update, learningRate, seed]

  static let update = Command(
    name: "update",
    usage: "update pg|npg|grpo",
    summary: "Choose the update: exact policy gradient, exact natural policy gradient, or sampled GRPO.",
    details: [
      "pg    Δz = η·π ⊙ (A − E_π A)   (Prop. 1); Thm. 1: ΔH ≈ −η·Cov(log π, π·A)",
      "npg   Δz = η·(A − E_π A)       (Thm. 2):           ΔH ≈ −η·Cov(log π, A)",
      "grpo  sample G arms per state, GRPO advantages, PPO surrogate on minibatches, SGD on the logits;",
      "      the entropy controls ('control' lists them) act on these steps",
      "",
      "pg and npg are applied per state with no state-visitation weight, as the paper states them.",
    ],
    subwords: StepRule.allCases.map(\.rawValue),
    group: "Updates",
    handler: .state { state, args, _ throws(LabError) in
      let word = try args.choice("an update rule", StepRule.allCases.map(\.rawValue))
      try args.expectEnd()
      guard let rule = StepRule(rawValue: word) else { throw args.error("is not an update rule", word: word) }
      state.rule = rule
      switch rule {
      case .pg: return [SettingsRegistry.report("update: pg, Δz = η·π ⊙ (A − E_π A)", keys: ["update"], state)]
      case .npg: return [SettingsRegistry.report("update: npg, Δz = η·(A − E_π A)", keys: ["update"], state)]
      case .grpo:
        return [
          SettingsRegistry.report(
            "update: grpo, sampled: " + TrainingCommands.describe(state.grpo, state.controls), keys: ["update"], state)
        ]
      }
    })

  static let learningRate = Command(
    name: "lr",
    usage: "lr η",
    summary: "Set the learning rate η (a positive number).",
    group: "Updates",
    handler: .state { state, args, _ throws(LabError) in
      let eta = try args.positiveNumber("the learning rate η")
      try args.expectEnd()
      state.learningRate = eta
      return [SettingsRegistry.report("lr: η = \(NumberStyle.setting.format(eta))", keys: ["lr"], state)]
    })

  static let seed = Command(
    name: "seed",
    usage: "seed n",
    summary: "Reseed the session's random generator (SplitMix64) with a whole number n ≥ 0.",
    group: "Updates",
    handler: .state { state, args, _ throws(LabError) in
      let n = try args.unsigned("a seed")
      try args.expectEnd()
      state.seed = n
      state.generator = SplitMix64(seed: n)
      return [SettingsRegistry.report("seed: \(n)", keys: ["seed"], state)]
    })
}
