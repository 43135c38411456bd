import Dispatch
import Foundation

/// The vocabulary-scale workload of issue 5, fixed so that any
/// implementation can be compared: S states × K arms in Double, logits
/// z = 6·u − 3 (seed 1) and advantages A = 2·u − 1 (seed 2) with
/// u = `SplitMix64.uniform(seed:index:)` at flat index s·K + a, then exact
/// PG steps at learning rate η, each reporting the mean-over-states entropy
/// before and after, the actual change and the first-order prediction.
///
/// The NumPy peer `shared/bench/numpy_step.py` does exactly this.
package struct VocabularyWorkload: Sendable, Equatable {
  /// Number of states.
  package var states: Int
  /// Arms per state.
  package var arms: Int
  /// Steps to run.
  package var steps: Int
  /// The learning rate η.
  package var learningRate: Double
  /// Whether each step starts from the softmax sums the previous step left
  /// (`RowCarry`: one read of each row per step from the second step on)
  /// or recomputes them from the logits (three reads, as the NumPy peer
  /// does).
  package var carry: Bool

  /// The defaults: 256 × 151,936 (Qwen2.5's vocabulary), 5 steps,
  /// η = 0.5.
  package init(states: Int = 256, arms: Int = 151_936, steps: Int = 5, learningRate: Double = 0.5, carry: Bool = true) {
    self.states = states
    self.arms = arms
    self.steps = steps
    self.learningRate = learningRate
    self.carry = carry
  }

  /// Seed of the logits.
  package static let logitSeed: UInt64 = 1
  /// Seed of the advantages.
  package static let advantageSeed: UInt64 = 2

  /// Arrays the workload holds: logits and advantages (Δz is never stored).
  package static let arrays = 2

  /// Bytes of the arrays the workload needs.
  package var bytes: Double { Double(states) * Double(arms) * 8 * Double(Self.arrays) }

  /// The logit at flat index i.
  package static func logit(_ i: Int) -> Double { 6 * SplitMix64.uniform(seed: logitSeed, index: UInt64(i)) + -3 }

  /// The advantage at flat index i.
  package static func advantage(_ i: Int) -> Double {
    2 * SplitMix64.uniform(seed: advantageSeed, index: UInt64(i)) + -1
  }
}

/// One measured step.
package struct StepMeasurement: Sendable, Equatable {
  /// 1-based step number.
  package var step: Int
  /// Mean over states of H before the step.
  package var entropyBefore: Double
  /// Mean over states of H after the step.
  package var entropyAfter: Double
  /// Mean over states of H(after) − H(before).
  package var entropyChange: Double
  /// Mean over states of −Cov_π(log π, Δz).
  package var firstOrder: Double
  /// Wall-clock seconds of the step.
  package var seconds: Double
}

/// The result of a run.
package struct VocabularyReport: Sendable, Equatable {
  /// The workload run.
  package var workload: VocabularyWorkload
  /// One entry per step.
  package var steps: [StepMeasurement]
  /// Seconds to allocate and fill the inputs (not part of any step).
  package var fillSeconds: Double
  /// Peak resident memory of the process in bytes (VmHWM), if known.
  package var peakResidentBytes: Double?
  /// Threads the steps ran on.
  package var threads: Int

  /// The median of the step times (the upper median for an even count,
  /// as the NumPy peer takes `sorted(times)[n // 2]`).
  package var medianSeconds: Double {
    let t = steps.map(\.seconds).sorted()
    return t.isEmpty ? 0 : t[t.count / 2]
  }
}

/// Runs the vocabulary workload with the fused kernels.
package enum VocabularyBenchmark {
  /// Allocates and fills the inputs, then runs the steps.
  ///
  /// - Parameter onStep: called after each step (for live printing).
  /// - Throws: `CoreError` for a non-positive size or step count, a
  ///   non-finite learning rate, or arrays that would not fit in memory
  ///   (checked by `MemoryBudget` before anything is allocated).
  package static func run(
    _ w: VocabularyWorkload, onStep: (StepMeasurement) -> Void = { _ in }
  ) throws(CoreError) -> VocabularyReport {
    guard w.steps >= 1 else { throw .invalidSize(what: "steps", value: w.steps) }
    guard w.learningRate.isFinite else { throw .nonFinite(what: "learning rate") }
    try MemoryBudget.check(states: w.states, arms: w.arms, arrays: VocabularyWorkload.arrays)
    let (s, k) = (w.states, w.arms)
    let n = s * k

    let fillStart = now()
    let z = fill(count: n, seed: VocabularyWorkload.logitSeed, scale: 6, offset: -3)
    let a = fill(count: n, seed: VocabularyWorkload.advantageSeed, scale: 2, offset: -1)
    defer {
      z.deallocate()
      a.deallocate()
    }
    let fillSeconds = now() - fillStart

    var steps: [StepMeasurement] = []
    var carries: [RowCarry?] = []
    for step in 1...w.steps {
      if !w.carry { carries = [] }
      let t0 = now()
      let summary = RowKernels.exactStepInPlace(
        logits: z, advantages: UnsafeBufferPointer(a), states: s, arms: k, learningRate: w.learningRate,
        natural: false, carries: &carries)
      let seconds = now() - t0
      let m = StepMeasurement(
        step: step, entropyBefore: summary.meanEntropyBefore, entropyAfter: summary.meanEntropyAfter,
        entropyChange: summary.meanEntropyChange, firstOrder: summary.meanFirstOrder, seconds: seconds)
      steps.append(m)
      onStep(m)
    }
    return VocabularyReport(
      workload: w, steps: steps, fillSeconds: fillSeconds, peakResidentBytes: ProcessMemory.peakResidentBytes,
      threads: ProcessInfo.processInfo.activeProcessorCount)
  }

  /// A buffer of `count` values scale·u(i) + offset with
  /// u(i) = `SplitMix64.uniform(seed:index:)`, filled in parallel.
  ///
  /// Raw allocation rather than an Array: nothing is zeroed first, and the
  /// pages are first touched by the filling threads.
  static func fill(count n: Int, seed: UInt64, scale: Double, offset: Double) -> UnsafeMutableBufferPointer<Double> {
    let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    let shared = SharedMutableBuffer(buffer: buffer)
    let chunks = 64
    let per = (n + chunks - 1) / chunks
    ParallelRows.forEach(chunks, work: n) { c in
      let lo = min(n, c * per)
      let hi = min(n, lo + per)
      // Two roundings, like NumPy's 6.0*u - 3.0 (Swift does not contract).
      for i in lo..<hi { shared.buffer[i] = scale * SplitMix64.uniform(seed: seed, index: UInt64(i)) + offset }
    }
    return buffer
  }

  /// Monotonic seconds.
  static func now() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
  }
}
