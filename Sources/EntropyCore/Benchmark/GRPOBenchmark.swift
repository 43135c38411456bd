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
      var m = state.step(t, logits: z, rewardMeans: UnsafeBufferPointer(mu))
      m.seconds = VocabularyBenchmark.now() - t0
      steps.append(m)
      onStep(m)
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
    for t in 1...w.steps {
      let m = z.withUnsafeMutableBufferPointer { zb in
        mu.withUnsafeBufferPointer { mb in state.step(t, logits: zb, rewardMeans: mb) }
      }
      out.append(m)
    }
    return out
  }
}

/// The per-token arrays of the workload and one step over them.
struct GRPOStepState {
  let w: GRPOWorkload
  /// Each token's arm.
  var arms: [Int32]
  /// Each token's log π before the step.
  var logProbs: [Double]
  /// Each token's detached flag.
  var detached: [UInt8]
  /// Each response's mean of μ over its tokens, then its advantage.
  var responses: [Double]
  /// Each state's softmax before the step.
  var softmax: [GRPORowKernels.RowSoftmax]
  /// Each state's smallest sampling margin.
  var margins: [Double]
  /// Each state's largest logit, once a step has updated the row.
  var maxima: [Double?]

  init(workload: GRPOWorkload) {
    w = workload
    arms = [Int32](repeating: 0, count: workload.tokens)
    logProbs = [Double](repeating: 0, count: workload.tokens)
    detached = [UInt8](repeating: 0, count: workload.tokens)
    responses = [Double](repeating: 0, count: workload.states * workload.group)
    softmax = [GRPORowKernels.RowSoftmax](
      repeating: .init(shift: 0, sumE: 1, logPartition: 0, entropy: 0), count: workload.states)
    margins = [Double](repeating: .infinity, count: workload.states)
    maxima = [Double?](repeating: nil, count: workload.states)
  }

  /// Jobs of contiguous states, each with its own scratch rows.
  static func jobs(states: Int) -> Int { max(1, min(states, ProcessInfo.processInfo.activeProcessorCount * 8)) }

  /// One step t (seconds left 0 for the caller to fill in).
  mutating func step(
    _ t: Int, logits z: UnsafeMutableBufferPointer<Double>, rewardMeans mu: UnsafeBufferPointer<Double>
  ) -> GRPOStepMeasurement {
    let (s, k, g, len) = (w.states, w.arms, w.group, w.length)
    let perState = g * len
    let jobs = Self.jobs(states: s)
    let zs = SharedMutableBuffer(buffer: z)
    let ms = SharedBuffer(buffer: mu)
    let known = maxima

    // Phase 1: softmax, cdf, tokens, log π, responses' mean μ.
    arms.withUnsafeMutableBufferPointer { armBuffer in
      logProbs.withUnsafeMutableBufferPointer { lpBuffer in
        responses.withUnsafeMutableBufferPointer { respBuffer in
          softmax.withUnsafeMutableBufferPointer { smBuffer in
            margins.withUnsafeMutableBufferPointer { marginBuffer in
              let (ab, lb, rb, sb, mb) = (
                SharedMutableBuffer(buffer: armBuffer), SharedMutableBuffer(buffer: lpBuffer),
                SharedMutableBuffer(buffer: respBuffer), SharedMutableBuffer(buffer: smBuffer),
                SharedMutableBuffer(buffer: marginBuffer)
              )
              let seed = GRPOWorkload.samplingSeed(step: t)
              ParallelRows.forEach(jobs, work: s * k) { job in
                guard let base = zs.buffer.baseAddress else { return }
                let cdf = UnsafeMutablePointer<Double>.allocate(capacity: max(k, 1))
                let buckets = GRPORowKernels.guideBuckets(arms: k)
                let guide = UnsafeMutablePointer<Int32>.allocate(capacity: buckets)
                defer {
                  cdf.deallocate()
                  guide.deallocate()
                }
                for state in (job * s / jobs)..<((job + 1) * s / jobs) {
                  let row = UnsafePointer(base + state * k)
                  let sm = GRPORowKernels.softmaxStoringExp(row, into: cdf, count: k, knownMaximum: known[state])
                  sb.buffer[state] = sm
                  GRPORowKernels.cumulate(cdf, count: k, scale: 1 / sm.sumE)
                  GRPORowKernels.buildGuide(cdf, count: k, into: guide, buckets: buckets)
                  var margin = Double.infinity
                  for i in state * perState..<(state + 1) * perState {
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
                  for i in state * perState..<(state + 1) * perState {
                    lb.buffer[i] = (row[Int(ab.buffer[i])] - sm.shift) - sm.logPartition
                  }
                }
              }
            }
          }
        }
      }
    }

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

    // Phase 3: the update.
    let c = w.learningRate / Double(n)
    var updates = [GRPORowKernels.RowUpdate](
      repeating: .init(entropyAfter: 0, firstOrder: 0, maximum: 0), count: s)
    let sm = softmax
    updates.withUnsafeMutableBufferPointer { upBuffer in
      arms.withUnsafeBufferPointer { armBuffer in
        detached.withUnsafeBufferPointer { detBuffer in
          responses.withUnsafeBufferPointer { advBuffer in
            let (ub, ab, db, rb) = (
              SharedMutableBuffer(buffer: upBuffer), SharedBuffer(buffer: armBuffer), SharedBuffer(buffer: detBuffer),
              SharedBuffer(buffer: advBuffer)
            )
            ParallelRows.forEach(jobs, work: s * k) { job in
              guard let base = zs.buffer.baseAddress else { return }
              let scatter = UnsafeMutablePointer<Double>.allocate(capacity: max(k, 1))
              scatter.initialize(repeating: 0, count: max(k, 1))
              defer { scatter.deallocate() }
              for state in (job * s / jobs)..<((job + 1) * s / jobs) {
                let range = state * perState..<(state + 1) * perState
                var total = 0.0
                var absolute = 0.0
                for i in range where db.buffer[i] == 0 {
                  let a = rb.buffer[i / len]
                  scatter[Int(ab.buffer[i])] += a
                  total += a
                  absolute += abs(a)
                }
                ub.buffer[state] = GRPORowKernels.update(
                  base + state * k, scatter: scatter, count: k, softmax: sm[state], total: total,
                  scale: c, tokenArms: UnsafeBufferPointer(rebasing: ab.buffer[range]), sparseBound: absolute)
              }
            }
          }
        }
      }
    }
    maxima = updates.map(\.maximum)
    var before = 0.0
    var after = 0.0
    var change = 0.0
    var first = 0.0
    for state in 0..<s {
      before += sm[state].entropy
      after += updates[state].entropyAfter
      change += updates[state].entropyAfter - sm[state].entropy
      first += updates[state].firstOrder
    }
    let count = Double(s)
    return GRPOStepMeasurement(
      step: t, entropyBefore: before / count, entropyAfter: after / count, entropyChange: change / count,
      firstOrder: first / count, tokens: n, candidates: candidates.count, clipped: clipped, seconds: 0,
      samplingMargin: margins.min())
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
