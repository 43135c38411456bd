/// One quantity a control reports about a step: a count of the tokens it
/// touched (summed over the step's loss calls), or a level of its own state
/// (a λ, a band, a coefficient: its last value in the step).
public struct ActivityMeasure: Sendable, Equatable {
  /// Summed over the step's loss calls, or the last value set.
  public enum Kind: Sendable, Equatable {
    /// A count of tokens (or arms), summed over the step.
    case count
    /// A value of the control's state, the last one set in the step.
    case level
  }

  /// The key in JSON, CSV and sweeps (`clipped`, `cispo_capped`); unique
  /// across the registry.
  public var key: String
  /// A short column heading (`clipped`, `capped`).
  public var heading: String
  /// What it counts or measures, for help.
  public var summary: String
  /// Count or level.
  public var kind: Kind
  /// Whether `compare` shows its total over a run (counts only).
  public var inCompare: Bool

  /// A measure from its parts.
  public init(key: String, heading: String, summary: String, kind: Kind = .count, inCompare: Bool = true) {
    self.key = key
    self.heading = heading
    self.summary = summary
    self.kind = kind
    self.inCompare = inCompare && kind == .count
  }
}

/// What the controls did in a step (or one loss call), by measure key, in
/// the order first reported.
public struct ControlActivity: Sendable, Equatable {
  /// The keys, in order.
  public private(set) var keys: [String] = []
  /// The values, one per key.
  public private(set) var values: [Double] = []
  /// Whether each value is a count (summed when merged) or a level (replaced).
  private var summed: [Bool] = []

  /// Nothing reported.
  public init() {}

  /// The value under `key`, or nil if none was reported.
  public subscript(key: String) -> Double? {
    keys.firstIndex(of: key).map { values[$0] }
  }

  /// The value under `key` as a count (0 when none was reported).
  public func count(_ key: String) -> Int {
    guard let v = self[key], v.isFinite else { return 0 }
    return Int(v)
  }

  /// Adds `n` to the count under `key`.
  public mutating func count(_ key: String, _ n: Int) {
    add(key, Double(n), summed: true)
  }

  /// Sets the level under `key`.
  public mutating func level(_ key: String, _ value: Double) {
    add(key, value, summed: false)
  }

  /// Merges `other` in: counts add, levels replace.
  public mutating func merge(_ other: ControlActivity) {
    for i in other.keys.indices { add(other.keys[i], other.values[i], summed: other.summed[i]) }
  }

  private mutating func add(_ key: String, _ value: Double, summed isCount: Bool) {
    if let i = keys.firstIndex(of: key) {
      values[i] = isCount ? values[i] + value : value
      summed[i] = isCount
    } else {
      keys.append(key)
      values.append(value)
      summed.append(isCount)
    }
  }

  /// The entries of `measures` in their order: a count not reported is 0,
  /// a level not reported is left out; then any other entries.
  public func ordered(by measures: [ActivityMeasure]) -> ControlActivity {
    var out = ControlActivity()
    for m in measures {
      if let v = self[m.key] {
        out.add(m.key, v, summed: m.kind == .count)
      } else if m.kind == .count {
        out.add(m.key, 0, summed: true)
      }
    }
    for i in keys.indices where out[keys[i]] == nil { out.add(keys[i], values[i], summed: summed[i]) }
    return out
  }

  /// Whether the entry under `key` is a count.
  public func isCount(_ key: String) -> Bool {
    keys.firstIndex(of: key).map { summed[$0] } ?? false
  }
}
