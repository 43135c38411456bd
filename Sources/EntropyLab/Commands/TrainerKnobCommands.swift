import EntropyCore
import Foundation

/// The reference trainers' knobs (issue 14): response length and reward,
/// loss aggregation, micro-batches, the optimiser, the gradient clip and
/// dual-clip. (`minibatches`, `filter` and `clip` presets live with the
/// other GRPO settings in `TrainingCommands`.)
enum TrainerKnobCommands {
  static let all: [Command] = [length, reward, aggregation, microbatches, optimizer, gradclip, dualclip]

  /// The non-default issue-14 settings, for `update grpo`'s summary line
  /// (empty at the defaults, so that line is unchanged).
  static func describe(_ c: GRPOConfig) -> String {
    var parts: [String] = []
    if !c.response.isSingleToken || c.response.reward != .mean {
      parts.append("\(c.response.lengthText), reward \(c.response.reward.rawValue)")
    }
    if c.aggregation != .tokenMean { parts.append(c.aggregation.rawValue) }
    if c.keepGroups { parts.append("groups keep") }
    if c.order != .reshuffle { parts.append("order \(c.order.rawValue)") }
    if c.microbatches > 1 { parts.append("m = \(c.microbatches) micro-batches") }
    if c.refill { parts.append("refill (cap \(c.refillCap))") }
    if case .adamw = c.optimizer { parts.append(optimizerText(c.optimizer)) }
    if let g = c.gradientClip { parts.append("gradclip \(NumberStyle.setting.format(g))") }
    if let d = c.dualClip { parts.append("dualclip \(NumberStyle.setting.format(d))") }
    return parts.joined(separator: ", ")
  }

  static func optimizerText(_ o: OptimizerKind) -> String {
    switch o {
    case .sgd: return "optimizer sgd"
    case .adamw(let b1, let b2, let eps, let wd):
      let f = NumberStyle.setting.format
      return "optimizer adamw β1 = \(f(b1)), β2 = \(f(b2)), ε = \(f(eps)), decay = \(f(wd))"
    }
  }

