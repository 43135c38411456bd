import Dispatch

/// Runs independent per-state work on every core.
///
/// Rows of a policy are independent, so the only shared state is the
/// buffers, and every iteration touches a disjoint row range of them: that
/// is the invariant that makes the `@unchecked Sendable` wrappers below
/// sound (no two iterations read and write the same element).
package enum ParallelRows {
  /// Calls `body(s)` for every s in 0..<count, spread over the cores
  /// (Dispatch's `concurrentPerform`), and returns when all are done.
  ///
  /// Small jobs (count·cost below `serialWork` arm-visits) run serially on
  /// the calling thread: waking the pool costs tens of microseconds, more
  /// than the interactive sizes (K ≤ 10,000) take in one thread.
  package static func forEach(_ count: Int, work: Int, _ body: @Sendable (Int) -> Void) {
    guard count > 1, work >= serialWork else {
      for s in 0..<count { body(s) }
      return
    }
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
  }

  /// Below this many arm-visits a job runs on the calling thread.
  package static let serialWork = 65_536
}

/// A mutable buffer shared by iterations that write disjoint elements.
struct SharedMutableBuffer<Element>: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<Element>
}

/// A read-only buffer shared by iterations.
struct SharedBuffer<Element>: @unchecked Sendable {
  let buffer: UnsafeBufferPointer<Element>
}

/// The result of one fused exact step over S states.
package struct ExactStepSummary: Sendable, Equatable {
  /// Per-state results, in state order.
  package var perState: [RowStepResult]

  /// Mean over states of H before (uniform state weights).
  package var meanEntropyBefore: Double { mean(\.entropyBefore) }
  /// Mean over states of H after.
  package var meanEntropyAfter: Double { mean(\.entropyAfter) }
  /// Mean over states of H(after) − H(before), each state's difference
  /// taken first (as the NumPy peer does).
  package var meanEntropyChange: Double { mean(\.entropyChange) }
  /// Mean over states of −Cov_π(log π, Δz).
  package var meanFirstOrder: Double { mean(\.firstOrder) }

  /// The mean of one per-state number, summed in state order.
  private func mean(_ value: (RowStepResult) -> Double) -> Double {
    guard !perState.isEmpty else { return 0 }
    return perState.reduce(0) { $0 + value($1) } / Double(perState.count)
  }
}

extension RowKernels {
  /// One exact step of every state of a row-major S × K logit buffer, in
  /// place and in parallel over states (see the single-row overload).
  package static func exactStepInPlace(
    logits z: UnsafeMutableBufferPointer<Double>, advantages a: UnsafeBufferPointer<Double>,
    states: Int, arms: Int, learningRate eta: Double, natural: Bool
  ) -> ExactStepSummary {
    var carries: [RowCarry?] = []
    return exactStepInPlace(
      logits: z, advantages: a, states: states, arms: arms, learningRate: eta, natural: natural, carries: &carries)
  }

  /// The same with each row's carried sums (`RowCarry`): pass an empty
  /// array to start from scratch; on return it holds one carry per state,
  /// valid for the next step while the logits and advantages are untouched
  /// in between.
  package static func exactStepInPlace(
    logits z: UnsafeMutableBufferPointer<Double>, advantages a: UnsafeBufferPointer<Double>,
    states: Int, arms: Int, learningRate eta: Double, natural: Bool, carries: inout [RowCarry?]
  ) -> ExactStepSummary {
    precondition(states >= 0 && arms >= 0, "sizes must not be negative")
    precondition(z.count == states * arms && a.count == states * arms, "logits and A must be S × K")
    if carries.count != states { carries = [RowCarry?](repeating: nil, count: states) }
    var results = [RowStepResult](repeating: .unchanged, count: states)
    let zs = SharedMutableBuffer(buffer: z)
    let aShared = SharedBuffer(buffer: a)
    results.withUnsafeMutableBufferPointer { out in
      carries.withUnsafeMutableBufferPointer { carryBuffer in
        let rs = SharedMutableBuffer(buffer: out)
        let cs = SharedMutableBuffer(buffer: carryBuffer)
        ParallelRows.forEach(states, work: states * arms) { s in
          let r = s * arms..<(s + 1) * arms
          rs.buffer[s] = exactStepInPlace(
            UnsafeMutableBufferPointer(rebasing: zs.buffer[r]),
            advantages: UnsafeBufferPointer(rebasing: aShared.buffer[r]),
            learningRate: eta, natural: natural, carry: &cs.buffer[s])
        }
      }
    }
    return ExactStepSummary(perState: results)
  }
}

extension Policy {
  /// Applies one exact step of `rule` in place, one pass per row on every
  /// core, and reports the entropy before and after and the first-order
  /// prediction per state: the fast equivalent of `rule.step`, then
  /// `apply`, then `EntropyDynamics.predict(...).firstOrder`.
  ///
  /// - Throws: `CoreError.shapeMismatch` for a wrong count of advantages,
  ///   `CoreError.nonFinite` for a non-finite advantage or learning rate,
  ///   `CoreError.nonFiniteUpdate` (policy unchanged) if a logit would
  ///   become non-finite.
  package mutating func applyExactStep(
    _ rule: UpdateRule, advantages: [Double], learningRate eta: Double
  ) throws(CoreError) -> ExactStepSummary {
    guard advantages.count == logits.count else {
      throw .shapeMismatch(expected: logits.count, got: advantages.count)
    }
    guard eta.isFinite else { throw .nonFinite(what: "learning rate") }
    var largestA = 0.0
    for v in advantages {
      guard v.isFinite else { throw .nonFinite(what: "advantage") }
      largestA = max(largestA, abs(v))
    }
    var largestZ = 0.0
    for v in logits where v.isFinite { largestZ = max(largestZ, abs(v)) }
    // |Δz| ≤ |η|·2·max|A| (π ≤ 1, |E_π A| ≤ max|A|): when that cannot reach
    // the overflow threshold the step runs in place; otherwise on a copy
    // that is checked before it replaces the logits.
    let (s, k, natural) = (states, arms, rule == .npg)
    if largestZ + abs(eta) * 2 * largestA < 1e307 {
      return logits.withUnsafeMutableBufferPointer { z in
        advantages.withUnsafeBufferPointer { a in
          RowKernels.exactStepInPlace(logits: z, advantages: a, states: s, arms: k, learningRate: eta, natural: natural)
        }
      }
    }
    var next = logits
    let summary = next.withUnsafeMutableBufferPointer { z in
      advantages.withUnsafeBufferPointer { a in
        RowKernels.exactStepInPlace(logits: z, advantages: a, states: s, arms: k, learningRate: eta, natural: natural)
      }
    }
    for (old, new) in zip(logits, next) where old.isFinite && !new.isFinite { throw .nonFiniteUpdate }
    logits = next
    return summary
  }
}
