import Foundation

/// One token as seen by one minibatch update: what the loss saw and what
/// the controls did. Kept for the shell's `tokens` listing.
public struct TokenRecord: Sendable, Equatable {
  /// The token.
  public var token: SampledToken
  /// Which update (0-based: epoch × M + minibatch) it was part of.
  public var update: Int
  /// log π_θ at that update.
  public var logProb: Double
  /// The centred covariance used for selection.
  public var covariance: Double
  /// PPO ratio ρ.
  public var ratio: Double
  /// Whether the PPO clip zeroed its gradient.
  public var ppoClipped: Bool
  /// Names of the controls that chose it.
  public var chosenBy: [String]
}

/// The outcome of one sampled step: the total logit change and what
/// happened along the way.
public struct SampledStep: Sendable, Equatable {
  /// z_after − z_before over every update of the step, S × K.
  public var delta: [Double]
  /// Tokens, candidates, clipped and penalised counts.
  public var counts: SampledCounts
  /// Every token of every update.
  public var tokens: [TokenRecord]
  /// Groups dropped by the filter.
  public var filteredGroups: Int
}

/// Sampled GRPO with a PPO surrogate and entropy controls on a tabular
/// softmax policy (paper §4.5 pseudo-code, reproducing PRIME-RL's code).
///
/// For each of E epochs the rollout is shuffled and split into M
/// minibatches; each minibatch takes one plain SGD step on the logits of
/// its token-mean loss. The gradient a token sends to its own state's
/// logits is c_i·(e_a − π)/|M| with c_i = ∂loss_i/∂log π_i (−A·ρ, or 0 when
/// clipped or detached, plus β·sign(ℓ) under KL-Cov).
///
/// Shuffling is this simulator's choice: in a tabular policy a minibatch
/// moves only its own states' logits, so minibatches that each spanned a
/// few states would never see an off-policy ratio; shuffled, they do, as
/// every update of an LLM moves every logit.
public enum SampledTrainer {
  /// Runs one rollout and its updates from `policy` (not modified).
  ///
  /// - Throws: `CoreError` for Bernoulli noise with means outside [0, 1],
  ///   or a non-finite update.
  public static func step(
    policy: Policy, bandit: Bandit, config: GRPOConfig, controls: [any EntropyControl],
    learningRate eta: Double, using generator: inout SplitMix64
  ) throws(CoreError) -> SampledStep {
    let rollout = try Rollout.sample(
      policy: policy, bandit: bandit, groupSize: config.groupSize, noise: config.noise, filter: config.filter,
      using: &generator)
    var z = policy.logits
    let k = policy.arms
    var records: [TokenRecord] = []
    var counts = SampledCounts(
      tokens: rollout.tokens.count, candidates: 0, clipped: 0, penalized: 0, ppoClipped: 0, populationTerm: 0)
    var clip: (low: Double, high: Double)? = (config.clipLow, config.clipHigh)
    for c in controls { c.adjustClip(&clip) }

    var descent = MinibatchDescent(states: policy.states, arms: k)
    records.reserveCapacity(rollout.tokens.count * config.epochs)

    var update = 0
    for _ in 0..<config.epochs {
      guard !rollout.tokens.isEmpty else { break }
      var order = Array(rollout.tokens.indices)
      if config.minibatches > 1 || config.epochs > 1 {
        order = Sampling.sampleWithoutReplacement(order, count: order.count, using: &generator)
      }
      let m = min(config.minibatches, order.count)
      for b in 0..<m {
        let slice = order[(b * order.count / m)..<((b + 1) * order.count / m)]
        let batch = slice.map { rollout.tokens[$0] }
        var terms = lossTerms(batch, logits: z, arms: k, clip: clip)
        for c in controls { c.apply(to: &terms, using: &generator) }
        // `z` is this step's copy: a non-finite update throws it away.
        guard descent.step(&z, terms: terms, controls: controls, learningRate: eta) else {
          throw .nonFiniteUpdate
        }
        counts.ppoClipped += terms.ppoClipped.reduce(0) { $0 + ($1 ? 1 : 0) }
        counts.candidates += terms.candidates[ClipCov.name] ?? 0
        counts.clipped += terms.chosen[ClipCov.name]?.count ?? 0
        counts.penalized += terms.chosen[KLCov.name]?.count ?? 0
        // Which controls chose each token, names sorted.
        var chosenBy = [[String]](repeating: [], count: batch.count)
        for name in terms.chosen.keys.sorted() {
          for i in terms.chosen[name] ?? [] where i >= 0 && i < batch.count && chosenBy[i].last != name {
            chosenBy[i].append(name)
          }
        }
        for (i, t) in batch.enumerated() {
          records.append(
            TokenRecord(
              token: t, update: update, logProb: terms.logProbs[i], covariance: terms.covariances[i],
              ratio: terms.ratios[i], ppoClipped: terms.ppoClipped[i], chosenBy: chosenBy[i]))
        }
        update += 1
      }
    }
    var delta = [Double](repeating: 0, count: z.count)
    for i in z.indices where policy.logits[i] > -Double.infinity { delta[i] = z[i] - policy.logits[i] }
    counts.populationTerm = populationTerm(policy: policy, bandit: bandit, learningRate: eta)
    return SampledStep(delta: delta, counts: counts, tokens: records, filteredGroups: rollout.filteredGroups)
  }

