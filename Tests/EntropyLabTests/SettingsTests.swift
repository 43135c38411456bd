import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// Settings as data (issue 12): the registry, `set`/`get`, atomicity, the
/// keys generated from the control registry, and `--json` for every command.
@Suite("Settings")
struct SettingsTests {
  @Test("the issue's keys exist, with their defaults as typed values")
  func requiredKeys() {
    let state = LabState(seed: 0)
    let expected: [(String, SettingValue)] = [
      ("update", .word("pg")), ("lr", .number(0.1)), ("seed", .seed(0)), ("adv", .word("exact")),
      ("group", .integer(8)), ("noise", .word("bernoulli")), ("filter", .flag(true)), ("minibatches", .integer(1)),
      ("epochs", .integer(1)), ("clip.low", .number(0.2)), ("clip.high", .number(0.2)),
      ("clipcov.on", .flag(false)), ("clipcov.ratio", .number(2e-4)), ("clipcov.low", .number(1)),
      ("clipcov.high", .number(5)), ("klcov.on", .flag(false)), ("klcov.ratio", .number(2e-3)),
      ("klcov.coef", .number(1)), ("cliphigher.on", .flag(false)), ("cliphigher.high", .number(0.28)),
      ("entropybonus.on", .flag(false)), ("entropybonus.coef", .number(5e-3)),
    ]
    for (key, value) in expected {
      #expect(SettingsRegistry.value(key, in: state) == value, "\(key)")
    }
    // Keys are unique, aliases included.
    #expect(Set(SettingsRegistry.keys).count == SettingsRegistry.keys.count)
  }

  /// Registers nothing: walks the control registry and checks that every
  /// control's switch and every parameter has a key that reads and writes
  /// exactly that parameter, so a new control cannot lack keys.
  @Test("every control's switch and parameters have keys, generated from the control registry")
  func everyControlParameterHasAKey() throws {
    for type in EntropyControls.all {
      var state = LabState(seed: 0)
      let on = try #require(SettingsRegistry.setting(type.name + ".on"), "\(type.name).on")
      #expect(on.read(state) == .flag(false))
      try SettingsRegistry.apply([(type.name + ".on", "true")], to: &state, command: "set")
      #expect(state.controls.isOn(type.name))
      for (index, p) in type.parameters.enumerated() {
        let key = type.name + "." + p.name
        let setting = try #require(SettingsRegistry.setting(key), "\(key)")
        if let choices = p.choices {
          // A choice reads as its word; another word lands in that parameter only.
          #expect(setting.read(state) == .word(choices[Int(p.defaultValue)]), "\(key)")
          let value = p.defaultValue == 0 ? Double(choices.count - 1) : 0
          var other = state
          try SettingsRegistry.apply([(key, choices[Int(value)])], to: &other, command: "set")
          var expected = state.controls
          expected.setValue(value, control: type.name, parameter: index)
          #expect(other.controls == expected, "\(key)")
          continue
        }
        #expect(setting.read(state) == .number(p.defaultValue), "\(key)")
        // A value the parameter allows (half the default, or 0.5 for a 0
        // default; the default + 1 for an integer such as vocab-dropout's
        // count), written through the key, lands in that parameter only.
        var value = p.defaultValue == 0 ? 0.5 : p.defaultValue / 2
        if !p.isValid(value) { value = p.defaultValue + 1 }
        #expect(p.isValid(value))
        var other = state
        try SettingsRegistry.apply([(key, "\(value)")], to: &other, command: "set")
        var expected = state.controls
        expected.setValue(value, control: type.name, parameter: index)
        #expect(other.controls == expected, "\(key)")
      }
    }
  }

  @Test("set KEY=VALUE … sets several at once, as the commands would")
  func setSeveral() {
    let viaSet = LabHarness.session(["set lr=0.5 group=4 update=grpo clipcov.on=on clipcov.ratio=0.01 seed=9"])
    let viaCommands = LabHarness.session(["lr 0.5", "group 4", "update grpo", "clipcov on ratio 0.01", "seed 9"])
    #expect(viaSet.state == viaCommands.state)
    // Switches take on|off|true|false.
    let s = LabHarness.session(["set filter=false klcov.on=true"])
    #expect(!s.state.grpo.filter && s.state.controls.isOn("klcov"))
    LabHarness.run(s, "set filter=on klcov.on=off")
    #expect(s.state.grpo.filter && !s.state.controls.isOn("klcov"))
    // noise.sigma makes the noise Gaussian; noise=gaussian keeps σ.
    LabHarness.run(s, "set noise.sigma=0.3 noise=gaussian")
    #expect(s.state.grpo.noise == .gaussian(0.3))
    LabHarness.run(s, "set noise=none")
    #expect(s.state.grpo.noise == RewardNoise.none)
    #expect(LabHarness.run(s, "get noise.sigma").output == "noise.sigma  -")
  }

