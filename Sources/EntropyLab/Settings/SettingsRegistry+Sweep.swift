/// How `sweep` (and `compare`, and `entropy-lab sweep FILE --set`) set and
/// read settings: through the registry, by dotted key or alias.
extension SettingsRegistry {
  /// Applies a combination's settings, all or none.
  public static let sweepApply: SweepEngine.Apply = { assignments, state throws(LabError) in
    try apply(assignments, to: &state, command: "sweep")
  }

  /// A setting's typed value as JSON (null for an unknown key).
  public static let sweepRead: SweepEngine.Read = { key, state in
    value(key, in: state)?.json ?? .null
  }
}
