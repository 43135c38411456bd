import EntropyCore

/// The settings of the entropy controls, generated from the control
/// registry (`EntropyControls.all`), never listed by hand: a new control
/// gets its keys with no change here.
///
/// - `NAME.on`: the control's switch;
/// - `NAME.PARAM`: each of its parameters, with the values it allows (a
///   number, or a word for a choice such as `cwgrpo.center=response`);
///   `status` lists a non-classic control's keys only once it is on, set
///   or scheduled;
/// - `control` (a view): which controls are on, `none`, one name, or names
///   joined by `+`; setting it turns the others off and keeps every value;
/// - `control.PARAM` (a view, alias `PARAM`): a parameter that several
///   controls share with the same allowed values (`ratio`: Clip-Cov's r and
///   KL-Cov's k), setting it in every one of them, so that
///   `sweep control=none,clipcov,klcov ratio=…` gives each control its
///   ratio; it reads as `-` while their values differ.
enum ControlSettingKeys {
  static var all: [Setting] {
    var settings: [Setting] = []
    for type in EntropyControls.all {
      let name = type.name
      let listed = isListed(type)
      var on = Setting(
        key: name + ".on", summary: "\(name) on or off", expected: "on|off|true|false",
        parse: SettingParse.flag, read: { .flag($0.controls.isOn(name)) },
        write: { state, value in if let b = value.bool { state.controls.set(name, on: b) } })
      on.isListed = listed
      settings.append(on)
      for (index, p) in type.parameters.enumerated() {
        var setting = Setting(
          key: name + "." + p.name, summary: "\(name)'s \(p.symbol) (default \(text(p, p.defaultValue)))",
          expected: p.choices == nil ? "a number " + p.allowed : p.allowed,
          parse: { word in
            guard p.choices != nil else { return SettingParse.number(p.isValid)(word) }
            return p.parse(word).flatMap(p.word).map { .word($0) }
          },
          read: { state in
            let v = state.controls.values(of: name)
            let x = index < v.count ? v[index] : .nan
            return p.word(x).map { .word($0) } ?? .number(x)
          },
          write: { state, value in
            let x = value.double ?? value.string.flatMap(p.parse)
            if let x { state.controls.setValue(x, control: name, parameter: index) }
          })
        setting.isListed = listed
        settings.append(setting)
      }
    }
    settings.append(control)
    settings += shared
    return settings
  }

  /// A value as text: a choice's word, else the number exactly.
  static func text(_ p: ControlParameter, _ x: Double) -> String {
    p.word(x) ?? SettingValue.exact(x)
  }

  /// When `status` lists a control's keys: always for the classic controls
  /// (their recorded layout), for any other once it is on, set away from
  /// its defaults or scheduled.
  static func isListed(_ type: any EntropyControl.Type) -> @Sendable (LabState) -> Bool {
    guard !type.isClassic else { return { _ in true } }
    let name = type.name
    let defaults = type.parameters.map(\.defaultValue)
    return { state in
      state.controls.isOn(name) || state.controls.values(of: name) != defaults
        || state.controls.schedules[name] != nil
    }
  }

  /// `control`: which controls are on.
  static var control: Setting {
    let names = EntropyControls.all.map { $0.name }
    return Setting(
      key: "control", summary: "the controls that are on: none, one name, or names joined by +",
      expected: "none, " + names.joined(separator: ", ") + " (or several joined by +)", isView: true,
      parse: { word in
        if word == "none" { return .word("none") }
        let parts = word.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ names.contains($0) }), Set(parts).count == parts.count else { return nil }
        return .word(names.filter { parts.contains($0) }.joined(separator: "+"))
      },
      read: { state in .word(state.controls.enabled.isEmpty ? "none" : state.controls.enabled.joined(separator: "+")) },
      write: { state, value in
        let on = Set((value.string ?? "none").split(separator: "+").map(String.init))
        for n in names { state.controls.set(n, on: on.contains(n)) }
      })
  }

  /// `control.PARAM` for every parameter name that two or more controls
  /// share with the same allowed values.
  static var shared: [Setting] {
    var order: [String] = []
    var owners: [String: [(control: String, index: Int, parameter: ControlParameter)]] = [:]
    for type in EntropyControls.all {
      for (index, p) in type.parameters.enumerated() where p.choices == nil {
        if owners[p.name] == nil { order.append(p.name) }
        owners[p.name, default: []].append((type.name, index, p))
      }
    }
    return order.compactMap { name -> Setting? in
      guard let list = owners[name], list.count >= 2, Set(list.map(\.parameter.allowed)).count == 1 else { return nil }
      let first = list[0].parameter
      let controls = list.map(\.control)
      return Setting(
        key: "control." + name, aliases: [name],
        summary: "\(name) of every control that has one (\(controls.joined(separator: ", "))); - while they differ",
        expected: "a number " + first.allowed, isView: true,
        parse: SettingParse.number(first.isValid),
        read: { state in
          let values = list.map { o in
            let v = state.controls.values(of: o.control)
            return o.index < v.count ? v[o.index] : .nan
          }
          guard let v = values.first, values.allSatisfy({ $0 == v }) else { return .absent }
          return .number(v)
        },
        write: { state, value in
          guard let x = value.double else { return }
          for o in list { state.controls.setValue(x, control: o.control, parameter: o.index) }
        })
    }
  }
}
