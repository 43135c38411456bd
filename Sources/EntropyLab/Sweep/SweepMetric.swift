import EntropyCore

/// A per-step quantity a sweep summarises: its name in the shell, its key
/// in JSON and exports, and how it is read from a step's values.
///
/// Every metric is computed from a step's exported fields (the keys of
/// `TrajectoryExport`), so a summary computed from a run's JSON line is the
/// same, bit for bit, as one computed in memory: that is what lets
/// `entropy-lab merge` reproduce an unsharded sweep.
public struct SweepMetric: Sendable {
  /// The name typed in `sweep … show M` and `plot sweep … M`.
  public var name: String
  /// The key in JSON summaries.
  public var key: String
  /// A heading for tables and plots.
  public var title: String
  /// Its value from a step's fields (key → number); nil if it has none
  /// (e.g. a token count of an exact step).
  public var value: @Sendable ([String: Double]) -> Double?

  /// Every metric, in table order: the controls' activity measures come
  /// from the control registry (the classic controls' after `tokens`,
  /// every other control's at the end, each named by its key).
  public static var all: [SweepMetric] {
    let classic = ActivityColumns.classic.map(\.key)
    let others = EntropyControls.measures.map(\.key).filter { !classic.contains($0) }
    return fixed.prefix { $0.key != "ppo_clipped" } + classic.map { field($0, $0, $0) }
      + fixed.drop { $0.key != "ppo_clipped" } + others.map { field($0, $0, $0) }
  }

  /// The metrics that are not a control's.
  static let fixed: [SweepMetric] = [
    field("H", "entropy_after", "H"),
    field("R", "expected_reward", "R"),
    field("dH", "entropy_change", "ΔH"),
    field("first", "first_order", "1st order"),
    field("second", "second_order", "2nd order"),
    field("path", "path_integral", "path integral"),
    field("residual", "first_order_residual", "1st-order residual"),
    SweepMetric(
      name: "relerr", key: "first_order_relative_error", title: "|1st-order residual| / |ΔH|",
      value: { f in
        guard let r = f["first_order_residual"], let d = f["entropy_change"] else { return nil }
        return abs(r) / abs(d)
      }),
    field("tokens", "tokens", "tokens"),
    field("ppo_clipped", "ppo_clipped", "PPO-clipped"),
    field("population", "population_term", "population term"),
  ]

  /// A metric that is one exported field.
  static func field(_ name: String, _ key: String, _ title: String) -> SweepMetric {
    SweepMetric(name: name, key: key, title: title, value: { $0[key] })
  }

  /// The metric named `name` (its shell name or its JSON key).
  public static func named(_ name: String) -> SweepMetric? {
    all.first { $0.name == name || $0.key == name }
  }

  /// A step's exported fields as numbers: non-finite values become NaN
  /// (as JSON's `null` reads back), counts become Doubles.
  static func fields(_ record: StepRecord) -> [String: Double] {
    var out: [String: Double] = [:]
    for (key, value) in TrajectoryExport.fields(record) {
      switch value {
      case .int(let i): out[key] = Double(i)
      case .number(let x): out[key] = x.isFinite ? x : .nan
      }
    }
    return out
  }
}
