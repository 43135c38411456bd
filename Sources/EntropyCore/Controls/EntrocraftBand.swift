import Foundation

/// Entrocraft's entropy band [lb, ub] and its schedule (literature.md §2,
/// VERIFIED from github.com/lblaoke/entrocraft @26165bd, `core_algos.py`
/// `compute_grpo_range{,_linear,_cos}_outcome_advantage`).
///
/// lb(t) = lb₀ + (lb₁ − lb₀)·p(t) and likewise ub, with p = t/T (linear)
/// or ½(1 − cos(πt/T)) (cos); `fixed` keeps (lb₀, ub₀). t is the step and
/// T the schedule's length. The released code never runs past T; here
/// p stays at 1 from t = T on (the band stops at (lb₁, ub₁)).
public struct EntrocraftBand: Sendable, Equatable {
  /// How the band moves.
  public enum Schedule: String, Sendable, Equatable, CaseIterable {
    /// (lb₀, ub₀) at every step (`grpo_range`).
    case fixed
    /// p = t/T (`grpo_range_linear`).
    case linear
    /// p = ½(1 − cos(πt/T)) (`grpo_range_cos`).
    case cos
  }

  /// The schedule.
  public var schedule: Schedule
  /// lb₀ and ub₀: the band at t = 0 (and always, when fixed).
  public var start: (low: Double, high: Double)
  /// lb₁ and ub₁: the band at t = T.
  public var end: (low: Double, high: Double)
  /// T: the number of steps the band takes to move from start to end.
  public var steps: Int

  /// A band from its parts.
  public init(schedule: Schedule, start: (low: Double, high: Double), end: (low: Double, high: Double), steps: Int) {
    self.schedule = schedule
    self.start = start
    self.end = end
    self.steps = steps
  }

  /// A fixed band.
  public static func fixed(low: Double, high: Double) -> EntrocraftBand {
    EntrocraftBand(schedule: .fixed, start: (low, high), end: (low, high), steps: 1)
  }

  /// p(t) in [0, 1]: 0 for `fixed`, and 1 from t = T on.
  public func progress(step t: Int) -> Double {
    guard schedule != .fixed, steps > 0 else { return 0 }
    let x = min(max(Double(t) / Double(steps), 0), 1)
    switch schedule {
    case .fixed: return 0
    case .linear: return x
    case .cos: return 0.5 * (1 - Foundation.cos(Double.pi * x))
    }
  }

  /// (lb(t), ub(t)).
  public func bounds(step t: Int) -> (low: Double, high: Double) {
    let p = progress(step: t)
    return (start.low + (end.low - start.low) * p, start.high + (end.high - start.high) * p)
  }

  public static func == (a: EntrocraftBand, b: EntrocraftBand) -> Bool {
    a.schedule == b.schedule && a.start == b.start && a.end == b.end && a.steps == b.steps
  }
}
