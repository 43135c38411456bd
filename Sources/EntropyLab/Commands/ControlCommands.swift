import EntropyCore

/// The entropy controls in the shell, generated from the control registry:
/// `control` (every control: list, switch, set, schedule), `help control
/// NAME`, and the paper's four controls' own top-level commands (`clipcov`,
/// `klcov`, `cliphigher`, `entropybonus`), kept as they were. A new control
/// gets no top-level name, so no prefix a user typed can become ambiguous.
enum ControlCommands {
  static var all: [Command] {
    EntropyControls.all.filter { $0.isClassic }.map(toggleCommand) + [control]
  }

  static let control = Command(
    name: "control",
    usage: "control [NAME [on|off] [PARAM VALUE …] | NAME schedule [PARAM] linear|cos FROM TO over N | "
      + "NAME schedule [PARAM] constant [VALUE]]",
    summary: "List the entropy controls with their state, or switch, set or schedule one.",
    details: [
      "'control' alone lists every control: on or off, its settings, its source and how sure that is.",
      "'control NAME on|off [PARAM VALUE …]' switches it and sets parameters (a choice takes a word: "
        + "'control cwgrpo on center response'); 'control NAME PARAM VALUE' sets without switching.",
      "'control NAME schedule [PARAM] linear|cos FROM TO over N' moves the parameter (default: the control's "
        + "coefficient) from FROM to TO over the next N steps, p = t/N or ½(1 − cos(πt/N)), then holds TO; "
        + "the value each step used is shown in 'history' as NAME.PARAM. 'schedule constant [VALUE]' ends it.",
      "'help control NAME' shows the method, its defaults and units, and its source (VERIFIED or "
        + "EntropyLab's reading). Settings keys: NAME.on and NAME.PARAM (set, get, sweep, compare).",
      "Controls act on sampled steps ('update grpo').",
    ],
    subwords: EntropyControls.all.map { $0.name },
    group: "Entropy controls",
    completer: { typed in
      guard let name = typed.first else { return .words(EntropyControls.all.map { $0.name }) }
      guard let type = EntropyControls.named(name) else { return .words([]) }
      if typed.last == "schedule" { return .words(type.parameters.map(\.name) + ["linear", "cos", "constant"]) }
      if let last = typed.last, let p = type.parameters.first(where: { $0.name == last }) {
        return .words(p.choices ?? [])
      }
      return .words((typed.count == 1 ? ["on", "off", "schedule"] : []) + type.parameters.map(\.name))
    },
    topicHelp: { word in
      guard let type = EntropyControls.named(word) else { return nil }
      return help(type)
    },
    handler: .state { state, args, _ throws(LabError) in
      guard let word = args.peek else { return [listing(state)] }
      guard let type = EntropyControls.named(word) else {
        let names = EntropyControls.all.map { $0.name }.joined(separator: ", ")
        throw args.error("is not a control (controls: \(names))", word: word)
      }
      _ = try args.next("a control")
      if args.isAtEnd { return [summary(type, state)] }
      if args.consume("schedule") {
        try schedule(type, &state, &args)
        return [summary(type, state)] + warnings(type, state)
      }
      try apply(type, &state, &args)
      return [summary(type, state)] + warnings(type, state)
    })

  /// The toggle command of a classic control: `name on|off [param value]…`.
  static func toggleCommand(_ type: any EntropyControl.Type) -> Command {
    let params = type.parameters
    let usage = type.name + " on|off" + params.map { " [\($0.name) \($0.symbol)]" }.joined()
    let name = type.name
    return Command(
      name: name, usage: usage, summary: type.summary + ".",
      details: sourceAndDefaults(type) + [
        "Settings may be changed without switching on or off: '\(name) \(params[0].name) …'.",
        "Controls act on sampled steps ('update grpo'); 'control \(name) schedule …' schedules its coefficient.",
      ],
      subwords: ["on", "off"] + params.map(\.name),
      group: "Entropy controls",
      handler: .state { state, args, _ throws(LabError) in
        if args.isAtEnd { throw args.error("needs on, off or a setting") }
        try apply(type, &state, &args)
        return [summary(type, state)] + warnings(type, state)
      })
  }

