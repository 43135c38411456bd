/// Which controls are on, their values, their schedules and the state they
/// carry between steps: a plain value for the session.
public struct ControlSettings: Sendable, Equatable {
  /// Names of the controls that are on, in registry order.
  public private(set) var enabled: [String] = []
  /// Values per control name, one per parameter (defaults until set). A
  /// control registered after these settings were made reads its defaults.
  public private(set) var values: [String: [Double]]
  /// The schedule of each control that has one, by control name.
  public private(set) var schedules: [String: ControlSchedule] = [:]
  /// What each stateful control carried out of the last step, by name.
  public private(set) var memory: [String: [Double]] = [:]

  /// Every control off, at its defaults.
  public init() {
    var v: [String: [Double]] = [:]
    for c in EntropyControls.all { v[c.name] = c.parameters.map(\.defaultValue) }
    values = v
  }

  /// Turns a control on or off (either way its carried state is cleared).
  public mutating func set(_ name: String, on: Bool) {
    var names = Set(enabled)
    if on { names.insert(name) } else { names.remove(name) }
    enabled = EntropyControls.all.map { $0.name }.filter { names.contains($0) }
    memory[name] = nil
  }

  /// Sets one parameter (by index) of a control, ending any schedule of
  /// that parameter and clearing the control's carried state.
  public mutating func setValue(_ value: Double, control name: String, parameter index: Int) {
    var v = self.values(of: name)
    guard v.indices.contains(index) else { return }
    v[index] = value
    values[name] = v
    if schedules[name]?.parameter == index { schedules[name] = nil }
    memory[name] = nil
  }

  /// A control's values (its defaults if never set).
  public func values(of name: String) -> [Double] {
    values[name] ?? EntropyControls.named(name)?.parameters.map(\.defaultValue) ?? []
  }

  /// Sets (or with nil removes) a control's schedule; a removed schedule
  /// leaves the parameter at its set value.
  public mutating func setSchedule(_ schedule: ControlSchedule?, control name: String) {
    schedules[name] = schedule
    memory[name] = nil
  }

  /// Whether a control is on.
  public func isOn(_ name: String) -> Bool { enabled.contains(name) }

  /// A control's values at session step `step`: its schedule applied.
  public func values(of name: String, atStep step: Int) -> [Double] {
    var v = values(of: name)
    if let s = schedules[name], v.indices.contains(s.parameter) { v[s.parameter] = s.value(atStep: step) }
    return v
  }

  /// The enabled controls at their set values, with their carried state.
  public var active: [any EntropyControl] { active(atStep: nil) }

  /// The enabled controls at session step `step` (schedules applied; nil:
  /// the set values), with their carried state.
  public func active(atStep step: Int?) -> [any EntropyControl] {
    enabled.compactMap { name in
      guard let type = EntropyControls.named(name) else { return nil }
      var control = type.init(values: step.map { values(of: name, atStep: $0) } ?? values(of: name))
      if let m = memory[name] { control.memory = m }
      return control
    }
  }

  /// The scheduled values at `step`, as `NAME.PARAM` levels, for the
  /// trajectory (enabled controls only).
  public func scheduledLevels(atStep step: Int) -> ControlActivity {
    var out = ControlActivity()
    for name in enabled {
      guard let s = schedules[name], let type = EntropyControls.named(name),
        type.parameters.indices.contains(s.parameter)
      else { continue }
      out.level(name + "." + type.parameters[s.parameter].name, s.value(atStep: step))
    }
    return out
  }

  /// Stores what the controls carried out of a step.
  public mutating func remember(_ carried: [String: [Double]]) {
    for (name, m) in carried { memory[name] = m.isEmpty ? nil : m }
  }

  /// Only `name` on (or none for nil), keeping every value: for `compare`.
  public func only(_ name: String?) -> ControlSettings {
    var copy = self
    copy.enabled = name.map { [$0] } ?? []
    return copy
  }
}
