import EntropyCore
import Foundation

/// `policy`, `rewards` and `adv`: setting the model by hand.
enum PolicyCommands {
  static let all: [Command] = [policy, rewards, advantages]

  static let policy = Command(
    name: "policy",
    usage: "policy arms|logits|probs|random …",
    summary: "Set the softmax policy: its size, its logits, its probabilities, or random logits.",
    details: [
      "policy arms K [states S]      reset to S states (default 1) × K arms, all logits 0 (uniform);",
      "                              rewards, advantages and the trajectory are reset too",
      "policy logits v1 … vK [state s]  set the logits of state s (default: every state); -inf means π = 0",
      "policy probs p1 … pK [state s]   set from probabilities, normalised to sum 1; p = 0 gives logit -inf",
      "policy random [scale σ]       logits drawn from N(0, σ²) (default σ = 1) with the session generator",
      "",
      "States and arms are numbered from 0. Adding a constant to a state's logits changes nothing.",
    ],
    subwords: ["arms", "states", "logits", "probs", "random", "scale", "state"],
    group: "Policy and rewards",
    changesInPlace: true,
    completer: { typed in
      guard let mode = typed.first else { return .words(["arms", "logits", "probs", "random"]) }
      let rest = typed.dropFirst()
      switch mode {
      // policy arms K [states S]
      case "arms": return .words(rest.count == 1 ? ["states"] : [])
      // policy logits|probs v1 … vK [state s]: 'state' once some values are typed
      case "logits", "probs": return .words(!rest.isEmpty && !rest.contains("state") ? ["state"] : [])
      // policy random [scale σ]
      case "random": return .words(rest.isEmpty ? ["scale"] : [])
      default: return .words([])
      }
    },
    handler: .state { state, args, context throws(LabError) in
      let mode = try args.choice("arms, logits, probs or random", ["arms", "logits", "probs", "random"])
      args.usage = forms[mode] ?? args.usage
      args.command = "policy \(mode)"
      switch mode {
      case "arms":
        // The typed values as Doubles too, so a size beyond Int is refused
        // with its true figure rather than a capped one.
        let kWord = args.peek ?? ""
        let k = try args.integer("the number of arms K", in: 1...Int.max)
        var s = 1
        var sWord = "1"
        if args.consume("states") {
          sWord = args.peek ?? ""
          s = try args.integer("the number of states S", in: 1...Int.max)
        }
        try args.expectEnd()
        let needed =
          (Double(sWord) ?? Double(s)) * (Double(kWord) ?? Double(k)) * 8 * Double(MemoryBudget.arraysPerSession)
        // Besides what the session holds: checkpoints, cells, and the old
        // state until the new one replaces it.
        do throws(CoreError) {
          try MemoryBudget.check(bytes: needed, held: context.heldBytes + state.heldBytes)
        } catch {
          throw LabError(error, command: args.command, expected: args.usage)
        }
        do throws(CoreError) { try state.resize(states: s, arms: k) } catch {
          throw LabError(error, command: args.command, expected: args.usage)
        }
        return [
          .message(
            // All logits 0: Σe = K and Σe·(z − m) = 0 exactly, so the
            // entropy kernel's H is log K bit for bit, without its pass.
            "policy: \(describeSize(state.policy)), all logits 0 (uniform); H = \(fmt(log(Double(k)))) = log \(k)"
          )
        ]
      case "logits", "probs":
        let values = try args.numbers(
          mode == "logits" ? "logits" : "probabilities", allowNegativeInfinity: mode == "logits", stopWords: ["state"])
        let target = try readState(&args, state.policy)
        try args.expectEnd()
        if mode == "probs" {
          // Name the word the user typed, not the parsed value.
          if let bad = values.firstIndex(where: { $0 < 0 }) {
            throw args.error("is negative (expected probabilities ≥ 0)", word: args.tokens[bad + 1].text)
          }
          if values.count == state.policy.arms && values.allSatisfy({ $0 == 0 }) {
            throw args.error("the probabilities sum to 0 (at least one must be positive)")
          }
        }
        let rows = target.map { [$0] } ?? Array(0..<state.policy.states)
        do throws(CoreError) {
          for s in rows {
            if mode == "logits" {
              try state.policy.setLogits(values, state: s)
            } else {
              try state.policy.setProbabilities(values, state: s)
            }
          }
        } catch {
          throw LabError(error, command: args.command, expected: args.usage)
        }
        let segment = newSegment(&state)
        return [
          .message("policy \(mode): \(whichStates(target, state.policy)); " + entropySummary(state.policy, target))
        ] + segment
      default:  // random
        var sigma = 1.0
        if args.consume("scale") {
          let word = args.peek ?? ""
          sigma = try args.nonNegativeNumber("the scale σ")
          // A draw is below 9 in size (Box–Muller on 53-bit uniforms), so
          // σ ≤ 1e100 keeps every logit finite and the step's sums of
          // squared log-probabilities (≤ 1e204) too; 1e308 overflowed to −∞.
          guard sigma <= maxRandomScale else {
            throw args.error(
              "is too large a scale: σ may be at most \(NumberStyle.setting.format(maxRandomScale)) "
                + "(larger logits overflow to -inf or make a step overflow)", word: word)
          }
        }
        try args.expectEnd()
        // In place and on every core, the values sequential Box–Muller
        // draws give (`RandomFill`); finite for σ ≤ maxRandomScale, so
        // nothing can fail once it starts.
        state.policy.fillNormal(scale: sigma, using: &state.generator)
        let segment = newSegment(&state)
        return [
          .message(
            "policy random: logits ~ N(0, \(NumberStyle.setting.format(sigma))²); " + entropySummary(state.policy, nil))
        ] + segment
      }
    })

