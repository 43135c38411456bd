/// The sampled-GRPO workload of issue 16 at LLM batch size, fixed so that
/// any implementation can reproduce it exactly: the NumPy peer
/// `shared/bench/numpy_grpo_step.py` defines it in its docstring, and
/// `GRPOBenchmark` runs it with the row kernels.
///
/// With u(seed, i) = `SplitMix64.uniform(seed:index:)`:
/// - logits z[s, a] = 6·u(1, s·K + a) − 3, mean rewards μ[s, a] = u(3, s·K + a);
/// - step t samples T tokens for each of G responses per state: token
///   (s, g, j) is the smallest arm a with cdf_s[a] > u(1000 + t, (s·G + g)·T + j),
///   capped at K − 1 (cdf_s the running sum of π_s left to right);
/// - response (s, g) is rewarded 1 when u(2000 + t, s·G + g) is below the
///   mean of μ over its tokens; A = (r − mean_g r)/(std_g r (unbiased) + 1e-6),
///   copied to the response's tokens;
/// - over all N = S·G·T tokens, cov_i = (log π_i − mean log π)·(A_i − mean A);
///   Clip-Cov's candidates are the tokens with low < cov_i < high (strict),
///   and the max(⌊r·N⌋, 1) candidates (at most all of them) with the
///   smallest key u(3000 + t, i), ties by i, are detached (weight 0);
/// - one SGD step on the token-mean loss: Δz_s = (η/N)·Σ over kept tokens i
///   of state s of A_i·(e_{a_i} − π_s); detached tokens stay in N.
///
/// Each step reports the mean-over-states entropy before and after, their
/// change, the first-order prediction −Cov_π(log π, Δz) and the counts.
package struct GRPOWorkload: Sendable, Equatable {
  /// States (prompts) S.
  package var states: Int
  /// Arms (vocabulary) K.
  package var arms: Int
  /// Responses per state G (at least 2: the unbiased std needs two).
  package var group: Int
  /// Tokens per response T.
  package var length: Int
  /// Steps to run.
  package var steps: Int
  /// Learning rate η of the SGD step on the token-mean loss.
  package var learningRate: Double
  /// Clip-Cov's ratio r: max(⌊r·N⌋, 1) candidates are detached.
  package var ratio: Double
  /// Clip-Cov's band: candidates have low < cov < high.
  package var low: Double
  /// Upper end of the band.
  package var high: Double

  /// The peer's defaults: 512 × 16 × 256 tokens over 151,936 arms, 3 steps,
  /// η = 1e4, r = 2e-4, band (1, 5).
  package init(
    states: Int = 512, arms: Int = 151_936, group: Int = 16, length: Int = 256, steps: Int = 3,
    learningRate: Double = 1e4, ratio: Double = 2e-4, low: Double = 1, high: Double = 5
  ) {
    self.states = states
    self.arms = arms
    self.group = group
    self.length = length
    self.steps = steps
    self.learningRate = learningRate
    self.ratio = ratio
    self.low = low
    self.high = high
  }

  /// Seeds of the stated draws.
  package static let logitSeed: UInt64 = 1
  /// Seed of the mean rewards.
  package static let rewardMeanSeed: UInt64 = 3
  /// Seed of step t's sampling uniforms: 1000 + t.
  package static func samplingSeed(step t: Int) -> UInt64 { 1000 + UInt64(t) }
  /// Seed of step t's reward draws: 2000 + t.
  package static func rewardSeed(step t: Int) -> UInt64 { 2000 + UInt64(t) }
  /// Seed of step t's Clip-Cov keys: 3000 + t.
  package static func keySeed(step t: Int) -> UInt64 { 3000 + UInt64(t) }

  /// Tokens per step N = S·G·T.
  package var tokens: Int { states * group * length }

  /// Tokens Clip-Cov detaches when there are `candidates`:
  /// min(max(⌊r·N⌋, 1), candidates), with ⌊·⌋ Python's `int` of the
  /// double product, as the peer computes it.
  package func detachedCount(candidates: Int) -> Int {
    let product = ratio * Double(tokens)
    // Beyond N the floor no longer matters (at most every candidate), and
    // Int(_:) of a huge double would trap.
    let floor = product < 1 ? 0 : product >= Double(tokens) ? tokens : Int(product.rounded(.towardZero))
    return min(max(floor, 1), candidates)
  }

  /// Bytes of logits and mean rewards (the workload's two S × K arrays).
  package var arrayBytes: Double { Double(states) * Double(arms) * 8 * 2 }

  /// Bytes of the per-token arrays (arm, log π, detached flag) and the
  /// per-response means.
  package var tokenBytes: Double { Double(tokens) * (4 + 8 + 1) + Double(states * group) * 8 }

  /// Throws unless the workload is well formed and fits in memory.
  package func validate() throws(CoreError) {
    guard states >= 1 else { throw .invalidSize(what: "states", value: states) }
    guard arms >= 1, arms < Int(Int32.max) else { throw .invalidSize(what: "arms", value: arms) }
    guard group >= 2 else { throw .invalidSize(what: "group (at least 2)", value: group) }
    guard length >= 1 else { throw .invalidSize(what: "length", value: length) }
    guard steps >= 1 else { throw .invalidSize(what: "steps", value: steps) }
    guard learningRate.isFinite else { throw .nonFinite(what: "learning rate") }
    guard ratio.isFinite, ratio >= 0 else { throw .nonFinite(what: "ratio") }
    guard low.isFinite, high.isFinite else { throw .nonFinite(what: "band") }
    let (product, overflow) = states.multipliedReportingOverflow(by: group * length)
    guard !overflow, product < Int(Int32.max) else { throw .invalidSize(what: "tokens", value: product) }
    try MemoryBudget.check(states: states, arms: arms, arrays: 2, held: tokenBytes)
  }
}

