/// How a sweep sets and reads settings.
///
/// TEMPORARY bridge until the settings registry lands: a key that is a
/// one-word command (`lr`, `update`, `group`, …) is set by running that
/// command on the state.
enum SweepSettings {
  static let apply: SweepEngine.Apply = { assignments, state throws(LabError) in
    for (key, value) in assignments {
      let command = try CommandTable.standard.resolve(key)
      guard case .state(let run) = command.handler, command.name == key else {
        throw LabError(command: "sweep", word: key, problem: "is not a setting key")
      }
      var reader = ArgumentReader(command: command.name, usage: command.usage, tokens: [Token(value)])
      _ = try run(&state, &reader, CommandContext(style: .plain, isInterrupted: { false }))
    }
  }

  static let read: SweepEngine.Read = { key, state in
    switch key {
    case "lr": return .number(state.learningRate)
    case "update": return .string(state.rule.rawValue)
    default: return .null
    }
  }
}