  static let length = Command(
    name: "length", usage: "length T | length T1..T2",
    summary: "Tokens per response in a GRPO step: T i.i.d. draws from π(·|s) sharing one reward (default 1).",
    details: [
      "T1..T2: each response's length is drawn uniformly from T1..T2 (before its tokens).",
      "At T = 1 a token is a response (the paper's bandit); the reward model is set with 'reward'.",
    ],
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      let word = try args.next("a length T or a range T1..T2")
      let parts = word.components(separatedBy: "..")
      let bounds = parts.map { ArgumentReader.parseWholeNumber($0) }
      guard parts.count <= 2, let lo = bounds.first ?? nil, let hi = bounds.last ?? nil else {
        throw args.error("is not a length (expected a whole number T or a range T1..T2, e.g. 4 or 2..6)", word: word)
      }
      guard lo >= 1, hi <= 1000, lo <= hi else {
        throw args.error("is out of range (expected 1 ≤ T1 ≤ T2 ≤ 1000)", word: word)
      }
      try args.expectEnd()
      state.grpo.response = ResponseModel(minLength: lo, maxLength: hi, reward: state.grpo.response.reward)
      return [.message("length: \(state.grpo.response.lengthText) tokens per response")]
    })

  static let reward = Command(
    name: "reward", usage: "reward [mean|all]",
    summary: "How a T-token response is scored: mean (P = mean μ, default) or all (P = Π μ); alone: exact R and A.",
    details: [
      "mean: P(r = 1) = (1/T)·Σ_t μ(s, a_t); E[r] = V_s for every T; token advantage (μ(s, a) − V_s)/T.",
      "all:  P(r = 1) = Π_t μ(s, a_t);      E[r] = V_s^T;             token advantage V_s^(T−1)·(μ(s, a) − V_s).",
      "V_s = Σ_a π(a|s)·μ(s, a). With T1..T2, E[r] is the mean over T. 'reward' alone prints them, exactly.",
    ],
    subwords: ResponseReward.allCases.map(\.rawValue),
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      if args.isAtEnd { return exactReport(state) }
      let word = try args.choice("a reward model", ResponseReward.allCases.map(\.rawValue))
      try args.expectEnd()
      state.grpo.response.reward = ResponseReward(rawValue: word) ?? .mean
      return [.message("reward: \(word) (\(state.grpo.response.lengthText))")]
    })

  /// The exact expected reward and token advantages of the response model.
  static func exactReport(_ state: LabState) -> [Report] {
    let model = state.grpo.response
    let r = model.expectedReward(policy: state.policy, bandit: state.bandit)
    var reports: [Report] = [
      .message(
        "reward \(model.reward.rawValue), \(model.lengthText): exact expected reward E[r] = "
          + NumberStyle.setting.format(r))
    ]
    let lengths = model.minLength == model.maxLength ? [model.minLength] : [model.minLength, model.maxLength]
    let k = state.policy.arms
    let shown = min(state.policy.states, DynamicsCommands.showAllUpTo)
    for t in lengths {
      let a = model.tokenAdvantages(policy: state.policy, bandit: state.bandit, length: t)
      var table = Table(
        columns: [.init("state", key: "state")] + (0..<min(k, 8)).map { .init("A arm \($0)", key: "arm_\($0)") },
        jsonPrefix: [("kind", .string("exact_token_advantage")), ("length", .int(t))])
      for s in 0..<shown {
        table.rows.append([.int(s)] + (0..<min(k, 8)).map { .number(a[s * k + $0], .fixed(4)) })
      }
      reports.append(.message("exact token advantages E[r | a_t = a] − E[r] at T = \(t):"))
      reports.append(.table(table))
    }
    return reports
  }

  static let aggregation = Command(
    name: "aggregation", usage: "aggregation token-mean|seq-mean-token-mean|seq-mean-token-sum|token-sum",
    summary: "How a loss call's token terms become one loss: verl's loss_agg_mode (default token-mean).",
    details: [
      "token-mean: Σ ℓ / N_tokens;  seq-mean-token-mean: (1/N_seq)·Σ_i Σ_t ℓ / (T_i + 1e-8);",
      "seq-mean-token-sum: (1/N_seq)·Σ_i Σ_t ℓ;  token-sum: Σ ℓ. Zeroed (clipped, detached) tokens stay counted.",
      "Per loss call (micro-batch), as verl's agg_loss without a global token count.",
    ],
    subwords: LossAggregation.allCases.map(\.rawValue),
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      let word = try args.choice("a loss aggregation mode", LossAggregation.allCases.map(\.rawValue))
      try args.expectEnd()
      state.grpo.aggregation = LossAggregation(rawValue: word) ?? .tokenMean
      return [.message("aggregation: \(word)")]
    })

  static let microbatches = Command(
    name: "microbatches", usage: "microbatches m",
    summary: "Split each minibatch into m loss calls whose gradients are summed into one update (default 1).",
    details: [
      "Each call centres the covariance and runs Clip-Cov/KL-Cov selection on its own tokens, as verl's",
      "dp_actor does, so max(⌊r·N⌋, 1) fires once per micro-batch; each call's loss is scaled by its share",
      "of the minibatch's responses. Responses are cut in order.",
    ],
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      state.grpo.microbatches = try args.integer("the number of micro-batches m", in: 1...100_000)
      try args.expectEnd()
      return [.message("microbatches: m = \(state.grpo.microbatches)")]
    })

  static let optimizer = Command(
    name: "optimizer", usage: "optimizer sgd | optimizer adamw [beta1 b1] [beta2 b2] [eps e] [decay w]",
    summary: "The optimiser of the logits: sgd (default, Δz = −η·g) or PyTorch's AdamW (the reference's).",
    details: [
      "AdamW defaults: β1 = 0.9, β2 = 0.999, ε = 1e-8, decay = 0.01 (verl's actor; PRIME-RL's scripts use 0).",
      "Its moments persist across steps and are cleared with the trajectory. Every logit moves, not only the",
      "sampled states'. The step's first/second order and path integral use the Δz actually applied.",
    ],
    subwords: ["sgd", "adamw", "beta1", "beta2", "eps", "decay"],
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      let kind = try args.choice("an optimizer", ["sgd", "adamw"])
      if kind == "sgd" {
        try args.expectEnd()
        state.grpo.optimizer = .sgd
        return [.message(optimizerText(.sgd))]
      }
      guard case .adamw(var b1, var b2, var eps, var wd) = OptimizerKind.adamwDefaults else { return [] }
      while !args.isAtEnd {
        let word = try args.choice("an AdamW setting", ["beta1", "beta2", "eps", "decay"])
        let valueWord = args.peek ?? ""
        let value = try args.number("a value for \(word)")
        switch word {
        case "beta1", "beta2":
          guard value >= 0 && value < 1 else {
            throw args.error("is not allowed for \(word): expected in [0, 1)", word: valueWord)
          }
          if word == "beta1" { b1 = value } else { b2 = value }
        case "eps":
          guard value > 0 else { throw args.error("is not allowed for eps: expected a number > 0", word: valueWord) }
          eps = value
        default:
          guard value >= 0 else { throw args.error("is not allowed for decay: expected a number ≥ 0", word: valueWord) }
          wd = value
        }
      }
      state.grpo.optimizer = .adamw(beta1: b1, beta2: b2, eps: eps, decay: wd)
      var reports: [Report] = [.message(optimizerText(state.grpo.optimizer))]
      if state.rule != .grpo {
        reports.append(.warning("the optimizer acts on sampled steps only; 'update grpo' to use it"))
      }
      return reports
    })

  static let gradclip = Command(
    name: "gradclip", usage: "gradclip c|off",
    summary: "Clip the update's gradient to global norm c before the optimiser (default off; the reference: 1).",
    details: ["As torch.nn.utils.clip_grad_norm_: every entry × min(c / (‖g‖ + 1e-6), 1)."],
    subwords: ["off"],
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      if args.consume("off") {
        try args.expectEnd()
        state.grpo.gradientClip = nil
        return [.message("gradclip: off")]
      }
      let c = try args.positiveNumber("the maximum gradient norm c (or off)")
      try args.expectEnd()
      state.grpo.gradientClip = c
      return [.message("gradclip: global norm ≤ \(NumberStyle.setting.format(c))")]
    })

  static let dualclip = Command(
    name: "dualclip", usage: "dualclip c|off",
    summary: "verl's dual-clip: a token with A < 0 and max(L1, L2) > −A·c takes −A·c (no gradient); default off.",
    details: [
      "verl's default clip_ratio_c is 3 (its recipes pass 10); c must exceed 1.",
      "As in verl, Clip-Cov and KL-Cov have no dual-clip: it is skipped while either is on.",
    ],
    subwords: ["off"],
    group: "Sampled GRPO",
    handler: .state { state, args, _ throws(LabError) in
      if args.consume("off") {
        try args.expectEnd()
        state.grpo.dualClip = nil
        return [.message("dualclip: off")]
      }
      let word = args.peek ?? ""
      let c = try args.number("the dual-clip constant c > 1 (or off)")
      guard c > 1 else {
        throw args.error("must be greater than 1 (expected the dual-clip constant c > 1, or off)", word: word)
      }
      try args.expectEnd()
      state.grpo.dualClip = c
      return [.message("dualclip: c = \(NumberStyle.setting.format(c))")]
    })
}
