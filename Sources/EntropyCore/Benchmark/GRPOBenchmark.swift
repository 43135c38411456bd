import Foundation

/// Runs the sampled-GRPO workload (`GRPOWorkload`) with the row kernels.
///
/// Per step, three phases:
/// 1. per state, in parallel: the softmax sums (entropy before), the cdf in
///    a scratch row and its guide table, the state's G·T tokens, each token's
///    log π and each response's mean of μ;
/// 2. serial over responses and tokens: rewards, GRPO advantages, the
///    token covariances, Clip-Cov's candidates and the detached tokens;
/// 3. per state, in parallel: the scatter of the kept tokens' advantages
///    into a zeroed scratch row, then the fused update (`GRPORowKernels.update`).
///
/// Memory: logits and mean rewards (S × K each), per token an arm (Int32),
/// log π and a detached flag, and two K-long scratch rows per job.
package enum GRPOBenchmark {
  /// Allocates and fills logits and mean rewards, then runs the steps.
  ///
  /// - Parameter onStep: called after each step (for live printing).
  /// - Throws: `CoreError` for a malformed workload or one that would not
  ///   fit in memory (checked before anything is allocated).
  package static func run(
    _ w: GRPOWorkload, onStep: (GRPOStepMeasurement) -> Void = { _ in }
  ) throws(CoreError) -> GRPOReport {
    try w.validate()
    let n = w.states * w.arms
    let fillStart = VocabularyBenchmark.now()
    let z = VocabularyBenchmark.fill(count: n, seed: GRPOWorkload.logitSeed, scale: 6, offset: -3)
    let mu = VocabularyBenchmark.fill(count: n, seed: GRPOWorkload.rewardMeanSeed, scale: 1, offset: 0)
    defer {
      z.deallocate()
      mu.deallocate()
    }
    let fillSeconds = VocabularyBenchmark.now() - fillStart
    var state = GRPOStepState(workload: w)
    var steps: [GRPOStepMeasurement] = []
    for t in 1...w.steps {
      let t0 = VocabularyBenchmark.now()
      // The previous step is complete once this step's first pass has
      // applied its pending updates and measured the entropies after them.
      let (previous, current) = state.step(t, logits: z, rewardMeans: UnsafeBufferPointer(mu))
      if let previous {
        steps.append(previous)
        onStep(previous)
      }
      state.open = current
      state.open?.seconds = VocabularyBenchmark.now() - t0
    }
    // The last step's pending updates, timed as part of it.
    let t0 = VocabularyBenchmark.now()
    state.finish(logits: z)
    state.open?.seconds += VocabularyBenchmark.now() - t0
    if let last = state.complete() {
      steps.append(last)
      onStep(last)
    }
    return GRPOReport(
      workload: w, steps: steps, fillSeconds: fillSeconds, peakResidentBytes: ProcessMemory.peakResidentBytes,
      threads: ProcessInfo.processInfo.activeProcessorCount)
  }

  /// Runs the workload on given logits and mean rewards (row-major S × K),
  /// updating the logits in place: the entry point of the tests, which
  /// compare it with a plain implementation of the peer's definition.
  package static func run(
    _ w: GRPOWorkload, logits z: inout [Double], rewardMeans mu: [Double]
  ) throws(CoreError) -> [GRPOStepMeasurement] {
    try w.validate()
    guard z.count == w.states * w.arms else { throw .shapeMismatch(expected: w.states * w.arms, got: z.count) }
    guard mu.count == z.count else { throw .shapeMismatch(expected: z.count, got: mu.count) }
    var state = GRPOStepState(workload: w)
    var out: [GRPOStepMeasurement] = []
    z.withUnsafeMutableBufferPointer { zb in
      mu.withUnsafeBufferPointer { mb in
        for t in 1...w.steps {
          let (previous, current) = state.step(t, logits: zb, rewardMeans: mb)
          if let previous { out.append(previous) }
          state.open = current
        }
        state.finish(logits: zb)
        if let done = state.complete() { out.append(done) }
      }
    }
    return out
  }
}

