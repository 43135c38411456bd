import EntropyCore
import Foundation

/// A sweep as tidy data: one row per combination × seed × step, with the
/// run's number, its settings (one column per swept key) and seed, then
/// every metric of `TrajectoryExport` at 17 significant digits.
///
/// CSV: a header line, then one line per step; settings are written as
/// their JSON values' text (numbers at 17 significant digits, words bare);
/// an exact step leaves the sampled columns empty. JSON: an array with one
/// object per step (`run`, `combination`, the settings, `seed`, then the
/// step's keys; sampled keys only for a sampled step). Failed runs are
/// written up to the step where they stopped, with `error` set.
public enum SweepExport {
  /// The tidy CSV text.
  public static func csv(_ o: SweepOutcome) -> String {
    let keys = TrajectoryExport.stepKeys + TrajectoryExport.sampledKeys
    let settingKeys = o.grid.axes.map(\.key)
    var out =
      (["run", "combination"] + settingKeys + ["seed"] + keys + ["error"]).map(csvField).joined(separator: ",") + "\n"
    for r in o.runs {
      let settings = o.settingValues[r.combination].map(settingText)
      let prefix = ([String(r.index), String(r.combination)] + settings + [String(r.seed)]).map(csvField)
      for record in r.records {
        let values = Dictionary(TrajectoryExport.fields(record), uniquingKeysWith: { first, _ in first })
        let fields = keys.map { key in values[key].map(TrajectoryExport.csvText) ?? "" }
        out += (prefix + fields + [csvField(r.failure ?? "")]).joined(separator: ",") + "\n"
      }
    }
    return out
  }

  /// The tidy JSON text: an array of one object per step, one per line.
  public static func json(_ o: SweepOutcome) -> String {
    var lines: [String] = []
    for r in o.runs {
      let prefix: [(String, JSONValue)] =
        [("run", .int(r.index)), ("combination", .int(r.combination))] + o.settings(r.combination) + [
          ("seed", .int(Int(r.seed)))
        ] + (r.failure.map { [("error", JSONValue.string($0))] } ?? [])
      for record in r.records {
        guard case .object(let step) = SweepOutcome.stepJSON(record) else { continue }
        lines.append(JSONValue.object(prefix + step).serialized)
      }
    }
    return lines.isEmpty ? "[]\n" : "[\n" + lines.joined(separator: ",\n") + "\n]\n"
  }

  /// How many rows an export has.
  public static func rowCount(_ o: SweepOutcome) -> Int { o.runs.reduce(0) { $0 + $1.records.count } }

  static func settingText(_ v: JSONValue) -> String {
    switch v {
    case .string(let s): return s
    case .number(let x): return TrajectoryExport.csvText(.number(x))
    default: return v.serialized
    }
  }

  /// A CSV field, quoted when it holds a comma, quote or line break.
  static func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
