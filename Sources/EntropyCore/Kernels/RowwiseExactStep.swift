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
  /// V = E_π μ per state with exact advantages (0 with hand-set ones).
  package var values: [Double] = []
  /// Per state, what `apply` computes Δz from (`RowPlan.update`).
  package var updates: [RowUpdate?] = []
  /// Whether the step is NPG (Δz = η·(A − ē)) rather than PG.
  package var natural = false

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
/// core, with no S × K temporary (e and Δz live in rows of scratch per
/// thread) and one full `exp` per arm to plan and one to apply
/// (`RowKernels.planRow`, `RowKernels.updateRow`). The numbers are
/// those of the array-at-a-time path (`UpdateRule.stepShaped`,
/// `EntropyDynamics.predict(policy:change:)`, `Policy.apply`) to within a
/// few ulp: the sums are taken with the row maximum known rather than
/// online (RowwiseStepTests compares the two paths).
///
/// A step is two phases, so that a refused step changes nothing: `plan`
/// reads the policy and decides (predictions, finiteness) and keeps a few
/// sums per row; `apply` writes each row in place from those sums, which
/// gives the Δz `plan` checked, bit for bit (the same expression of the
/// same numbers).
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

  /// The row of μ (exact advantages) or of the hand-set A for state `s`.
  static func weights(_ source: SharedAdvantages, row r: Range<Int>) -> (UnsafeBufferPointer<Double>, exact: Bool) {
    switch source {
    case .exact(let mu): return (UnsafeBufferPointer(rebasing: mu.buffer[r]), true)
    case .manual(let a): return (UnsafeBufferPointer(rebasing: a.buffer[r]), false)
    }
  }

  /// State `s`'s row of the advantages and of Δz, as `plan` computes them
  /// (for `show`'s per-arm table).
  package static func row(
    _ s: Int, of policy: Policy, rule: UpdateRule, advantages source: StepAdvantages, learningRate eta: Double
  ) -> (advantages: [Double], delta: [Double]) {
    let k = policy.arms
    var a = [Double](repeating: 0, count: k)
    var d = [Double](repeating: 0, count: k)
    var e = [Double](repeating: 0, count: k)
    policy.logits.withUnsafeBufferPointer { zAll in
      withShared(source) { adv in
        let r = (s * k)..<((s + 1) * k)
        let zRow = UnsafeBufferPointer(rebasing: zAll[r])
        let (w, exact) = weights(adv, row: r)
        let p = e.withUnsafeMutableBufferPointer { eOut in
          d.withUnsafeMutableBufferPointer { dOut in
            RowKernels.planRow(
              zRow, w, exact: exact, learningRate: eta, natural: rule == .npg, pathIntegral: false, e: eOut,
              delta: dOut)
          }
        }
        for i in 0..<k { a[i] = exact ? w[i] - p.value : w[i] }
      }
    }
    return (a, d)
  }

  /// Reads the policy and plans one exact step of `rule`
  /// (`RowKernels.planRow`, one row at a time on every core): per state,
  /// the predictions of ΔH (with the path integral when `pathIntegral`;
  /// else NaN there), E_π A, H before, V, whether the step is finite, and
  /// the sums `apply` starts from. Writes Δz into `delta` when given
  /// (S × K).
  ///
  /// Requirements: the advantages S × K (callers' own state).
  package static func plan(
    _ policy: Policy, rule: UpdateRule, advantages source: StepAdvantages, learningRate eta: Double,
    pathIntegral: Bool, delta: UnsafeMutableBufferPointer<Double>? = nil
  ) -> RowwiseStepPlan {
    let (states, arms) = (policy.states, policy.arms)
    let natural = rule == .npg
    var rows = [RowPlan](repeating: .dead, count: states)
    let out = delta.map { SharedMutableBuffer(buffer: $0) }
    policy.logits.withUnsafeBufferPointer { zAll in
      withShared(source) { adv in
        rows.withUnsafeMutableBufferPointer { rowsOut in
          let z = SharedBuffer(buffer: zAll)
          let plans = SharedMutableBuffer(buffer: rowsOut)
          // A path integral reads each arm once per node (4 at a vocabulary's span).
          forEachBlock(states: states, arms: arms, work: states * arms * (pathIntegral ? 16 : 4)) {
            rowRange, eScratch, dScratch in
            for s in rowRange {
              let r = (s * arms)..<((s + 1) * arms)
              let (w, exact) = weights(adv, row: r)
              let dRow = out.map { UnsafeMutableBufferPointer(rebasing: $0.buffer[r]) } ?? dScratch
              plans.buffer[s] = RowKernels.planRow(
                UnsafeBufferPointer(rebasing: z.buffer[r]), w, exact: exact, learningRate: eta, natural: natural,
                pathIntegral: pathIntegral, e: eScratch, delta: dRow)
            }
          }
        }
      }
    }
    return RowwiseStepPlan(
      predictions: rows.map(\.prediction), meanAdvantage: rows.map(\.meanAdvantage),
      entropyBefore: rows.map(\.entropy), deltaFinite: rows.allSatisfy(\.deltaFinite),
      applicable: rows.allSatisfy(\.applicable), values: rows.map(\.value), updates: rows.map(\.update),
      natural: natural)
  }

  /// What `apply` leaves: H and V = E_π μ per state after the step.
  package struct Applied: Sendable {
    /// H per state after the step.
    package var entropies: [Double]
    /// V per state after the step (`Bandit.values` of the new policy).
    package var values: [Double]

    /// The mean entropy after, as `Policy.meanEntropy`.
    package var meanEntropy: Double { entropies.reduce(0, +) / Double(entropies.count) }
    /// The expected reward after, as `Bandit.expectedReward(under:)`.
    package var expectedReward: Double { values.reduce(0, +) / Double(values.count) }
  }

  /// Applies the step `plan` accepted, in place, two passes over each row:
  /// `RowKernels.updateRow` writes z + Δz with the Δz `plan` checked (the
  /// same expression of the same numbers, so bit for bit; A = μ − V formed
  /// in registers) and re-centres a row past ±2²⁰ as `Policy.apply` does;
  /// then `RowKernels.directSums` of the new row give H and V = E_π μ —
  /// the function `plan` takes them from, so the entropy and value after
  /// this step are bit for bit those before the next.
  ///
  /// Requirements: `plan` of the same policy, rule, advantages and η
  /// returned `applicable` (so no row can fail half-way); `bandit` is the
  /// one whose values are wanted.
  package static func apply(
    _ policy: inout Policy, plan: RowwiseStepPlan, advantages source: StepAdvantages, rewards bandit: Bandit
  ) -> Applied {
    let (states, arms) = (policy.states, policy.arms)
    let natural = plan.natural
    var entropies = [Double](repeating: 0, count: states)
    var values = [Double](repeating: 0, count: states)
    let updates = plan.updates
    policy.logits.withUnsafeMutableBufferPointer { zAll in
      withShared(source) { adv in
        bandit.meanRewards.withUnsafeBufferPointer { muAll in
          entropies.withUnsafeMutableBufferPointer { hOut in
            values.withUnsafeMutableBufferPointer { vOut in
              let z = SharedMutableBuffer(buffer: zAll)
              let mu = SharedBuffer(buffer: muAll)
              let (h, v) = (SharedMutableBuffer(buffer: hOut), SharedMutableBuffer(buffer: vOut))
              forEachBlock(states: states, arms: arms, work: states * arms * 4) { rows, _, _ in
                for s in rows {
                  // No finite logit: unchanged, H = 0 and V = 0 (as `entropy`, `expectation`).
                  guard let u = updates[s] else { continue }
                  let r = (s * arms)..<((s + 1) * arms)
                  let zRow = UnsafeMutableBufferPointer(rebasing: z.buffer[r])
                  let (w, _) = weights(adv, row: r)
                  var m = RowKernels.updateRow(
                    zRow, w, offset: u.offset, shift: u.shift, meanA: u.meanA, scale: u.scale, natural: natural)
                  if abs(m) > Policy.recentreThreshold {
                    RowKernels.recentre(zRow, by: m)
                    m = zRow.baseAddress.map { RowLoops.maximum($0, count: arms) } ?? 0
                  }
                  guard let zp = zRow.baseAddress, let mp = mu.buffer.baseAddress else { continue }
                  let sums = RowKernels.directSums(
                    UnsafePointer(zp), mp + r.lowerBound, count: arms, shift: m, storing: nil)
                  h.buffer[s] = sums.entropy
                  v.buffer[s] = sums.ew.sum() / sums.e.sum()
                }
              }
            }
          }
        }
      }
    }
    return Applied(entropies: entropies, values: values)
  }
}
