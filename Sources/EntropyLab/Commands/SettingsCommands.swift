import EntropyCore

/// `set` and `get`: every setting by its dotted key (see `SettingsRegistry`).
enum SettingsCommands {
  static let all: [Command] = [set, get]

  static let set = Command(
    name: "set", usage: "set KEY=VALUE …",
    summary: "Set settings by key, several at once: all of them or, if one is wrong, none.",
    details: [
      "Keys (values in brackets; 'get' shows the current ones):"
    ]
      + SettingsRegistry.all.map {
        "  \($0.key)\($0.aliases.isEmpty ? "" : " (also \($0.aliases.joined(separator: ", ")))")  [\($0.expected)]"
      }
      + [
        "",
        "Switches take on|off|true|false. 'control' and 'control.ratio' are views: control=klcov turns KL-Cov",
        "on and every other control off; control.ratio=0.01 sets the ratio of every control that has one.",
        "The assignments apply left to right; a wrong key or value changes nothing and names what it takes.",
      ],
    subwords: SettingsRegistry.keys.map { $0 + "=" },
    group: "Session",
    handler: .state { state, args, _ throws(LabError) in
      guard !args.isAtEnd else { throw args.error("needs at least one KEY=VALUE ('get' lists the keys)") }
      var assignments: [(key: String, value: String)] = []
      while !args.isAtEnd {
        let word = try args.next("KEY=VALUE")
        assignments.append(try SettingsRegistry.split(word, command: "set", expected: args.usage))
      }
      let before = state
      let changed = try SettingsRegistry.apply(assignments, to: &state, command: "set")
      let text = "set: " + changed.map { "\($0.key) = \($0.read(state).text)" }.joined(separator: ", ")
      var reports = [SettingsRegistry.report(text, keys: changed.map(\.key), state)]
      // What a user should know about a control that is on and was touched.
      for type in EntropyControls.all where state.controls.isOn(type.name) {
        let keys = SettingsRegistry.keys(ofControl: type.name)
        if !before.controls.isOn(type.name) || changed.contains(where: { keys.contains($0.key) || $0.isView }) {
          reports += ControlCommands.warnings(type, state)
        }
      }
      return reports
    })

  static let get = Command(
    name: "get", usage: "get [KEY …]",
    summary: "Show settings by key (every one, views included, when none is given).",
    details: [
      "Text: one 'key  value' line each. JSON: {\"kind\":\"settings\",\"settings\":{KEY: value, …}} with numbers",
      "as numbers, switches as true/false and a value that does not apply (noise.sigma without Gaussian noise) as null.",
    ],
    subwords: SettingsRegistry.keys,
    group: "Session",
    handler: .state { state, args, _ throws(LabError) in
      var settings: [Setting] = []
      while !args.isAtEnd {
        let word = try args.next("a setting key")
        guard let setting = SettingsRegistry.setting(word) else {
          var problem = "is not a setting key"
          if let near = SettingsRegistry.nearest(word) { problem += "; did you mean '\(near)'?" }
          throw args.error(problem + " ('get' alone lists every key)", word: word)
        }
        settings.append(setting)
      }
      if settings.isEmpty { settings = SettingsRegistry.all }
      let text = aligned(settings.map { ($0.key, $0.read(state).text) })
      return [SettingsRegistry.report(text, keys: settings.map(\.key), state)]
    })

  /// `name  value` lines with the values in one column.
  static func aligned(_ rows: [(String, String)]) -> String {
    let width = rows.map(\.0.count).max() ?? 0
    return rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }.joined(separator: "\n")
  }
}
