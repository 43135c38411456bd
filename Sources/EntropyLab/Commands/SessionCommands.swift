import EntropyCore

/// `help`, `status`, `checkpoint`, `restore` and `quit`.
enum SessionCommands {
  static let all: [Command] = [help, status, checkpoint, restore, quit]

  static let help = Command(
    name: "help",
    aliases: ["?"],
    usage: "help [command] | help control NAME",
    summary: "List the commands, or show one command's details (or one control's: 'help control cispo').",
    group: "Session",
    handler: .session { session, args throws(LabError) in
      guard let word = args.peek else { return [.block(session.table.helpOverview())] }
      _ = try args.next("a command")
      let command = try session.table.resolve(word)
      if let topicHelp = command.topicHelp, let topic = args.peek {
        _ = try args.next("a topic")
        try args.expectEnd()
        guard let text = topicHelp(topic) else {
          throw args.error("is not a topic of '\(command.name)' (see 'help \(command.name)')", word: topic)
        }
        return [.block(text)]
      }
      try args.expectEnd()
      return [.block(session.table.help(for: command))]
    })

  static let status = Command(
    name: "status",
    usage: "status",
    summary: "Show the session: size, steps taken, H and R, then every setting by key (as 'get').",
    details: [
      "Every setting of the registry is listed, the paper's four controls' switches and parameters included,",
      "whether they are on or off; another control ('control NAME') is listed once it is on, set or scheduled.",
      "JSON: one object with policy, states, arms, steps, H, R and every listed key's typed value.",
    ],
    group: "Session",
    handler: .state { state, args, _ throws(LabError) in
      try args.expectEnd()
      let size = PolicyCommands.describeSize(state.policy)
      let h = state.policy.meanEntropy
      let r = state.bandit.expectedReward(under: state.policy)
      let settings = SettingsRegistry.all.filter { !$0.isView && $0.isListed(state) }
      let rows =
        [("policy", size), ("steps", String(state.stepsTaken)), ("H", fmt(h)), ("R", fmt(r))]
        + settings.map { ($0.key, $0.read(state).text) }
      let json: [(String, JSONValue)] =
        [
          ("kind", .string("status")), ("policy", .string(size)), ("states", .int(state.policy.states)),
          ("arms", .int(state.policy.arms)), ("steps", .int(state.stepsTaken)), ("H", .number(h)), ("R", .number(r)),
        ] + settings.map { ($0.key, $0.read(state).json) }
      return [.record(text: SettingsCommands.aligned(rows), json: json)]
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
      do throws(CoreError) {
        // The copy shares the state's buffers until either changes; count it
        // as its own, since the next step will.
        let replacedBytes = session.checkpoints[name]?.heldBytes ?? 0
        try MemoryBudget.check(bytes: session.state.heldBytes, held: session.heldBytes - replacedBytes)
      } catch {
        throw LabError.overBudget(
          error, command: "checkpoint", what: "another copy of the state",
          advice: "restore or drop checkpoints, or use a smaller policy")
      }
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