  /// The largest `policy random scale σ`.
  static let maxRandomScale = 1e100

  /// The usage line of each form of `policy`, quoted in its errors.
  static let forms = [
    "arms": "policy arms K [states S]", "logits": "policy logits v1 … vK [state s]",
    "probs": "policy probs p1 … pK [state s]", "random": "policy random [scale σ]",
  ]

  static let rewards = Command(
    name: "rewards",
    usage: "rewards v1 … vK [state s] | rewards random",
    summary: "Set the mean reward μ of every arm (of state s, default every state), or draw them at random.",
    details: [
      "rewards random draws every μ(s, a) uniformly from [0, 1) with the session generator.",
      "The expected reward is R = mean over states of Σ_a π(a|s)·μ(s,a).",
      "With 'adv exact' (the default) the advantages are A = μ − V, recomputed before every step.",
    ],
    subwords: ["random", "state"],
    group: "Policy and rewards",
    changesInPlace: true,
    handler: .state { state, args, _ throws(LabError) in
      if args.consume("random") {
        try args.expectEnd()
        // Row-major sequential draws, filled in place on every core
        // (`RandomFill`).
        state.bandit.fillUniform(using: &state.generator)
        return [
          .message(
            "rewards random: μ ~ U[0, 1) for every state and arm; R = \(fmt(state.bandit.expectedReward(under: state.policy)))"
          )
        ]
      }
      let values = try args.numbers("mean rewards", stopWords: ["state"])
      let target = try readState(&args, state.policy)
      try args.expectEnd()
      // A = μ − V with V between min μ and max μ: |A| ≤ max μ − min μ, so a
      // finite spread keeps every advantage finite (1.7e308 and −1.7e308
      // would give A = −∞).
      if let lo = values.min(), let hi = values.max(), !(hi - lo).isFinite {
        throw args.error(
          "the rewards span \(NumberStyle.setting.format(lo)) to \(NumberStyle.setting.format(hi)), "
            + "too wide for A = μ − V to be finite")
      }
      do throws(CoreError) {
        for s in target.map({ [$0] }) ?? Array(0..<state.policy.states) {
          try state.bandit.setRewards(values, state: s)
        }
      } catch {
        throw LabError(error, command: "rewards", expected: args.usage)
      }
      return [
        .message(
          "rewards: \(whichStates(target, state.policy)); R = \(fmt(state.bandit.expectedReward(under: state.policy)))")
      ]
    })