  /// Reads `[on|off] [PARAM VALUE …]` into `state` (all or nothing: the
  /// handler works on a copy).
  static func apply(_ type: any EntropyControl.Type, _ state: inout LabState, _ args: inout ArgumentReader)
    throws(LabError)
  {
    let name = type.name
    let params = type.parameters
    var turn: Bool?
    if let w = args.peek, ["on", "off", "yes", "no", "true", "false", "1", "0"].contains(w.lowercased()) {
      turn = try args.toggle()
    }
    let first = args.position
    while !args.isAtEnd {
      let word = try args.next("a setting")
      guard let index = params.firstIndex(where: { $0.name == word }) else {
        let settings = params.map(\.name).joined(separator: ", ")
        // on/off are accepted only as the first word.
        let what = args.position - 1 == first && turn == nil ? "on, off or a setting" : "a setting"
        throw args.error("is not \(what) of \(name) (settings: \(settings))", word: word)
      }
      let p = params[index]
      let valueWord = args.peek ?? ""
      let value: Double
      if let choices = p.choices {
        let w = try args.next("a value for \(word) (\(choices.joined(separator: ", ")))")
        guard let v = p.parse(w) else {
          throw args.error("is not allowed for \(word): expected \(p.allowed)", word: w)
        }
        value = v
      } else {
        value = try args.number("a value for \(word)")
        guard p.isValid(value) else {
          throw args.error("is not allowed for \(word): expected \(p.allowed)", word: valueWord)
        }
      }
      state.controls.setValue(value, control: name, parameter: index)
    }
    if let turn { state.controls.set(name, on: turn) }
  }

  /// Reads `[PARAM] linear|cos FROM TO over N` or `[PARAM] constant [VALUE]`.
  static func schedule(_ type: any EntropyControl.Type, _ state: inout LabState, _ args: inout ArgumentReader)
    throws(LabError)
  {
    let name = type.name
    let params = type.parameters.enumerated().filter { $0.element.choices == nil }
    guard !params.isEmpty else { throw args.error("\(name) has no numeric parameter to schedule") }
    var index = params.first { $0.element.name == type.coefficient }?.offset ?? params[0].offset
    if let w = args.peek, let found = params.first(where: { $0.element.name == w }) {
      _ = args.consume(w)
      index = found.offset
    }
    let p = type.parameters[index]
    let shape = try args.choice("linear, cos or constant", ["linear", "cos", "constant"])
    func value(_ what: String) throws(LabError) -> Double {
      let word = args.peek ?? ""
      let x = try args.number(what)
      guard p.isValid(x) else { throw args.error("is not allowed for \(p.name): expected \(p.allowed)", word: word) }
      return x
    }
    if shape == "constant" {
      let v = args.isAtEnd ? nil : try value("the value of \(p.name)")
      try args.expectEnd()
      state.controls.removeSchedule(control: name, parameter: index)
      if let v { state.controls.setValue(v, control: name, parameter: index) }
      return
    }
    let from = try value("FROM (the value of \(p.name) now)")
    let to = try value("TO (its value after N steps)")
    guard args.consume("over") else { throw args.error("needs 'over N' after FROM TO", word: args.peek) }
    let n = try args.integer("the number of steps N", in: 1...1_000_000_000)
    try args.expectEnd()
    let shapeValue = ControlSchedule.Shape(rawValue: shape) ?? .linear
    state.controls.setSchedule(
      ControlSchedule(parameter: index, shape: shapeValue, from: from, to: to, over: n, start: state.stepsTaken),
      control: name)
  }

  /// "name: on (r = 0.0002, …)" with its keys as a settings record.
  static func summary(_ type: any EntropyControl.Type, _ state: LabState) -> Report {
    let name = type.name
    return SettingsRegistry.report(
      "\(name): \(state.controls.isOn(name) ? "on" : "off") (\(valuesText(type, state)))",
      keys: SettingsRegistry.keys(ofControl: name), state)
  }

