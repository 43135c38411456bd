import EntropyCore
import Foundation
import Testing

// Shared helpers for the core's tests: tolerance checks that say what went
// wrong, the spec's printed numbers with their printed precision, seeded
// random inputs, and one-row wrappers around the core's API.

/// Checks |observed − expected| ≤ tolerance; on failure the message shows
/// the expected value, the observed value and the error.
///
/// Equal values pass even when infinite; NaN never passes.
func expectClose(
  _ observed: Double, _ expected: Double, tolerance: Double, _ label: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let error = observed == expected ? 0 : abs(observed - expected)
  let prefix = label.isEmpty ? "" : "\(label): "
  #expect(
    error <= tolerance,
    Comment(rawValue: "\(prefix)expected \(expected), observed \(observed), error \(error) > \(tolerance)"),
    sourceLocation: sourceLocation)
}

/// Element-wise `expectClose` for two vectors of the same length.
func expectClose(
  _ observed: [Double], _ expected: [Double], tolerance: Double, _ label: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    observed.count == expected.count,
    Comment(rawValue: "\(label): expected \(expected.count) values, observed \(observed.count)"),
    sourceLocation: sourceLocation)
  for i in 0..<min(observed.count, expected.count) {
    expectClose(
      observed[i], expected[i], tolerance: tolerance, "\(label)[\(i)]", sourceLocation: sourceLocation)
  }
}

/// A number as the spec prints it, e.g. "−4.055103e−4": its value and half a
/// unit in its last printed digit, the most its rounding can be off by.
struct SpecNumber: Sendable, CustomStringConvertible {
  /// The printed text.
  let text: String
  /// The value.
  let value: Double
  /// Half a unit in the last printed digit.
  let halfUnit: Double

  init(_ text: String) {
    self.text = text
    let ascii = text.replacingOccurrences(of: "−", with: "-")
    let parts = ascii.lowercased().split(separator: "e", maxSplits: 1)
    let mantissa = parts.first.map(String.init) ?? ""
    let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    let decimals = mantissa.split(separator: ".").dropFirst().first?.count ?? 0
    self.value = Double(ascii) ?? .nan
    self.halfUnit = 0.5 * pow(10, Double(exponent - decimals))
  }

  /// The tolerance for a check against this number: its rounding, plus a
  /// few ulps for the conversion to binary.
  var tolerance: Double { halfUnit * (1 + 1e-6) + 4 * value.magnitude.ulp }

  var description: String { text }
}

/// Seeded random inputs (the generator under test only supplies inputs,
/// never expected values).
enum TestRandom {
  /// A uniform draw in [lo, hi).
  static func uniform(_ lo: Double, _ hi: Double, using g: inout SplitMix64) -> Double {
    lo + (hi - lo) * g.nextUnit()
  }

  /// `n` normal draws with standard deviation `scale`.
  static func normals(_ n: Int, scale: Double, using g: inout SplitMix64) -> [Double] {
    (0..<n).map { _ in scale * Sampling.standardNormal(using: &g) }
  }

  /// `n` uniform draws in [lo, hi).
  static func uniforms(_ n: Int, _ lo: Double, _ hi: Double, using g: inout SplitMix64) -> [Double] {
    (0..<n).map { _ in uniform(lo, hi, using: &g) }
  }

  /// A uniform integer in lo...hi.
  static func int(_ lo: Int, _ hi: Int, using g: inout SplitMix64) -> Int {
    lo + Sampling.uniformInt(below: hi - lo + 1, using: &g)
  }
}

/// One-row conveniences over the core's API.
enum Row {
  /// A one-state policy with logits `z`.
  static func policy(_ z: [Double]) throws -> Policy {
    try Policy(states: 1, arms: z.count, logits: z)
  }

  /// `EntropyDynamics.predict` for one row.
  static func predict(_ z: [Double], _ d: [Double]) -> EntropyPrediction {
    z.withUnsafeBufferPointer { zb in d.withUnsafeBufferPointer { EntropyDynamics.predict(row: zb, change: $0) } }
  }

  /// The actual change H(after) − H(before) of applying `d` to state `s`
  /// (`d` is the full S × K change).
  static func actualChange(_ policy: Policy, _ d: [Double], state s: Int = 0) throws -> Double {
    var after = policy
    try after.apply(d)
    return after.entropy(state: s) - policy.entropy(state: s)
  }

  /// The actual change of one row `z` under `d`.
  static func actualChange(_ z: [Double], _ d: [Double]) throws -> Double {
    try actualChange(try policy(z), d)
  }
}