  @Test("a bad key or value sets nothing and names the key and what it takes")
  func setIsAtomic() {
    let s = LabHarness.session(["lr 0.3", "group 4"])
    let cases: [(String, String, String)] = [
      ("set lr=0.5 group=0", "group=0", "group takes a whole number from 1 to 100000"),
      ("set lr=0.5 lr=-1", "lr=-1", "lr takes a number > 0"),
      ("set group=2 lr=0", "lr=0", "lr takes a number > 0"),
      ("set clipcov.on=on clipcov.ratio=2", "clipcov.ratio=2", "clipcov.ratio takes a number in (0, 1]"),
      ("set filter=maybe lr=1", "filter=maybe", "filter takes on|off|true|false"),
      ("set update=sgd", "update=sgd", "update takes pg|npg|grpo"),
      ("set seed=-1", "seed=-1", "seed takes a whole number from 0 to 18446744073709551615"),
      ("set control=clipcov+bogus", "control=clipcov+bogus", "control takes none, clipcov"),
      ("set adv=manual", "adv=manual", "adv takes exact"),
    ]
    for (line, word, takes) in cases {
      let cell = LabHarness.refuseKeepingState(s, line)
      #expect(cell?.error?.word == word, "\(line)")
      #expect(cell?.error?.message.contains(takes) == true, "\(line): \(cell?.error?.message ?? "")")
      #expect(cell?.error?.message.hasSuffix("nothing was set") == true, "\(line)")
    }
    let unknown = LabHarness.refuseKeepingState(s, "set lr=0.5 lrr=1")
    #expect(unknown?.error?.word == "lrr")
    #expect(unknown?.error?.message.contains("did you mean 'lr'?") == true)
    LabHarness.refuse(s, "set lr", command: "set", word: "lr")
    LabHarness.refuse(s, "set =3", command: "set", word: "=3")
    LabHarness.refuse(s, "set", command: "set", word: nil)
    LabHarness.refuse(s, "get nonsense", command: "get", word: "nonsense")
  }

  @Test("issue 14's knobs have keys that set what their commands set")
  func trainerKnobKeys() {
    let viaSet = LabHarness.session([
      "set length=2..5 reward=all aggregation=seq-mean-token-sum groups=keep order=fixed microbatches=2 refill=on "
        + "refill.cap=3 optimizer=adamw optimizer.beta1=0.8 gradclip=1 dualclip=3"
    ])
    let viaCommands = LabHarness.session([
      "length 2..5", "reward all", "aggregation seq-mean-token-sum", "minibatches 1 groups keep order fixed",
      "microbatches 2", "filter on refill cap 3", "optimizer adamw beta1 0.8", "gradclip 1", "dualclip 3",
    ])
    #expect(viaSet.state == viaCommands.state)
    #expect(SettingsRegistry.value("length", in: viaSet.state) == .word("2..5"))
    #expect(SettingsRegistry.value("optimizer.beta2", in: viaSet.state) == .number(0.999))
    LabHarness.run(viaSet, "set length=4 gradclip=off optimizer=sgd")
    #expect(SettingsRegistry.value("length", in: viaSet.state) == .integer(4))
    #expect(viaSet.state.grpo.gradientClip == nil && viaSet.state.grpo.optimizer == .sgd)
    #expect(SettingsRegistry.value("optimizer.eps", in: viaSet.state) == .absent)
    for bad in ["length=5..2", "length=0", "dualclip=1", "gradclip=-1", "optimizer.beta1=1", "order=random"] {
      let cell = LabHarness.refuseKeepingState(viaSet, "set " + bad)
      #expect(cell?.error?.word == bad, "\(bad)")
    }
  }

  @Test("views: control turns exactly its controls on; control.ratio (alias ratio) sets every ratio")
  func views() {
    let s = LabHarness.session(["clipcov on", "entropybonus on"])
    LabHarness.run(s, "set control=klcov")
    #expect(s.state.controls.enabled == ["klcov"])
    LabHarness.run(s, "set control=entropybonus+clipcov")
    #expect(s.state.controls.enabled == ["clipcov", "entropybonus"])
    #expect(LabHarness.run(s, "get control").output == "control  clipcov+entropybonus")
    LabHarness.run(s, "set control=none ratio=0.05")
    #expect(s.state.controls.enabled.isEmpty)
    #expect(s.state.controls.values["clipcov"]?[0] == 0.05 && s.state.controls.values["klcov"]?[0] == 0.05)
    #expect(LabHarness.run(s, "get control.ratio").output == "control.ratio  0.05")
    // While the ratios differ, the view has no value.
    LabHarness.run(s, "set klcov.ratio=0.1")
    #expect(SettingsRegistry.value("ratio", in: s.state) == .absent)
    // clip sets both bounds.
    LabHarness.run(s, "set clip=0.3")
    #expect(s.state.grpo.clipLow == 0.3 && s.state.grpo.clipHigh == 0.3)
  }

