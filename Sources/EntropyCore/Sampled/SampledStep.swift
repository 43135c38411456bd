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
        // Gradient of the token-mean loss on each touched state's logits.
        var gradient: [Int: [Double]] = [:]
        var probabilities: [Int: [Double]] = [:]
        var tokensPerState: [Int: Int] = [:]
        for t in batch { tokensPerState[t.state, default: 0] += 1 }
        for s in tokensPerState.keys {
          probabilities[s] = softmaxRow(z, state: s, arms: k)
          gradient[s] = [Double](repeating: 0, count: k)
        }
        let n = Double(terms.count)
        for (i, t) in batch.enumerated() {
          let c = terms.lossGradient[i] / n
          guard c != 0, let p = probabilities[t.state] else { continue }
          for a in 0..<k { gradient[t.state]?[a] -= c * p[a] }
          gradient[t.state]?[t.arm] += c
        }
        for (s, count) in tokensPerState {
          guard let p = probabilities[s] else { continue }
          var h = 0.0
          for x in p where x > 0 { h -= x * log(x) }
          for c in controls {
            if let extra = c.extraLogitGradient(probabilities: p, entropy: h, weight: Double(count) / n) {
              for a in 0..<k { gradient[s]?[a] += extra[a] }
            }
          }
        }
        for (s, g) in gradient {
          for a in 0..<k where z[s * k + a] > -Double.infinity {
            let v = z[s * k + a] - eta * g[a]
            guard v.isFinite else { throw .nonFiniteUpdate }
            z[s * k + a] = v
          }
        }
        counts.ppoClipped += terms.ppoClipped.filter { $0 }.count
        counts.candidates += terms.candidates[ClipCov.name] ?? 0
        counts.clipped += terms.chosen[ClipCov.name]?.count ?? 0
        counts.penalized += terms.chosen[KLCov.name]?.count ?? 0
        for (i, t) in batch.enumerated() {
          let by = terms.chosen.keys.sorted().filter { terms.chosen[$0]?.contains(i) == true }
          records.append(
            TokenRecord(
              token: t, update: update, logProb: terms.logProbs[i], covariance: terms.covariances[i],
              ratio: terms.ratios[i], ppoClipped: terms.ppoClipped[i], chosenBy: by))
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
    var shifts: [Int: (shift: Double, logSum: Double)] = [:]
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

  /// π(·|s) from the flat logits.
  static func softmaxRow(_ z: [Double], state s: Int, arms k: Int) -> [Double] {
    z.withUnsafeBufferPointer { all in
      [Double](unsafeUninitializedCapacity: k) { out, count in
        RowKernels.softmax(UnsafeBufferPointer(rebasing: all[(s * k)..<((s + 1) * k)]), into: out)
        count = k
      }
    }
  }

  /// The population term −η·Cov_π(log π, A) with the exact advantages
  /// A = μ − V, mean over states: Thm. 2's prediction for an NPG step of
  /// size η, for comparison with what the sampled step did.
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
    return total / Double(policy.states)
  }
}