  /// The loss terms of one minibatch under logits `z`.
  static func lossTerms(
    _ batch: [SampledToken], logits z: [Double], arms k: Int, clip: (low: Double, high: Double)?
  ) -> MinibatchTerms {
    // The same form as the rollout's `Policy.logProbabilities`, so that the
    // first minibatch's ratios are exactly 1 (see `logProbabilityShift`).
    var shifts = [(shift: Double, logSum: Double)?](repeating: nil, count: k > 0 ? z.count / k : 0)
    for t in batch where shifts[t.state] == nil {
      shifts[t.state] = z.withUnsafeBufferPointer {
        RowKernels.logProbabilityShift(UnsafeBufferPointer(rebasing: $0[(t.state * k)..<((t.state + 1) * k)]))
      }
    }
    let logProbs = batch.map { t in
      let shift = shifts[t.state] ?? (0, 0)
      return (z[t.state * k + t.arm] - shift.shift) - shift.logSum
    }
    let logRatios = zip(logProbs, batch).map { $0 - $1.oldLogProb }
    let ratios = logRatios.map { exp($0) }
    let n = Double(batch.count)
    let meanA = batch.reduce(0) { $0 + $1.advantage } / n
    let meanL = logProbs.reduce(0, +) / n
    let covariances = zip(batch, logProbs).map { ($0.advantage - meanA) * ($1 - meanL) }
    var clipped = [Bool](repeating: false, count: batch.count)
    var gradient = [Double](repeating: 0, count: batch.count)
    for i in batch.indices {
      let a = batch[i].advantage
      let rho = ratios[i]
      if let clip {
        let l1 = -a * rho
        let l2 = -a * min(max(rho, 1 - clip.low), 1 + clip.high)
        clipped[i] = l2 > l1
      }
      // ∂(−A·ρ)/∂log π = −A·ρ; a clipped term is constant.
      gradient[i] = clipped[i] ? 0 : -a * rho
    }
    return MinibatchTerms(
      tokens: batch, logProbs: logProbs, logRatios: logRatios, ratios: ratios, covariances: covariances,
      clipRange: clip, ppoClipped: clipped, lossGradient: gradient)
  }