  @Test("get and set under --json: keys with typed values, numbers as JSON numbers")
  func typedJSON() throws {
    let s = LabHarness.session(json: true)
    let set = try JSONParser.parse(LabHarness.run(s, "set lr=0.5 group=4 filter=off seed=3 update=npg").output)
    #expect(set["kind"] == .string("settings"))
    #expect(set["cell"] == .int(1) && set["command"] == .string("set lr=0.5 group=4 filter=off seed=3 update=npg"))
    let settings = try #require(set["settings"])
    #expect(settings["lr"] == .number(0.5))
    #expect(settings["group"] == .int(4))
    #expect(settings["filter"] == .bool(false))
    #expect(settings["seed"] == .int(3))
    #expect(settings["update"] == .string("npg"))
    let seed = try JSONParser.parse(LabHarness.run(s, "seed 0").output)
    #expect(seed["settings"]?["seed"] == .int(0))
    let get = try JSONParser.parse(LabHarness.run(s, "get").output)
    for setting in SettingsRegistry.all { #expect(get["settings"]?[setting.key] != nil, "\(setting.key)") }
  }

  /// One line per command of the table (a new command without a line
  /// fails here): each runs under --json in one session, and every line
  /// it prints is a JSON object carrying its cell number and its line.
  static let lineOf: [String: [String]] = [
    "policy": ["policy arms 4 states 2", "policy random"], "rewards": ["rewards 1 0 0 1"],
    "adv": ["adv 1 0 0 0", "adv exact"], "update": ["update npg"], "lr": ["lr 0.2"], "seed": ["seed 3"],
    "predict": ["predict"], "step": ["step 2"], "show": ["show", "show last"], "group": ["group 4"],
    "noise": ["noise gaussian 0.2", "noise bernoulli"], "filter": ["filter off"], "minibatches": ["minibatches 2"],
    "epochs": ["epochs 2"], "clip": ["clip 0.2 0.28"], "clipcov": ["clipcov on"], "klcov": ["klcov on"],
    "cliphigher": ["cliphigher on"], "entropybonus": ["entropybonus on ratio 2"], "run": ["update grpo", "run 2"],
    "tokens": ["tokens top 2", "tokens flips", "tokens responses"], "history": ["history last 1"],
    "plot": ["plot entropy"], "fit": ["fit"],
    "compare": ["compare none klcov steps 2 seeds 1..2"], "sweep": ["sweep lr=0.1,0.2 seeds 1..2 steps 2"],
    "help": ["help", "help set"], "status": ["status"], "checkpoint": ["checkpoint a"], "restore": ["restore a"],
    "quit": ["quit"], "note": ["note a *note*"], "save": ["save"], "replay": ["replay"], "export": ["export csv"],
    "set": ["set lr=0.3 klcov.ratio=0.01", "set lr=-1"], "get": ["get lr klcov.on"],
    "length": ["length 2..4"], "reward": ["reward all", "reward"], "aggregation": ["aggregation token-sum"],
    "microbatches": ["microbatches 2"], "optimizer": ["optimizer adamw beta1 0.8"], "gradclip": ["gradclip 1"],
    "dualclip": ["dualclip 3"],
    "control": ["control", "control klcov on coef 0.5", "control klcov schedule linear 1 0 over 3", "control klcov"],
  ]

  @Test("every command of the table prints only JSON objects carrying cell and command under --json")
  func everyCommandUnderJSON() throws {
    let table = CommandTable.standard
    for command in table.commands {
      #expect(Self.lineOf[command.name] != nil, "no --json line for '\(command.name)'")
    }
    let session = LabHarness.session(json: true)
    var lines = table.commands.flatMap { Self.lineOf[$0.name] ?? [] }
    // quit last.
    lines.removeAll { $0 == "quit" }
    lines.append("quit")
    for line in lines {
      let number = session.nextCellNumber
      guard let cell = session.execute(line) else { continue }
      for text in cell.output.split(separator: "\n", omittingEmptySubsequences: false) where !cell.output.isEmpty {
        let value = try? JSONParser.parse(String(text))
        guard case .object? = value else {
          Issue.record("'\(line)' printed a line that is not a JSON object: \(text)")
          continue
        }
        #expect(value?["cell"] == .int(number), "'\(line)': \(text)")
        #expect(value?["command"] == .string(line), "'\(line)': \(text)")
      }
    }
  }
}
