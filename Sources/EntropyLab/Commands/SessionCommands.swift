import EntropyCore

/// `help`, `status` and `quit`.
enum SessionCommands {
  static let all: [Command] = [help, status, checkpoint, restore, quit]

  static let help = Command(
    name: "help",
    aliases: ["?"],
    usage: "help [command]",
    summary: "List the commands, or show one command's details.",
    group: "Session",
    handler: .session { session, args throws(LabError) in
      guard let word = args.peek else { return [.block(session.table.helpOverview())] }
      _ = try args.next("a command")
      try args.expectEnd()
      let command = try session.table.resolve(word)
      return [.block(session.table.help(for: command))]
    })

  static let status = Command(
    name: "status",
    usage: "status",
    summary: "Show the session's settings: size, rule, η, advantages, seed, steps taken, H and R.",
    group: "Session",
    handler: .state { state, args, _ throws(LabError) in
      try args.expectEnd()
      let adv: String
      switch state.advantages {
      case .exact: adv = "exact (A = μ − V)"
      case .manual: adv = "set by hand"
      }
      let fields: [(String, String, JSONValue)] = [
        ("policy", PolicyCommands.describeSize(state.policy), .string(PolicyCommands.describeSize(state.policy))),
        ("update", state.rule.rawValue, .string(state.rule.rawValue)),
        ("lr", NumberStyle.setting.format(state.learningRate), .number(state.learningRate)),
        ("adv", adv, .string(adv)),
        ("seed", String(state.seed), .string(String(state.seed))),
        ("steps", String(state.stepsTaken), .int(state.stepsTaken)),
        ("H", fmt(state.policy.meanEntropy), .number(state.policy.meanEntropy)),
        (
          "R", fmt(state.bandit.expectedReward(under: state.policy)),
          .number(state.bandit.expectedReward(under: state.policy))
        ),
      ]
      let width = fields.map(\.0.count).max() ?? 0
      let text = fields.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }
        .joined(separator: "\n")
      return [.record(text: text, json: [("kind", .string("status"))] + fields.map { ($0.0, $0.2) })]
    })

  static let checkpoint = Command(
    name: "checkpoint",
    usage: "checkpoint NAME",
    summary: "Save the whole session state (policy, settings, generator, trajectory) in memory under NAME.",
    details: ["'checkpoint' alone lists the saved names. 'restore NAME' branches from the same point."],
    group: "Session",
    handler: .session { session, args throws(LabError) in
      guard !args.isAtEnd else {
        let names = session.checkpoints.keys.sorted()
        return [.message(names.isEmpty ? "checkpoints: none" : "checkpoints: " + names.joined(separator: ", "))]
      }
      let name = try args.next("a name")
      try args.expectEnd()
      let replaced = session.checkpoints[name]
      session.checkpoints[name] = session.state
      var reports: [Report] = [
        .message("checkpoint '\(name)': step \(session.state.stepsTaken), H = \(fmt(session.state.policy.meanEntropy))")
      ]
      if let replaced {
        reports.append(
          .warning(
            "replaced the earlier checkpoint '\(name)' (step \(replaced.stepsTaken), "
              + "H = \(fmt(replaced.policy.meanEntropy)))"))
      }
      return reports
    })

  static let restore = Command(
    name: "restore",
    usage: "restore NAME",
    summary: "Return to a checkpoint: policy, settings, random generator and trajectory as they were.",
    group: "Session",
    handler: .session { session, args throws(LabError) in
      let name = try args.next("a checkpoint name")
      try args.expectEnd()
      guard let saved = session.checkpoints[name] else {
        let names = session.checkpoints.keys.sorted()
        throw args.error(
          "is not a checkpoint (saved: \(names.isEmpty ? "none" : names.joined(separator: ", ")))", word: name)
      }
      session.state = saved
      return [.message("restore '\(name)': step \(saved.stepsTaken), H = \(fmt(saved.policy.meanEntropy))")]
    })

  static let quit = Command(
    name: "quit",
    aliases: ["exit"],
    usage: "quit",
    summary: "Leave the shell (Ctrl-D does the same).",
    group: "Session",
    handler: .session { session, args throws(LabError) in
      try args.expectEnd()
      session.quitRequested = true
      return []
    })
}
