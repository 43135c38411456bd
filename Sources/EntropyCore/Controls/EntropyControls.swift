import Synchronization

/// The registry of entropy controls, in the order they are listed and
/// applied: the built-in ones, then those a library user registered.
///
/// Adding a control to EntropyLab is one new file and one entry in
/// `builtIn`; a library user calls `register(_:)` instead, before the
/// session that should see it starts.
public enum EntropyControls {
  /// The controls EntropyLab ships.
  public static let builtIn: [any EntropyControl.Type] = [
    ClipCov.self, KLCov.self, ClipHigher.self, EntropyBonus.self, CISPO.self, AdaptiveEntropy.self, OPEFO.self,
    EntropyPolarityControl.self, EntrocraftControl.self, Entropic.self,
  ]

  private static let added = Mutex<[any EntropyControl.Type]>([])

  /// Every control: the built-in ones, then the registered ones in order.
  public static var all: [any EntropyControl.Type] {
    builtIn + added.withLock { $0 }
  }

  /// The control called `name`.
  public static func named(_ name: String) -> (any EntropyControl.Type)? {
    all.first { $0.name == name }
  }

  /// Every activity measure, in registry order.
  public static var measures: [ActivityMeasure] { all.flatMap { $0.activity } }

  /// Words a control or parameter may not be called: the `control`
  /// command's own words.
  public static let reservedWords: Set<String> = ["on", "off", "none", "schedule", "constant", "linear", "cos"]

  /// Adds a control defined outside the package, after the others.
  /// Registering the same type again does nothing.
  ///
  /// - Throws: `CoreError.invalidControl` for a malformed or taken name, a
  ///   parameter name that is reserved or repeated, a default its own check
  ///   refuses, or an activity key another control uses.
  public static func register(_ type: any EntropyControl.Type) throws(CoreError) {
    let result: CoreError? = added.withLock { list in
      if list.contains(where: { $0 == type }) { return nil }
      if let problem = problem(with: type, among: builtIn + list) {
        return .invalidControl(name: type.name, reason: problem)
      }
      list.append(type)
      return nil
    }
    if let result { throw result }
  }

  /// Why `type` cannot join `others`, or nil if it can.
  static func problem(with type: any EntropyControl.Type, among others: [any EntropyControl.Type]) -> String? {
    let name = type.name
    let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
    guard let first = name.first, first.isLetter, first.isLowercase, name.allSatisfy({ allowed.contains($0) }) else {
      return "the name must be lowercase letters, digits and '-', starting with a letter"
    }
    if reservedWords.contains(name) { return "'\(name)' is a word of the control command" }
    if others.contains(where: { $0.name == name }) { return "another control is called '\(name)'" }
    var seen: Set<String> = []
    for p in type.parameters {
      if reservedWords.contains(p.name) { return "parameter '\(p.name)' is a word of the control command" }
      if !seen.insert(p.name).inserted { return "two parameters are called '\(p.name)'" }
      if !p.isValid(p.defaultValue) { return "parameter '\(p.name)' does not allow its own default" }
    }
    let taken = Set(others.flatMap { $0.activity.map(\.key) })
    for m in type.activity where taken.contains(m.key) {
      return "activity key '\(m.key)' is another control's"
    }
    return nil
  }
}