/// The per-token arrays of the workload and one step over them.
///
/// A row's update is left pending when its dense part is small enough for
/// `expSmall` (|Δz| = (η/N)·|W|·π ≤ 2⁻⁸ away from the sampled arms): the
/// next step's first pass applies it while it computes that step's
/// softmax (`GRPORowKernels.applyPass`), which also gives the entropy after
/// the pending step; after the last step `finish` applies what is left.
/// Otherwise the row is updated at once (`GRPORowKernels.update`).
struct GRPOStepState {
  let w: GRPOWorkload
  /// Each token's arm.
  var arms: [Int32]
  /// Each token's log π before the step.
  var logProbs: [Double]
  /// Each token's e = e^(z − m) at its arm (π = e/Σe).
  var tokenExps: [Double]
  /// Each token's detached flag.
  var detached: [UInt8]
  /// Each response's mean of μ over its tokens, then its advantage.
  var responses: [Double]
  /// Each state's softmax before the step.
  var softmax: [GRPORowKernels.RowSoftmax]
  /// Each state's smallest sampling margin.
  var margins: [Double]
  /// Each state's largest logit, once a step has updated the row at once.
  var maxima: [Double?]
  /// Each state's update left for the next pass, if any.
  var pending: [GRPORowKernels.PendingUpdate?]
  /// Each state's entropy after the open step, once known.
  var entropiesAfter: [Double]
  /// The step whose entropies after are not all known yet (its mean
  /// entropy after and change are filled in by `complete`).
  var open: GRPOStepMeasurement?
  /// The open step's entropies before, per state.
  var openBefore: [Double]

  init(workload: GRPOWorkload) {
    w = workload
    arms = [Int32](repeating: 0, count: workload.tokens)
    logProbs = [Double](repeating: 0, count: workload.tokens)
    tokenExps = [Double](repeating: 0, count: workload.tokens)
    detached = [UInt8](repeating: 0, count: workload.tokens)
    responses = [Double](repeating: 0, count: workload.states * workload.group)
    softmax = [GRPORowKernels.RowSoftmax](
      repeating: .init(shift: 0, sumE: 1, sumEX: 0, sumE2: 0, sumE2X: 0, maximum: 0), count: workload.states)
    margins = [Double](repeating: .infinity, count: workload.states)
    maxima = [Double?](repeating: nil, count: workload.states)
    pending = [GRPORowKernels.PendingUpdate?](repeating: nil, count: workload.states)
    entropiesAfter = [Double](repeating: .nan, count: workload.states)
    openBefore = [Double](repeating: .nan, count: workload.states)
  }

  /// Jobs of contiguous states, each with its own scratch rows.
  static func jobs(states: Int) -> Int { max(1, min(states, ProcessInfo.processInfo.activeProcessorCount * 8)) }

  /// The open step with its entropies after, once all are known; clears it.
  mutating func complete() -> GRPOStepMeasurement? {
    guard var m = open else { return nil }
    var after = 0.0
    var change = 0.0
    for s in 0..<w.states {
      after += entropiesAfter[s]
      change += entropiesAfter[s] - openBefore[s]
    }
    m.entropyAfter = after / Double(w.states)
    m.entropyChange = change / Double(w.states)
    open = nil
    return m
  }

  /// Scatters the kept tokens' advantages of `state` into `sc` (zero at
  /// entry) and returns their total W and Σ|w|.
  static func scatter(
    _ state: Int, _ w: GRPOWorkload, arms: UnsafeBufferPointer<Int32>, detached: UnsafeBufferPointer<UInt8>,
    advantages: UnsafeBufferPointer<Double>, into sc: UnsafeMutablePointer<Double>
  ) -> (total: Double, absolute: Double) {
    let perState = w.group * w.length
    var total = 0.0
    var absolute = 0.0
    for i in state * perState..<(state + 1) * perState where detached[i] == 0 {
      let a = advantages[i / w.length]
      sc[Int(arms[i])] += a
      total += a
      absolute += abs(a)
    }
    return (total, absolute)
  }

