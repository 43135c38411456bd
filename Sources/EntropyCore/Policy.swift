import Foundation

/// A tabular softmax policy: S states × K arms of logits in one contiguous,
/// row-major buffer, π(a|s) = exp(z[s,a]) / Σ_b exp(z[s,b]).
///
/// Properties:
/// - Every logit is its own parameter (the paper's tabular assumption, §3.1).
/// - Adding a constant to one state's logits changes nothing observable:
///   π, log π and H are computed from `z − max z`.
/// - A logit of −∞ is valid and means π = 0 (with 0·log 0 = 0); every state
///   keeps at least one finite logit.
///
/// Edge cases: K = 1 gives π = 1 and H = 0 in every state.
public struct Policy: Sendable, Equatable {
  /// Number of states (contexts, prompts).
  public let states: Int
  /// Number of arms (actions, tokens) per state.
  public let arms: Int
  /// The logits, row-major: state s occupies `s*arms ..< (s+1)*arms`.
  public internal(set) var logits: [Double]

  /// A uniform policy (all logits 0) of the given size.
  ///
  /// - Throws: `CoreError.invalidSize` if either count is below 1, or
  ///   `CoreError.tooLarge` if the buffers would not fit in memory.
  public init(states: Int, arms: Int) throws(CoreError) {
    try MemoryBudget.check(states: states, arms: arms)
    self.states = states
    self.arms = arms
    self.logits = RandomFill.zeros(count: states * arms)
  }

  /// A policy from a full row-major logit buffer.
  ///
  /// - Throws: `CoreError` if the count does not match, a logit is NaN or
  ///   +∞, or a state has no finite logit.
  public init(states: Int, arms: Int, logits: [Double]) throws(CoreError) {
    try self.init(states: states, arms: arms)
    guard logits.count == states * arms else {
      throw .shapeMismatch(expected: states * arms, got: logits.count)
    }
    for s in 0..<states {
      try Policy.validateRow(logits[s * arms..<(s + 1) * arms])
    }
    self.logits = logits
  }

  /// The flat index range of state `s`.
  @inlinable
  public func rowRange(_ s: Int) -> Range<Int> { s * arms..<(s + 1) * arms }

  /// The logits of state `s`.
  public func logits(state s: Int) -> ArraySlice<Double> { logits[rowRange(s)] }

  /// Replaces the logits of state `s`.
  ///
  /// - Throws: `CoreError` for a wrong count, NaN or +∞, or no finite logit.
  public mutating func setLogits(_ row: [Double], state s: Int) throws(CoreError) {
    guard row.count == arms else { throw .shapeMismatch(expected: arms, got: row.count) }
    try Policy.validateRow(row[...])
    logits.replaceSubrange(rowRange(s), with: row)
  }

  /// Sets state `s` from probabilities, normalised to sum 1; p = 0 gives a
  /// logit of −∞.
  ///
  /// - Throws: `CoreError.invalidProbabilities` if one is negative or not
  ///   finite, or they sum to 0.
  public mutating func setProbabilities(_ p: [Double], state s: Int) throws(CoreError) {
    try setLogits(try Policy.logits(fromProbabilities: p, arms: arms), state: s)
  }

