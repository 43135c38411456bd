import Foundation

/// A schedule of one control parameter over the steps of a session:
/// value(t) = from + (to − from)·p(t), with t the steps taken since the
/// schedule was set, p = min(t/N, 1) (`linear`) or ½(1 − cos(π·min(t/N, 1)))
/// (`cos`): Entrocraft's band schedules, applied to any coefficient.
public struct ControlSchedule: Sendable, Equatable {
  /// How the value moves from `from` to `to`.
  public enum Shape: String, Sendable, Equatable, CaseIterable {
    /// p = t/N.
    case linear
    /// p = ½(1 − cos(π·t/N)).
    case cos
  }

  /// The index of the parameter it moves.
  public var parameter: Int
  /// Linear or cosine.
  public var shape: Shape
  /// The value at t = 0.
  public var from: Double
  /// The value from t = N on.
  public var to: Double
  /// N: the steps it takes.
  public var over: Int
  /// The session step it was set at (t = step − start).
  public var start: Int

  /// A schedule from its parts.
  public init(parameter: Int, shape: Shape, from: Double, to: Double, over: Int, start: Int) {
    self.parameter = parameter
    self.shape = shape
    self.from = from
    self.to = to
    self.over = over
    self.start = start
  }

  /// p(t) in [0, 1].
  public func progress(atStep step: Int) -> Double {
    let t = Double(max(0, step - start))
    let x = over > 0 ? min(t / Double(over), 1) : 1
    switch shape {
    case .linear: return x
    case .cos: return 0.5 * (1 - Foundation.cos(Double.pi * x))
    }
  }

  /// The value at session step `step` (steps taken before it).
  public func value(atStep step: Int) -> Double {
    from + (to - from) * progress(atStep: step)
  }
}