  /// "r = 0.0002, ω_low = 1, …", a scheduled parameter shown with its schedule.
  static func valuesText(_ type: any EntropyControl.Type, _ state: LabState) -> String {
    let values = state.controls.values(of: type.name)
    return type.parameters.enumerated().map { i, p in
      let x = i < values.count ? values[i] : .nan
      if let s = state.controls.schedule(control: type.name, parameter: i) {
        return
          "\(p.symbol): \(s.shape.rawValue) \(fmt(s.from)) → \(fmt(s.to)) over \(s.over) steps from step \(s.start)"
      }
      return "\(p.symbol) = \(p.word(x) ?? fmt(x))"
    }.joined(separator: ", ")
  }

  static func fmt(_ x: Double) -> String { NumberStyle.setting.format(x) }

  /// The control's own warnings when it is on.
  static func warnings(_ type: any EntropyControl.Type, _ state: LabState) -> [Report] {
    guard state.controls.isOn(type.name) else { return [] }
    var notes: [Report] = []
    if state.rule != .grpo {
      notes.append(.warning("controls act on sampled steps only; 'update grpo' to use them"))
    }
    let setup = ControlSetup(
      minibatches: state.grpo.minibatches, epochs: state.grpo.epochs,
      tokensPerUpdate: state.policy.states * state.grpo.groupSize * state.grpo.response.minLength
        / max(1, state.grpo.minibatches),
      responseLength: state.grpo.response.minLength)
    notes += type.warnings(values: state.controls.values(of: type.name), setup: setup).map { .warning($0) }
    return notes
  }

  /// `control` alone: every control, on or off, its values and source.
  static func listing(_ state: LabState) -> Report {
    var table = Table(
      columns: [
        .init("control", key: "control", priority: .key), .init("on", key: "on"),
        .init("settings", key: "settings"), .init("source", key: "source", priority: .detail),
      ],
      jsonPrefix: [("kind", .string("controls"))])
    for type in EntropyControls.all {
      table.rows.append([
        .text(type.name), .text(state.controls.isOn(type.name) ? "on" : "off"), .text(valuesText(type, state)),
        .text(type.source.status.rawValue),
      ])
    }
    return .table(table)
  }

  /// The source line and each parameter's default, unit and allowed values.
  static func sourceAndDefaults(_ type: any EntropyControl.Type) -> [String] {
    var lines = ["Source: " + type.source.line]
    lines += paragraphs(type.details)
    lines += type.parameters.map { p in
      let unit = p.unit.isEmpty ? "" : ", " + p.unit
      let value = p.word(p.defaultValue) ?? fmt(p.defaultValue)
      let name = p.symbol == p.name ? p.name : p.name + " " + p.symbol
      return "  \(name): default \(value)\(unit); \(p.choices == nil ? "allowed " : "")\(p.allowed)"
    }
    if !type.activity.isEmpty {
      lines.append("Reports each step (step, history, run, tokens, compare, sweep, export):")
      lines += type.activity.map { "  \($0.key): \($0.summary)" + ($0.kind == .level ? " (its value)" : "") }
    }
    return lines
  }

  /// A control's `details` as paragraphs: consecutive strings join into one
  /// (they are pieces of prose, not lines to keep), an empty string starts
  /// the next, so the help wraps them at the width as whole sentences.
  static func paragraphs(_ details: [String]) -> [String] {
    details.split(separator: "", omittingEmptySubsequences: true).map {
      $0.joined(separator: " ")
    }
  }

  /// `help control NAME`.
  static func help(_ type: any EntropyControl.Type) -> String {
    var lines = [
      "control \(type.name) on|off"
        + type.parameters.map { " [\($0.name) \($0.choices == nil ? $0.symbol : $0.allowed)]" }
        .joined(), "", type.summary + ".", "",
    ]
    lines += sourceAndDefaults(type)
    if let c = type.coefficient { lines.append("'control \(type.name) schedule …' moves \(c) by default.") }
    return lines.joined(separator: "\n")
  }
}