  /// Logits log(p / Σp) for probabilities `p` (p = 0 gives −∞).
  public static func logits(fromProbabilities p: [Double], arms: Int) throws(CoreError) -> [Double] {
    guard p.count == arms else { throw .shapeMismatch(expected: arms, got: p.count) }
    if let bad = p.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
      throw .invalidProbabilities("p\(bad + 1) = \(p[bad]) is not a finite non-negative number")
    }
    // Scale by the largest entry first so a sum of huge values cannot overflow.
    let largest = p.max() ?? 0
    guard largest > 0 else { throw .invalidProbabilities("the probabilities sum to 0") }
    let total = p.reduce(0) { $0 + $1 / largest }
    return p.map { $0 == 0 ? -Double.infinity : log($0 / largest) - log(total) }
  }

  /// Checks one row: no NaN, no +∞, at least one finite logit.
  static func validateRow(_ row: ArraySlice<Double>) throws(CoreError) {
    var anyFinite = false
    for (i, v) in zip(row.indices, row) {
      if v.isNaN || v == .infinity {
        throw .invalidLogit(index: i - row.startIndex, value: v)
      }
      if v.isFinite { anyFinite = true }
    }
    guard anyFinite else { throw .noFiniteLogit }
  }

  /// The probabilities π(·|s).
  public func probabilities(state s: Int) -> [Double] {
    logits.withUnsafeBufferPointer { all in
      let row = UnsafeBufferPointer(rebasing: all[rowRange(s)])
      return [Double](unsafeUninitializedCapacity: arms) { out, n in
        RowKernels.softmax(row, into: out)
        n = arms
      }
    }
  }

  /// The log-probabilities log π(·|s) (−∞ where π = 0).
  public func logProbabilities(state s: Int) -> [Double] {
    logits.withUnsafeBufferPointer { all in
      let row = UnsafeBufferPointer(rebasing: all[rowRange(s)])
      let (shift, logSum) = RowKernels.logProbabilityShift(row)
      return row.map { ($0 - shift) - logSum }
    }
  }

  /// The entropy H(π|s) = −Σ_a π log π in nats, in [0, log K].
  public func entropy(state s: Int) -> Double {
    logits.withUnsafeBufferPointer { all in
      RowKernels.entropy(UnsafeBufferPointer(rebasing: all[rowRange(s)]))
    }
  }

  /// The entropy of every state (rows on every core when the policy is
  /// large; each row's value does not depend on how they were spread).
  public var entropies: [Double] {
    let (count, k) = (states, arms)
    var out = [Double](repeating: 0, count: count)
    logits.withUnsafeBufferPointer { all in
      out.withUnsafeMutableBufferPointer { o in
        let (z, h) = (SharedBuffer(buffer: all), SharedMutableBuffer(buffer: o))
        ParallelRows.forEach(count, work: count * k) { s in
          h.buffer[s] = RowKernels.entropy(UnsafeBufferPointer(rebasing: z.buffer[(s * k)..<((s + 1) * k)]))
        }
      }
    }
    return out
  }

  /// The mean entropy over states (uniform state weights), as the paper
  /// reports it: exact per-state entropy, then the mean.
  public var meanEntropy: Double {
    entropies.reduce(0, +) / Double(states)
  }

  /// Adds `delta` (a full S × K buffer) to the logits, then re-centres any
  /// row whose largest logit has grown beyond ±`recentreThreshold`.
  ///
  /// Re-centring subtracts the row's maximum: softmax is shift-invariant, so
  /// π, log π and H are unchanged, while logits stay far from overflow.
  ///
  /// - Throws: `CoreError.nonFiniteUpdate` (leaving the policy unchanged) if
  ///   any Δz is not finite where the logit is finite.
  public mutating func apply(_ delta: [Double]) throws(CoreError) {
    guard delta.count == logits.count else { throw .shapeMismatch(expected: logits.count, got: delta.count) }
    var next = logits
    let (count, k) = (states, arms)
    var rowMax = [Double](repeating: -.infinity, count: count)
    let finite = next.withUnsafeMutableBufferPointer { z in
      delta.withUnsafeBufferPointer { d in
        for s in 0..<count {
          let r = (s * k)..<((s + 1) * k)
          guard
            let m = RowKernels.addToLive(
              UnsafeMutableBufferPointer(rebasing: z[r]), UnsafeBufferPointer(rebasing: d[r]))
          else { return false }
          rowMax[s] = m
        }
        return true
      }
    }
    guard finite else { throw .nonFiniteUpdate }
    // Re-centring is sound because softmax is shift-invariant: π, log π and
    // H depend on z − max z only, and the kernels compute exactly z − m, so
    // after z' = z − m (max z' = 0) they see bit-identical values. A dead
    // arm (−∞) stays −∞; a finite logit so far below the maximum that
    // z − m would overflow (say −1e308 − 1e308) is clamped to the most
    // negative finite value instead: its π was exactly 0 before and still
    // is, and it stays a finite (live) logit rather than silently dying.
    for s in 0..<states {
      let r = rowRange(s)
      let m = rowMax[s]
      if abs(m) > Policy.recentreThreshold {
        for i in r where next[i].isFinite { next[i] = max(next[i] - m, -Double.greatestFiniteMagnitude) }
      }
    }
    logits = next
  }

  /// Rows whose largest logit exceeds this magnitude are re-centred after
  /// an update (2²⁰; far beyond any teaching example, far below overflow).
  public static let recentreThreshold = 1_048_576.0
}
