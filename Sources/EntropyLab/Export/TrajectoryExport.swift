import EntropyCore
import Foundation

/// A session's trajectory as data files: CSV for a spreadsheet or pandas,
/// JSON for scripts. One row (object) per step, every metric.
///
/// The keys are those of the shell's `step`/`history` JSON:
/// `step`, `entropy_before`, `entropy_after`, `entropy_change`,
/// `first_order`, `second_order`, `path_integral`, `first_order_residual`,
/// `expected_reward`, and for sampled (GRPO) steps `tokens`, the classic
/// controls' activity (`candidates`, `clipped`, `penalized`), `ppo_clipped`, `population_term`, `responses`,
/// `dual_clipped`, `rollout_passes`, `groups_drawn`, `updates`,
/// `response_covariance` (the paper's Fig. 8 measure: per prompt, the
/// covariance over its responses of the length-normalised log π and A,
/// averaged over prompts) and `token_covariance` (the same over tokens),
/// then every other control's activity by its key (e.g. `cispo_capped`)
/// and each scheduled value as `NAME.PARAM`; the CSV header adds those
/// present in the trajectory.
///
/// Properties:
/// - numbers are written with 17 significant digits, so every Double reads
///   back to the same value;
/// - the CSV header is always the full list of keys; an exact step leaves
///   the sampled columns empty (pandas reads them as NaN);
/// - a JSON object carries the sampled keys only for a sampled step.
///
/// Edge cases: a non-finite number is written `nan`, `inf` or `-inf` in
/// CSV (pandas reads those) and `null` in JSON (which has no such values).
public enum TrajectoryExport {
  /// The keys every step has.
  public static let stepKeys = [
    "step", "entropy_before", "entropy_after", "entropy_change", "first_order", "second_order", "path_integral",
    "first_order_residual", "expected_reward",
  ]
  /// The keys every sampled step has: the classic controls' activity keys
  /// (`candidates`, `clipped`, `penalized`: 0 when off) sit after `tokens`.
  public static var sampledKeys: [String] {
    ["tokens"] + ActivityColumns.classic.map(\.key) + [
      "ppo_clipped", "population_term", "responses", "dual_clipped",
      "rollout_passes", "groups_drawn", "updates", "response_covariance", "token_covariance",
    ]
  }

  /// One value of a step: a count or a measurement.
  enum Value {
    case int(Int)
    case number(Double)
  }

  /// A step's values under their keys, in `stepKeys` then `sampledKeys`
  /// order (the latter only for a sampled step).
  static func fields(_ r: StepRecord) -> [(String, Value)] {
    var fields: [(String, Value)] = [
      ("step", .int(r.step)), ("entropy_before", .number(r.entropyBefore)), ("entropy_after", .number(r.entropyAfter)),
      ("entropy_change", .number(r.entropyChange)), ("first_order", .number(r.prediction.firstOrder)),
      ("second_order", .number(r.prediction.secondOrder)), ("path_integral", .number(r.prediction.pathIntegral)),
      ("first_order_residual", .number(r.firstOrderResidual)), ("expected_reward", .number(r.expectedReward)),
    ]
    if let c = r.sampled {
      let classic = ActivityColumns.classic
      fields += [("tokens", .int(c.tokens))]
      fields += classic.map { ($0.key, .int(c.activity.count($0.key))) }
      fields += [
        ("ppo_clipped", .int(c.ppoClipped)),
        ("population_term", .number(c.populationTerm)), ("responses", .int(c.responses)),
        ("dual_clipped", .int(c.dualClipped)), ("rollout_passes", .int(c.passes)),
        ("groups_drawn", .int(c.groupsDrawn)),
        ("updates", .int(c.updates)), ("response_covariance", .number(c.responseCovariance)),
        ("token_covariance", .number(c.tokenCovariance)),
      ]
      // Every other control's activity (and scheduled values), by key.
      let fixed = Set(classic.map(\.key))
      for (key, value) in zip(c.activity.keys, c.activity.values) where !fixed.contains(key) {
        fields.append((key, c.activity.isCount(key) ? .int(Int(value)) : .number(value)))
      }
    }
    return fields
  }

  /// The trajectory as CSV: a header line, then one line per step, each
  /// ending in `\n`.
  public static func csv(_ trajectory: [StepRecord]) -> String {
    let keys =
      stepKeys + sampledKeys
      + ActivityColumns.extra(trajectory.compactMap { $0.sampled?.activity }).map(\.key)
    var out = keys.joined(separator: ",") + "\n"
    for record in trajectory {
      let values = Dictionary(fields(record), uniquingKeysWith: { first, _ in first })
      out += keys.map { key in values[key].map(csvText) ?? "" }.joined(separator: ",") + "\n"
    }
    return out
  }

  /// The trajectory as a JSON array with one object per line.
  public static func json(_ trajectory: [StepRecord]) -> String {
    let objects = trajectory.map { record in
      JSONValue.object(
        fields(record).map { key, value in
          switch value {
          case .int(let i): return (key, JSONValue.int(i))
          case .number(let x): return (key, JSONValue.number(x))
          }
        }
      ).serialized
    }
    return objects.isEmpty ? "[]\n" : "[\n" + objects.joined(separator: ",\n") + "\n]\n"
  }

  /// A CSV field: a count, or a number with 17 significant digits.
  static func csvText(_ value: Value) -> String {
    switch value {
    case .int(let i): return String(i)
    case .number(let x):
      if x.isNaN { return "nan" }
      if x.isInfinite { return x < 0 ? "-inf" : "inf" }
      return String(format: "%.17g", x)
    }
  }
}
