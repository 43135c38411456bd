import Foundation

/// Where the advantages of an exact step come from, row by row.
package enum StepAdvantages: Sendable {
  /// A = μ − V under the policy the step starts from (`Bandit.advantages`),
  /// computed one row at a time.
  case exact(Bandit)
  /// Given, S × K row-major.
  case manual([Double])
}

/// Per-state results of planning an exact step row by row, without an
/// S × K buffer for A or Δz.
package struct RowwiseStepPlan: Sendable {
  /// The predictions of each state's ΔH (the path integral is NaN when it
  /// was not asked for).
  package var predictions: [EntropyPrediction]
  /// E_π A per state before centring (`ExactStep.meanAdvantage`).
  package var meanAdvantage: [Double]
  /// H per state before the step.
  package var entropyBefore: [Double]
  /// Whether every Δz is finite.
  package var deltaFinite: Bool
  /// Whether every live z + Δz (and its Δz) is finite: `Policy.apply`
  /// would accept the step.
  package var applicable: Bool

  /// The mean over states of each prediction, summed in state order
  /// (as `EntropyDynamics.predict(policy:change:)`).
  package var mean: EntropyPrediction {
    let n = Double(predictions.count)
    return EntropyPrediction(
      firstOrder: predictions.reduce(0) { $0 + $1.firstOrder } / n,
      secondOrder: predictions.reduce(0) { $0 + $1.secondOrder } / n,
      pathIntegral: predictions.reduce(0) { $0 + $1.pathIntegral } / n)
  }

  /// The mean entropy before, as `Policy.meanEntropy`.
  package var meanEntropyBefore: Double { entropyBefore.reduce(0, +) / Double(entropyBefore.count) }
}