  /// The population term −η·Cov_π(log π, A) with the exact advantages
  /// A = μ − V, mean over states: Thm. 2's prediction for an NPG step of
  /// size η, for comparison with what the sampled step did.
  ///
  /// NaN when the term is beyond a Double (|η·Cov| > 1.8e308): a step
  /// whose groups were all filtered out changes nothing and is kept even at
  /// an extreme η, and its term used to be recorded as ±inf, a value it
  /// does not have.
  public static func populationTerm(policy: Policy, bandit: Bandit, learningRate eta: Double) -> Double {
    let a = bandit.advantages(under: policy)
    var total = 0.0
    policy.logits.withUnsafeBufferPointer { zAll in
      a.withUnsafeBufferPointer { aAll in
        for s in 0..<policy.states {
          let r = policy.rowRange(s)
          total +=
            -eta
            * RowKernels.moments(UnsafeBufferPointer(rebasing: zAll[r]), UnsafeBufferPointer(rebasing: aAll[r]))
            .covariance
        }
      }
    }
    let term = total / Double(policy.states)
    return term.isFinite ? term : .nan
  }
}

/// One plain SGD step of a minibatch's token-mean loss on the logits of the
/// states it touches, with scratch reused across the minibatches of a
/// sampled step: a flat S × K gradient and π, tokens per state, and the
/// touched states in order of first appearance. (Per-minibatch
/// dictionaries of rows were most of a small bandit's step time.)
struct MinibatchDescent {
  let arms: Int
  var gradient: [Double]
  var probabilities: [Double]
  var tokensPerState: [Int]
  var touched: [Int] = []

  init(states: Int, arms: Int) {
    self.arms = arms
    gradient = [Double](repeating: 0, count: states * arms)
    probabilities = [Double](repeating: 0, count: states * arms)
    tokensPerState = [Int](repeating: 0, count: states)
    touched.reserveCapacity(states)
  }

  /// z −= η·∇ over the touched states, where the gradient on state s is
  /// Σ_i c_i·(e_{a_i} − π_s)/|M| over its tokens (c_i = ∂loss_i/∂log π_i)
  /// plus the controls' extra logit gradients. Returns false, with `z`
  /// partly updated, if a logit would become non-finite.
  mutating func step(
    _ z: inout [Double], terms: MinibatchTerms, controls: [any EntropyControl], learningRate eta: Double
  ) -> Bool {
    let k = arms
    touched.removeAll(keepingCapacity: true)
    for t in terms.tokens {
      if tokensPerState[t.state] == 0 { touched.append(t.state) }
      tokensPerState[t.state] += 1
    }
    defer { for s in touched { tokensPerState[s] = 0 } }
    let n = Double(terms.count)
    z.withUnsafeBufferPointer { zb in
      probabilities.withUnsafeMutableBufferPointer { p in
        for s in touched {
          let r = (s * k)..<((s + 1) * k)
          RowKernels.softmax(UnsafeBufferPointer(rebasing: zb[r]), into: UnsafeMutableBufferPointer(rebasing: p[r]))
        }
      }
    }
    for s in touched {
      for i in (s * k)..<((s + 1) * k) { gradient[i] = 0 }
    }
    gradient.withUnsafeMutableBufferPointer { g in
      probabilities.withUnsafeBufferPointer { p in
        for (i, t) in terms.tokens.enumerated() {
          let c = terms.lossGradient[i] / n
          guard c != 0 else { continue }
          let base = t.state * k
          for a in 0..<k { g[base + a] -= c * p[base + a] }
          g[base + t.arm] += c
        }
      }
    }
    if !controls.isEmpty {
      for s in touched {
        let row = Array(probabilities[(s * k)..<((s + 1) * k)])
        var h = 0.0
        for x in row where x > 0 { h -= x * log(x) }
        let weight = Double(tokensPerState[s]) / n
        for c in controls {
          guard let extra = c.extraLogitGradient(probabilities: row, entropy: h, weight: weight) else { continue }
          for a in 0..<k { gradient[s * k + a] += extra[a] }
        }
      }
    }
    return gradient.withUnsafeBufferPointer { g in
      z.withUnsafeMutableBufferPointer { zb in
        for s in touched {
          for i in (s * k)..<((s + 1) * k) where zb[i] > -Double.infinity {
            let v = zb[i] - eta * g[i]
            guard v.isFinite else { return false }
            zb[i] = v
          }
        }
        return true
      }
    }
  }
}