  /// Applies every pending update (after the last step), recording the
  /// entropies after them.
  mutating func finish(logits z: UnsafeMutableBufferPointer<Double>) {
    let (s, k, perState) = (w.states, w.arms, w.group * w.length)
    let jobs = Self.jobs(states: s)
    let zs = SharedMutableBuffer(buffer: z)
    let work = w
    let pend = pending
    arms.withUnsafeBufferPointer { armBuffer in
      detached.withUnsafeBufferPointer { detBuffer in
        responses.withUnsafeBufferPointer { advBuffer in
          entropiesAfter.withUnsafeMutableBufferPointer { hBuffer in
            let (ab, db, rb, hb) = (
              SharedBuffer(buffer: armBuffer), SharedBuffer(buffer: detBuffer), SharedBuffer(buffer: advBuffer),
              SharedMutableBuffer(buffer: hBuffer)
            )
            ParallelRows.forEach(jobs, work: s * k) { job in
              guard let base = zs.buffer.baseAddress else { return }
              let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * max(k, 1))
              scratch.initialize(repeating: 0, count: 2 * max(k, 1))
              defer { scratch.deallocate() }
              for state in (job * s / jobs)..<((job + 1) * s / jobs) {
                guard let u = pend[state] else { continue }
                _ = Self.scatter(
                  state, work, arms: ab.buffer, detached: db.buffer, advantages: rb.buffer, into: scratch)
                let range = state * perState..<(state + 1) * perState
                let sm = GRPORowKernels.applyPass(
                  base + state * k, scatter: scratch, count: k, pending: u, into: scratch + k,
                  tokenArms: UnsafeBufferPointer(rebasing: ab.buffer[range]))
                hb.buffer[state] = sm.entropy
              }
            }
          }
        }
      }
    }
    pending = [GRPORowKernels.PendingUpdate?](repeating: nil, count: s)
  }

  /// One step t: returns the previous (open) step, now complete, and this
  /// one (seconds left 0 for the caller to fill in; its entropy after and
  /// change are filled in by `complete` once known).
  mutating func step(
    _ t: Int, logits z: UnsafeMutableBufferPointer<Double>, rewardMeans mu: UnsafeBufferPointer<Double>
  ) -> (previous: GRPOStepMeasurement?, current: GRPOStepMeasurement) {
    let (s, k, g, len) = (w.states, w.arms, w.group, w.length)
    let perState = g * len
    let jobs = Self.jobs(states: s)
    let zs = SharedMutableBuffer(buffer: z)
    let ms = SharedBuffer(buffer: mu)
    let known = maxima
    let pend = pending
    let work = w

    // Phase 1: the pending updates of the previous step (their entropies
    // after), softmax, cdf, tokens, log π, responses' mean μ.
    arms.withUnsafeMutableBufferPointer { armBuffer in
      logProbs.withUnsafeMutableBufferPointer { lpBuffer in
        tokenExps.withUnsafeMutableBufferPointer { teBuffer in
          responses.withUnsafeMutableBufferPointer { respBuffer in
            softmax.withUnsafeMutableBufferPointer { smBuffer in
              margins.withUnsafeMutableBufferPointer { marginBuffer in
                detached.withUnsafeBufferPointer { detBuffer in
                  entropiesAfter.withUnsafeMutableBufferPointer { hBuffer in
                    let (ab, lb, eb, rb, sb, mb) = (
                      SharedMutableBuffer(buffer: armBuffer), SharedMutableBuffer(buffer: lpBuffer),
                      SharedMutableBuffer(buffer: teBuffer), SharedMutableBuffer(buffer: respBuffer),
                      SharedMutableBuffer(buffer: smBuffer), SharedMutableBuffer(buffer: marginBuffer)
                    )
                    let (db, hb) = (SharedBuffer(buffer: detBuffer), SharedMutableBuffer(buffer: hBuffer))
                    let seed = GRPOWorkload.samplingSeed(step: t)
                    ParallelRows.forEach(jobs, work: s * k) { job in
                      guard let base = zs.buffer.baseAddress else { return }
                      // Three K-long scratch rows: e, the cdf, the scatter (kept zero).
                      let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 3 * max(k, 1))
                      (scratch + 2 * max(k, 1)).initialize(repeating: 0, count: max(k, 1))
                      let (exps, cdf, sc) = (scratch, scratch + max(k, 1), scratch + 2 * max(k, 1))
                      let buckets = GRPORowKernels.guideBuckets(arms: k)
                      let guide = UnsafeMutablePointer<Int32>.allocate(capacity: buckets)
                      defer {
                        scratch.deallocate()
                        guide.deallocate()
                      }
                      for state in (job * s / jobs)..<((job + 1) * s / jobs) {
                        let row = base + state * k
                        let range = state * perState..<(state + 1) * perState
                        let sm: GRPORowKernels.RowSoftmax
                        if let u = pend[state] {
                          let oldArms = UnsafeBufferPointer(rebasing: UnsafeBufferPointer(ab.buffer)[range])
                          _ = Self.scatter(
                            state, work, arms: UnsafeBufferPointer(ab.buffer), detached: db.buffer,
                            advantages: UnsafeBufferPointer(rb.buffer), into: sc)
                          sm = GRPORowKernels.applyPass(
                            row, scatter: sc, count: k, pending: u, into: exps, tokenArms: oldArms)
                          hb.buffer[state] = sm.entropy
                        } else {
                          sm = GRPORowKernels.softmaxStoringExp(
                            UnsafePointer(row), into: exps, count: k, knownMaximum: known[state])
                        }
                        sb.buffer[state] = sm
                        GRPORowKernels.cumulate(exps, into: cdf, count: k, scale: 1 / sm.sumE)
                        GRPORowKernels.buildGuide(cdf, count: k, into: guide, buckets: buckets)
                        var margin = Double.infinity
                        for i in range {
                          let v = SplitMix64.uniform(seed: seed, index: UInt64(i))
                          let count = GRPORowKernels.search(cdf, count: k, guide: guide, buckets: buckets, v)
                          if count > 0 { margin = min(margin, v - cdf[count - 1]) }
                          if count < k { margin = min(margin, cdf[count] - v) }
                          ab.buffer[i] = Int32(min(count, k - 1))
                        }
                        mb.buffer[state] = margin
                        // The gathers in loops of their own: short bodies keep
                        // many cache misses (μ is not in cache) in flight.
                        let muRow = ms.buffer.baseAddress.map { $0 + state * k }
                        for response in 0..<g {
                          var muSum = 0.0
                          for i in (state * perState + response * len)..<(state * perState + (response + 1) * len) {
                            muSum += muRow?[Int(ab.buffer[i])] ?? 0
                          }
                          rb.buffer[state * g + response] = muSum / Double(len)
                        }
                        for i in range {
                          let a = Int(ab.buffer[i])
                          lb.buffer[i] = (row[a] - sm.shift) - sm.logPartition
                          eb.buffer[i] = exps[a]
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }

    let previous = complete()

    // Phase 2: rewards and advantages (in `responses`), covariances,
    // candidates, detached tokens.
    let rewardSeed = GRPOWorkload.rewardSeed(step: t)
    var advantageSum = 0.0
    for state in 0..<s {
      var r = [Double](repeating: 0, count: g)
      var mean = 0.0
      for response in 0..<g {
        let index = state * g + response
        r[response] = SplitMix64.uniform(seed: rewardSeed, index: UInt64(index)) < responses[index] ? 1 : 0
        mean += r[response]
      }
      mean /= Double(g)
      var squares = 0.0
      for x in r { squares += (x - mean) * (x - mean) }
      let std = (squares / Double(g - 1)).squareRoot()
      for response in 0..<g {
        let a = (r[response] - mean) / (std + 1e-6)
        responses[state * g + response] = a
        advantageSum += a * Double(len)
      }
    }
    let n = w.tokens
    var logSum = 0.0
    for state in 0..<s {
      var rowSum = 0.0
      for i in state * perState..<(state + 1) * perState { rowSum += logProbs[i] }
      logSum += rowSum
    }
    let meanLog = logSum / Double(n)
    let meanA = advantageSum / Double(n)
    var candidates: [Int] = []
    for i in 0..<n {
      let cov = (logProbs[i] - meanLog) * (responses[i / len] - meanA)
      if cov > w.low && cov < w.high { candidates.append(i) }
    }
    let clipped = w.detachedCount(candidates: candidates.count)
    for i in 0..<n { detached[i] = 0 }
    for i in Self.smallestKeys(candidates, count: clipped, seed: GRPOWorkload.keySeed(step: t)) { detached[i] = 1 }

    // Phase 3: the prediction from the tokens and the row's moments; the
    // update left pending, or applied at once when its dense part is large.
    let c = w.learningRate / Double(n)
    var firstOrders = [Double](repeating: 0, count: s)
    var newPending = [GRPORowKernels.PendingUpdate?](repeating: nil, count: s)
    var newMaxima = [Double?](repeating: nil, count: s)
    let sm = softmax
    firstOrders.withUnsafeMutableBufferPointer { foBuffer in
      newPending.withUnsafeMutableBufferPointer { pBuffer in
        newMaxima.withUnsafeMutableBufferPointer { xBuffer in
          entropiesAfter.withUnsafeMutableBufferPointer { hBuffer in
            arms.withUnsafeBufferPointer { armBuffer in
              detached.withUnsafeBufferPointer { detBuffer in
                responses.withUnsafeBufferPointer { advBuffer in
                  logProbs.withUnsafeBufferPointer { lpBuffer in
                    tokenExps.withUnsafeBufferPointer { teBuffer in
                      let (fo, pb, xb, hb) = (
                        SharedMutableBuffer(buffer: foBuffer), SharedMutableBuffer(buffer: pBuffer),
                        SharedMutableBuffer(buffer: xBuffer), SharedMutableBuffer(buffer: hBuffer)
                      )
                      let (ab, db, rb, lb, eb) = (
                        SharedBuffer(buffer: armBuffer), SharedBuffer(buffer: detBuffer),
                        SharedBuffer(buffer: advBuffer), SharedBuffer(buffer: lpBuffer), SharedBuffer(buffer: teBuffer)
                      )
                      ParallelRows.forEach(jobs, work: s * perState) { job in
                        guard let base = zs.buffer.baseAddress else { return }
                        var scatter: UnsafeMutablePointer<Double>?
                        defer { scatter?.deallocate() }
                        for state in (job * s / jobs)..<((job + 1) * s / jobs) {
                          let r = sm[state]
                          let invS = 1 / r.sumE
                          let meanLogP = -r.entropy
                          var total = 0.0
                          var absolute = 0.0
                          var t1 = 0.0  // Σ over kept tokens of π·(log π − E log π)·w
                          var t3 = 0.0  // Σ over kept tokens of π·w
                          for i in state * perState..<(state + 1) * perState where db.buffer[i] == 0 {
                            let a = rb.buffer[i / len]
                            let p = eb.buffer[i] * invS
                            total += a
                            absolute += abs(a)
                            t1 += p * (lb.buffer[i] - meanLogP) * a
                            t3 += p * a
                          }
                          // Σπ², Σπ²·(log π − E log π) and Σπ·(log π − E log π) from the moments.
                          let p2 = r.sumE2 * invS * invS
                          let p2d = (r.sumE2X - (r.logPartition + meanLogP) * r.sumE2) * invS * invS
                          let s1 = c * (t1 - total * p2d)
                          // −Cov = −(S1 − S3·S2) with S2 = Σπ·(log π − E log π) = 0.
                          fo.buffer[state] = -s1
                          let topX = r.maximum - r.shift
                          let fast =
                            abs(c * total) * Foundation.exp(topX) * invS <= VectorMath.smallLimit
                            && abs(c) * absolute + topX <= 700
                          if fast {
                            pb.buffer[state] = GRPORowKernels.PendingUpdate(
                              shift: r.shift, inverseSum: invS, scale: c, weight: total)
                          } else {
                            // The dense part is too large for expSmall: update at once.
                            let sc: UnsafeMutablePointer<Double>
                            if let scatter {
                              sc = scatter
                            } else {
                              sc = UnsafeMutablePointer<Double>.allocate(capacity: max(k, 1))
                              sc.initialize(repeating: 0, count: max(k, 1))
                              scatter = sc
                            }
                            _ = Self.scatter(
                              state, work, arms: ab.buffer, detached: db.buffer, advantages: rb.buffer, into: sc)
                            let range = state * perState..<(state + 1) * perState
                            let u = GRPORowKernels.update(
                              base + state * k, scatter: sc, count: k, softmax: r, total: total, scale: c,
                              tokenArms: UnsafeBufferPointer(rebasing: ab.buffer[range]), sparseBound: absolute)
                            fo.buffer[state] = u.firstOrder
                            hb.buffer[state] = u.entropyAfter
                            xb.buffer[state] = u.maximum
                            pb.buffer[state] = nil
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    pending = newPending
    maxima = newMaxima
    var before = 0.0
    var first = 0.0
    for state in 0..<s {
      openBefore[state] = sm[state].entropy
      before += sm[state].entropy
      first += firstOrders[state]
    }
    let count = Double(s)
    let current = GRPOStepMeasurement(
      step: t, entropyBefore: before / count, entropyAfter: .nan, entropyChange: .nan,
      firstOrder: first / count, tokens: n, candidates: candidates.count, clipped: clipped, seconds: 0,
      samplingMargin: margins.min())
    return (previous, current)
  }

  /// The `count` candidates with the smallest key u(seed, i), ties by i.
  ///
  /// Keys are uniform, so the chosen ones lie below about count/C: only
  /// candidates under a generous threshold are sorted, and the threshold is
  /// dropped if it lets fewer than `count` through.
  static func smallestKeys(_ candidates: [Int], count: Int, seed: UInt64) -> [Int] {
    guard count > 0 else { return [] }
    let keyed = candidates.map { (key: SplitMix64.uniform(seed: seed, index: UInt64($0)), index: $0) }
    let threshold = min(1, 4 * Double(count) / Double(max(candidates.count, 1)) + 1e-3)
    var pool = keyed.filter { $0.key < threshold }
    if pool.count < count { pool = keyed }
    pool.sort { ($0.key, $0.index) < ($1.key, $1.index) }
    return pool.prefix(count).map(\.index)
  }
}