/// An exact step of a whole policy computed one row at a time on every
/// core: the same kernels, in the same order per row, as
/// `UpdateRule.stepShaped`, `EntropyDynamics.predict(policy:change:)` and
/// `Policy.apply`, so every number is bit-for-bit the one the array-at-a-
/// time path gives, but with no S × K temporary (A and Δz live in one row
/// of scratch per thread).
///
/// A step is two phases, so that a refused step changes nothing: `plan`
/// reads the policy and decides (predictions, finiteness), `apply`
/// recomputes each row's Δz (deterministic, so identical) and writes it in
/// place. Callers that keep Δz pass a buffer to `plan` and the same buffer
/// to `apply`, which then skips the recomputation.
package enum RowwiseExactStep {
  /// Rows per parallel job: a few per core, each job allocating its
  /// scratch rows once.
  static func blocks(states: Int) -> Int {
    min(states, max(1, ProcessInfo.processInfo.activeProcessorCount * 4))
  }

  /// Calls `body` with disjoint ranges of rows covering 0..<states, in
  /// parallel when the job is large, each with two scratch rows of `arms`.
  static func forEachBlock(
    states: Int, arms: Int, work: Int,
    _ body: @Sendable (Range<Int>, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void
  ) {
    let n = blocks(states: states)
    ParallelRows.forEach(n, work: work) { b in
      let rows = (b * states / n)..<((b + 1) * states / n)
      guard !rows.isEmpty else { return }
      let a = UnsafeMutableBufferPointer<Double>.allocate(capacity: arms)
      let d = UnsafeMutableBufferPointer<Double>.allocate(capacity: arms)
      defer {
        a.deallocate()
        d.deallocate()
      }
      body(rows, a, d)
    }
  }

  /// Row `s` of the advantages: the manual row itself, or μ − V computed
  /// into `scratch` exactly as `Bandit.advantages(under:)` does.
  static func advantages(
    _ source: SharedAdvantages, row s: Int, arms: Int, logits z: UnsafeBufferPointer<Double>,
    scratch: UnsafeMutableBufferPointer<Double>
  ) -> UnsafeBufferPointer<Double> {
    let r = (s * arms)..<((s + 1) * arms)
    switch source {
    case .manual(let all):
      return UnsafeBufferPointer(rebasing: all.buffer[r])
    case .exact(let mu):
      let row = UnsafeBufferPointer(rebasing: mu.buffer[r])
      let v = RowKernels.expectation(z, row)
      for i in 0..<arms { scratch[i] = row[i] - v }
      return UnsafeBufferPointer(scratch)
    }
  }

  /// The advantages' buffers, shared read-only by the row jobs.
  enum SharedAdvantages: @unchecked Sendable {
    case exact(SharedBuffer<Double>)
    case manual(SharedBuffer<Double>)
  }

  /// Calls `body` with the source's buffer shared.
  static func withShared<R>(_ source: StepAdvantages, _ body: (SharedAdvantages) -> R) -> R {
    switch source {
    case .exact(let bandit):
      return bandit.meanRewards.withUnsafeBufferPointer { body(.exact(SharedBuffer(buffer: $0))) }
    case .manual(let a):
      return a.withUnsafeBufferPointer { body(.manual(SharedBuffer(buffer: $0))) }
    }
  }

  /// State `s`'s row of the advantages and of Δz, as the whole-array
  /// computation gives them.
  package static func row(
    _ s: Int, of policy: Policy, rule: UpdateRule, advantages source: StepAdvantages, learningRate eta: Double
  ) -> (advantages: [Double], delta: [Double]) {
    let k = policy.arms
    var a = [Double](repeating: 0, count: k)
    var d = [Double](repeating: 0, count: k)
    policy.logits.withUnsafeBufferPointer { zAll in
      withShared(source) { adv in
        a.withUnsafeMutableBufferPointer { aOut in
          d.withUnsafeMutableBufferPointer { dOut in
            let zRow = UnsafeBufferPointer(rebasing: zAll[(s * k)..<((s + 1) * k)])
            let aRow = advantages(adv, row: s, arms: k, logits: zRow, scratch: aOut)
            if aRow.baseAddress != UnsafePointer(aOut.baseAddress) {
              for i in 0..<k { aOut[i] = aRow[i] }
            }
            _ = RowKernels.exactDirection(zRow, advantages: aRow, learningRate: eta, natural: rule == .npg, into: dOut)
          }
        }
      }
    }
    return (a, d)
  }

  /// Reads the policy and plans one exact step of `rule`: per state, the
  /// predictions of ΔH (with the path integral when `pathIntegral`; else
  /// NaN there, and only the moments are computed), E_π A, H before and
  /// whether the step is finite. Writes Δz into `delta` when given (S × K).
  ///
  /// Requirements: the advantages S × K (callers' own state).
  package static func plan(
    _ policy: Policy, rule: UpdateRule, advantages source: StepAdvantages, learningRate eta: Double,
    pathIntegral: Bool, delta: UnsafeMutableBufferPointer<Double>? = nil
  ) -> RowwiseStepPlan {
    let (states, arms) = (policy.states, policy.arms)
    let natural = rule == .npg
    var predictions = [EntropyPrediction](repeating: .zero, count: states)
    var means = [Double](repeating: 0, count: states)
    var entropies = [Double](repeating: 0, count: states)
    var deltaFinite = [Bool](repeating: true, count: states)
    var applicable = [Bool](repeating: true, count: states)
    let out = delta.map { SharedMutableBuffer(buffer: $0) }
    policy.logits.withUnsafeBufferPointer { zAll in
      withShared(source) { adv in
        predictions.withUnsafeMutableBufferPointer { pOut in
          means.withUnsafeMutableBufferPointer { mOut in
            entropies.withUnsafeMutableBufferPointer { hOut in
              deltaFinite.withUnsafeMutableBufferPointer { dfOut in
                applicable.withUnsafeMutableBufferPointer { apOut in
                  let z = SharedBuffer(buffer: zAll)
                  let (p, m, h) = (
                    SharedMutableBuffer(buffer: pOut), SharedMutableBuffer(buffer: mOut),
                    SharedMutableBuffer(buffer: hOut)
                  )
                  let (df, ap) = (SharedMutableBuffer(buffer: dfOut), SharedMutableBuffer(buffer: apOut))
                  // A path integral visits each arm a few dozen times.
                  forEachBlock(states: states, arms: arms, work: states * arms * (pathIntegral ? 16 : 4)) {
                    rows, aScratch, dScratch in
                    for s in rows {
                      let r = (s * arms)..<((s + 1) * arms)
                      let zRow = UnsafeBufferPointer(rebasing: z.buffer[r])
                      let aRow = advantages(adv, row: s, arms: arms, logits: zRow, scratch: aScratch)
                      let dRow = out.map { UnsafeMutableBufferPointer(rebasing: $0.buffer[r]) } ?? dScratch
                      m.buffer[s] = RowKernels.exactDirection(
                        zRow, advantages: aRow, learningRate: eta, natural: natural, into: dRow)
                      let d = UnsafeBufferPointer(dRow)
                      if pathIntegral {
                        p.buffer[s] = EntropyDynamics.predict(row: zRow, change: d)
                      } else {
                        // `EntropyDynamics.predict`'s first two, from the same moments.
                        let mo = RowKernels.moments(zRow, d)
                        let first = -mo.covariance
                        p.buffer[s] = EntropyPrediction(
                          firstOrder: first, secondOrder: first - 0.5 * (mo.varianceD + mo.thirdMoment),
                          pathIntegral: .nan)
                      }
                      h.buffer[s] = RowKernels.entropy(zRow)
                      df.buffer[s] = d.allSatisfy(\.isFinite)
                      ap.buffer[s] = RowKernels.liveSumIsFinite(zRow, d)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return RowwiseStepPlan(
      predictions: predictions, meanAdvantage: means, entropyBefore: entropies,
      deltaFinite: !deltaFinite.contains(false), applicable: !applicable.contains(false))
  }

  /// Applies the step `plan` accepted, in place: per row Δz (from `delta`
  /// when given, else recomputed from the same logits and advantages),
  /// z += Δz on live arms, re-centring as `Policy.apply` does. Returns H
  /// per state after the step.
  ///
  /// Requirements: `plan` of the same policy, rule, advantages and η
  /// returned `applicable` (so no row can fail half-way).
  package static func apply(
    _ policy: inout Policy, rule: UpdateRule, advantages source: StepAdvantages, learningRate eta: Double,
    delta: UnsafeBufferPointer<Double>? = nil
  ) -> [Double] {
    let (states, arms) = (policy.states, policy.arms)
    let natural = rule == .npg
    var entropies = [Double](repeating: 0, count: states)
    let given = delta.map { SharedBuffer(buffer: $0) }
    policy.logits.withUnsafeMutableBufferPointer { zAll in
      withShared(source) { adv in
        entropies.withUnsafeMutableBufferPointer { hOut in
          let z = SharedMutableBuffer(buffer: zAll)
          let h = SharedMutableBuffer(buffer: hOut)
          forEachBlock(states: states, arms: arms, work: states * arms * 4) { rows, aScratch, dScratch in
            for s in rows {
              let r = (s * arms)..<((s + 1) * arms)
              let zRow = UnsafeMutableBufferPointer(rebasing: z.buffer[r])
              let d: UnsafeBufferPointer<Double>
              if let given {
                d = UnsafeBufferPointer(rebasing: given.buffer[r])
              } else {
                let aRow = advantages(adv, row: s, arms: arms, logits: UnsafeBufferPointer(zRow), scratch: aScratch)
                _ = RowKernels.exactDirection(
                  UnsafeBufferPointer(zRow), advantages: aRow, learningRate: eta, natural: natural, into: dScratch)
                d = UnsafeBufferPointer(dScratch)
              }
              // `plan` checked this row: addToLive cannot fail here.
              let m = RowKernels.addToLive(zRow, d) ?? 0
              if abs(m) > Policy.recentreThreshold {
                for i in zRow.indices where zRow[i].isFinite {
                  zRow[i] = max(zRow[i] - m, -Double.greatestFiniteMagnitude)
                }
              }
              h.buffer[s] = RowKernels.entropy(UnsafeBufferPointer(zRow))
            }
          }
        }
      }
    }
    return entropies
  }
}
