import EntropyCore

/// Every setting of a session, by stable dotted key: the one source that
/// `set`, `get`, `status`, `sweep`, `compare` and `entropy-lab --set` use.
///
/// The session's own settings are in `SessionSettings` and
/// `TrainerSettings` (issue 14's knobs); the controls'
/// keys are generated from the control registry (`ControlSettingKeys`).
public enum SettingsRegistry {
  /// Every setting, in the order `status` and `get` list them.
  /// Computed, so that a control a library user registers gets its keys.
  public static var all: [Setting] { fixed + ControlSettingKeys.all }

  /// The settings that are not a control's.
  static let fixed: [Setting] = SessionSettings.all + TrainerSettings.all

  /// The setting with key (or alias) `key`.
  public static func setting(_ key: String) -> Setting? {
    all.first { $0.key == key } ?? all.first { $0.aliases.contains(key) }
  }

  /// Every key and alias, for completion and suggestions.
  public static var keys: [String] { all.flatMap { [$0.key] + $0.aliases } }

  /// The value of `key` in `state`, or nil for an unknown key.
  public static func value(_ key: String, in state: LabState) -> SettingValue? {
    setting(key)?.read(state)
  }

  /// Splits `KEY=VALUE` into its parts.
  ///
  /// - Throws: `LabError` naming the word when it has no `=`, or an empty key or value.
  public static func split(_ word: String, command: String, expected: String) throws(LabError) -> (
    key: String, value: String
  ) {
    guard let eq = word.firstIndex(of: "="), eq != word.startIndex, word.index(after: eq) != word.endIndex else {
      throw LabError(command: command, word: word, problem: "is not KEY=VALUE", expected: expected)
    }
    return (String(word[..<eq]), String(word[word.index(after: eq)...]))
  }

  /// Applies `assignments` to `state` in order, all or none: every key and
  /// value is checked first, and on an error `state` is left as it was.
  ///
  /// - Returns: the settings changed, by key (aliases resolved), in order.
  /// - Throws: `LabError` naming the key (or the assignment) and the values
  ///   that key accepts.
  @discardableResult
  public static func apply(
    _ assignments: [(key: String, value: String)], to state: inout LabState, command: String
  ) throws(LabError) -> [Setting] {
    var parsed: [(Setting, SettingValue)] = []
    for (key, word) in assignments {
      guard let setting = setting(key) else {
        var problem = "is not a setting key"
        if let near = nearest(key) { problem += "; did you mean '\(near)'?" }
        throw LabError(
          command: command, word: key, problem: problem + " ('get' lists every key); nothing was set",
          expected: "KEY=VALUE with KEY one of: " + all.map(\.key).joined(separator: ", "))
      }
      guard let value = setting.parse(word) else {
        throw LabError(
          command: command, word: "\(key)=\(word)",
          problem: "is not allowed: \(setting.key) takes \(setting.expected); nothing was set",
          expected: "\(setting.key)=\(setting.expected)")
      }
      parsed.append((setting, value))
    }
    var working = state
    for (setting, value) in parsed { setting.write(&working, value) }
    state = working
    var changed: [Setting] = []
    for (setting, _) in parsed where !changed.contains(where: { $0.key == setting.key }) { changed.append(setting) }
    return changed
  }

  /// The key closest to `word` by edit distance, if close enough.
  static func nearest(_ word: String) -> String? {
    let scored = keys.map { ($0, CommandTable.editDistance(word.lowercased(), $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= (word.count <= 4 ? 1 : 2) ? best.0 : nil
  }

  /// A settings result: `text` in text, and in JSON
  /// `{"kind":"settings","settings":{KEY: value, …},"text": text}`.
  public static func report(_ text: String, keys: [String], _ state: LabState) -> Report {
    let values = keys.compactMap { key in value(key, in: state).map { (setting(key)?.key ?? key, $0.json) } }
    return .record(
      text: text, json: [("kind", .string("settings")), ("settings", .object(values)), ("text", .string(text))])
  }

  /// The keys of `control`'s settings (`clipcov.on`, `clipcov.ratio`, …).
  public static func keys(ofControl name: String) -> [String] {
    guard let type = EntropyControls.named(name) else { return [] }
    return [name + ".on"] + type.parameters.map { name + "." + $0.name }
  }
}