/// One measured step of the GRPO workload.
package struct GRPOStepMeasurement: Sendable, Equatable {
  /// 1-based step number.
  package var step: Int
  /// Mean over states of H before.
  package var entropyBefore: Double
  /// Mean over states of H after.
  package var entropyAfter: Double
  /// Mean over states of H(after) − H(before).
  package var entropyChange: Double
  /// Mean over states of −Cov_π(log π, Δz).
  package var firstOrder: Double
  /// Tokens N.
  package var tokens: Int
  /// Clip-Cov candidates (tokens in the band).
  package var candidates: Int
  /// Tokens detached.
  package var clipped: Int
  /// Wall-clock seconds (sampling, rewards, update and entropies).
  package var seconds: Double
  /// The smallest distance of a sampling uniform to a boundary of its
  /// row's cdf (nil when not measured, as for the peer): two
  /// implementations whose cdfs differ by less than this draw the same
  /// tokens.
  package var samplingMargin: Double?

  package init(
    step: Int, entropyBefore: Double, entropyAfter: Double, entropyChange: Double, firstOrder: Double,
    tokens: Int, candidates: Int, clipped: Int, seconds: Double, samplingMargin: Double? = nil
  ) {
    self.step = step
    self.entropyBefore = entropyBefore
    self.entropyAfter = entropyAfter
    self.entropyChange = entropyChange
    self.firstOrder = firstOrder
    self.tokens = tokens
    self.candidates = candidates
    self.clipped = clipped
    self.seconds = seconds
    self.samplingMargin = samplingMargin
  }
}

/// The result of a run of the GRPO workload.
package struct GRPOReport: Sendable, Equatable {
  /// The workload run.
  package var workload: GRPOWorkload
  /// One entry per step.
  package var steps: [GRPOStepMeasurement]
  /// Seconds to allocate and fill logits and mean rewards.
  package var fillSeconds: Double
  /// Peak resident memory of the process (VmHWM), if known.
  package var peakResidentBytes: Double?
  /// Threads the steps ran on.
  package var threads: Int

  /// The upper median of the step times, as the peer takes it.
  package var medianSeconds: Double {
    let t = steps.map(\.seconds).sorted()
    return t.isEmpty ? 0 : t[t.count / 2]
  }
}