  static let advantages = Command(
    name: "adv",
    aliases: ["advantages"],
    usage: "adv v1 … vK [state s] | adv exact",
    summary: "Set the advantages by hand, or use A = μ − V recomputed before every step.",
    details: [
      "Hand-set advantages are kept across steps. The paper's updates assume E_π A = 0;",
      "if yours are not centred under π the update subtracts E_π A first and says so.",
    ],
    subwords: ["exact", "state"],
    group: "Policy and rewards",
    changesInPlace: true,
    handler: .state { state, args, _ throws(LabError) in
      if args.consume("exact") {
        try args.expectEnd()
        state.advantages = .exact
        return [
          SettingsRegistry.report(
            "adv: exact, A = μ − V under the current policy, recomputed before every step", keys: ["adv"], state)
        ]
      }
      let values = try args.numbers("advantages", stopWords: ["state"])
      let target = try readState(&args, state.policy)
      try args.expectEnd()
      let k = state.policy.arms
      guard values.count == k else {
        throw args.error("expected \(k) value\(k == 1 ? "" : "s") (one per arm), got \(values.count)")
      }
      // As for rewards: a spread that is not finite makes every step's
      // centred advantages, and so every predict and step, overflow.
      if let low = values.min(), let high = values.max(), !(high - low).isFinite {
        throw args.error(
          "the advantages span \(NumberStyle.setting.format(low)) to \(NumberStyle.setting.format(high)), "
            + "too wide for a step to be finite (the spread max − min must be a finite number)")
      }
      var all = state.currentAdvantages
      for s in target.map({ [$0] }) ?? Array(0..<state.policy.states) {
        all.replaceSubrange(s * k..<(s + 1) * k, with: values)
      }
      state.advantages = .manual(all)
      var reports: [Report] = [
        SettingsRegistry.report("adv: set by hand for \(whichStates(target, state.policy))", keys: ["adv"], state)
      ]
      let means = (0..<state.policy.states).map { s in
        zip(state.policy.probabilities(state: s), all[s * k..<(s + 1) * k]).reduce(0) { $0 + $1.0 * $1.1 }
      }
      if let (s, m) = state.uncentredAdvantage(means) {
        reports.append(.warning(uncentredNote(state: s, mean: m)))
      }
      return reports
    })

  /// Starts a new trajectory segment after a policy set by hand, and says
  /// so when there were steps before it.
  static func newSegment(_ state: inout LabState) -> [Report] {
    let earlier = state.segment.count
    state.startSegment()
    guard earlier > 0 else { return [] }
    return [
      .message(
        "(a new trajectory segment starts at step 1: history, plot and fit leave out the \(earlier) "
          + "step\(earlier == 1 ? "" : "s") of the previous policy)")
    ]
  }

  /// Reads an optional `state s`.
  static func readState(_ args: inout ArgumentReader, _ policy: Policy) throws(LabError) -> Int? {
    guard args.consume("state") else { return nil }
    return try args.integer("a state number", in: 0...(policy.states - 1))
  }

  static func whichStates(_ target: Int?, _ policy: Policy) -> String {
    if let target { return "state \(target)" }
    return policy.states == 1 ? "state 0" : "every state (\(policy.states))"
  }

  static func entropySummary(_ policy: Policy, _ target: Int?) -> String {
    if let target { return "H = \(fmt(policy.entropy(state: target)))" }
    return policy.states == 1 ? "H = \(fmt(policy.meanEntropy))" : "mean H = \(fmt(policy.meanEntropy))"
  }

  static func describeSize(_ policy: Policy) -> String {
    "\(policy.states) state\(policy.states == 1 ? "" : "s") × \(policy.arms) arm\(policy.arms == 1 ? "" : "s")"
  }

  static func uncentredNote(state s: Int, mean m: Double) -> String {
    "advantages are not centred under π (E_π A = \(NumberStyle.setting.format(m)) at state \(s)); "
      + "the update subtracts E_π A first, as the paper's Prop. 1 and Thm. 2 assume E_π A = 0"
  }
}

/// A value in the shell's standard precision.
func fmt(_ x: Double) -> String { NumberStyle.value.format(x) }
