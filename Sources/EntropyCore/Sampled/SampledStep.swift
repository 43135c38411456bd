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
  /// The centred covariance used for selection (centred over its micro-batch).
  public var covariance: Double
  /// PPO ratio ρ.
  public var ratio: Double
  /// Whether the PPO clip zeroed its gradient.
  public var ppoClipped: Bool
  /// Names of the controls that chose it.
  public var chosenBy: [String]
  /// Which micro-batch of its update (0-based).
  public var microbatch = 0
  /// Whether verl's dual-clip zeroed its gradient.
  public var dualClipped = false
  /// log π(arm|state) after its update minus before it: the effect of the
  /// update it took part in on its own token ("token flipping" when its
  /// sign is opposite to the advantage's).
  public var logProbChange = 0.0
  /// The Fig. 8 covariance of its group (prompt): over the group's
  /// responses, of the length-normalised log π_old and the advantage.
  public var groupCovariance = 0.0
}

/// The outcome of one sampled step: the total logit change and what
/// happened along the way.
public struct SampledStep: Sendable, Equatable {
  /// z_after − z_before over every update of the step, S × K.
  public var delta: [Double]
  /// Token counts and what the controls did.
  public var counts: SampledCounts
  /// Every token of every update.
  public var tokens: [TokenRecord]
  /// Groups dropped by the filter.
  public var filteredGroups: Int
  /// What each stateful control carried out of the step, by name (see
  /// `EntropyControl.memory`).
  public var memory: [String: [Double]] = [:]

  /// A step from its parts.
  public init(delta: [Double], counts: SampledCounts, tokens: [TokenRecord], filteredGroups: Int) {
    self.delta = delta
    self.counts = counts
    self.tokens = tokens
    self.filteredGroups = filteredGroups
  }
}

/// Sampled GRPO with a PPO surrogate and entropy controls on a tabular
/// softmax policy (paper §4.5 pseudo-code, reproducing PRIME-RL's code).
///
/// For each of E epochs the rollout's units (responses, or whole groups)
/// are ordered and split into M minibatches (`MinibatchPlan`); each
/// minibatch is cut into m micro-batches, each one loss call (its own
/// covariance centring and control selection, aggregated by `aggregation`
/// and scaled by its share of the minibatch's responses, as verl's
/// dp_actor does), and the summed gradient takes one optimiser step (SGD
/// or AdamW, after an optional global-norm clip). The gradient a token
/// sends to its own state's logits is c_i·w_i·(e_a − π) with
/// c_i = ∂loss_i/∂log π_i (−A·ρ, or 0 when clipped or detached, plus
/// β·sign(ℓ) under KL-Cov) and w_i its aggregation weight (1/|M| for
/// token-mean).
///
/// Shuffling is this simulator's default: in a tabular policy a minibatch
/// moves only its own states' logits, so minibatches that each spanned a
/// few states would never see an off-policy ratio; shuffled, they do, as
/// every update of an LLM moves every logit.
public enum SampledTrainer {
  /// Runs one rollout and its updates from `policy` (not modified), with
  /// fresh AdamW moments.
  public static func step(
    policy: Policy, bandit: Bandit, config: GRPOConfig, controls: [any EntropyControl],
    learningRate eta: Double, using generator: inout SplitMix64
  ) throws(CoreError) -> SampledStep {
    var adam = AdamState()
    return try step(
      policy: policy, bandit: bandit, config: config, controls: controls, learningRate: eta, adam: &adam,
      using: &generator)
  }

  /// Runs one rollout and its updates from `policy` (not modified).
  /// `adam` carries AdamW's moments across steps (unused under SGD); it is
  /// changed only when the step succeeds.
  ///
  /// - Throws: `CoreError` for Bernoulli noise with means outside [0, 1],
  ///   or a non-finite update.
  public static func step(
    policy: Policy, bandit: Bandit, config: GRPOConfig, controls: [any EntropyControl],
    learningRate eta: Double, adam: inout AdamState, stepNumber: Int = 0, using generator: inout SplitMix64
  ) throws(CoreError) -> SampledStep {
    var controls = controls
    var activity = ControlActivity()
    // Before the rollout: controls may mask arms for the whole step.
    var base = policy
    if !controls.isEmpty {
      var start = ControlStepStart(
        step: stepNumber, states: policy.states, arms: policy.arms, logits: policy.logits)
      for i in controls.indices { controls[i].beginStep(&start, using: &generator) }
      activity.merge(start.activity)
      if start.logits != policy.logits {
        base = try Policy(states: policy.states, arms: policy.arms, logits: start.logits)
      }
    }
    var rollout = try Rollout.sample(policy: base, bandit: bandit, config: config, using: &generator)
    if !controls.isEmpty {
      var view = ControlRollout(
        step: stepNumber, tokens: rollout.tokens, entropy: responseEntropy(rollout.tokens, policy: base))
      for i in controls.indices { controls[i].prepare(&view, using: &generator) }
      activity.merge(view.activity)
      rollout.tokens = view.tokens
    }
    var z = base.logits
    let k = policy.arms
    var records: [TokenRecord] = []
    var counts = SampledCounts(tokens: rollout.tokens.count, ppoClipped: 0, populationTerm: 0)
    var clip: (low: Double, high: Double)? = (config.clipLow, config.clipHigh)
    for c in controls { c.adjustClip(&clip) }
    // A control that replaces the vanilla loss (verl's Clip-Cov and KL-Cov)
    // has no dual-clip.
    let dualClip = controls.allSatisfy { type(of: $0).keepsDualClip } ? config.dualClip : nil

    var descent = MinibatchDescent(states: policy.states, arms: k)
    var adamNext = adam
    records.reserveCapacity(rollout.tokens.count * config.epochs)
    let groupCov = Rollout.responseCovariance(rollout.tokens)

    var plan = MinibatchPlan(tokens: rollout.tokens, config: config)
    var update = 0
    for _ in 0..<config.epochs {
      guard !rollout.tokens.isEmpty else { break }
      let order = plan.unitOrder(using: &generator)
      for indices in plan.minibatches(order) {
        let recordStart = records.count
        let batch = indices.map { rollout.tokens[$0] }
        let micro = MinibatchPlan.microbatches(batch, count: config.microbatches)
        let batchResponses = Double(LossAggregation.responseCount(batch))
        for (j, part) in micro.enumerated() {
          let tokens = micro.count == 1 ? batch : part.map { batch[$0] }
          var terms = lossTerms(tokens, logits: z, arms: k, clip: clip, dualClip: dualClip)
          let weights = config.aggregation.weights(tokens)
          terms.aggregation = weights.numerators
          for c in controls { c.apply(to: &terms, using: &generator) }
          let scale = Double(LossAggregation.responseCount(tokens)) / batchResponses
          descent.accumulate(
            z, terms: terms, numerators: weights.numerators, denominator: weights.denominator, scale: scale,
            controls: controls)
          counts.ppoClipped += terms.ppoClipped.reduce(0) { $0 + ($1 ? 1 : 0) }
          counts.dualClipped += terms.dualClipped.reduce(0) { $0 + ($1 ? 1 : 0) }
          activity.merge(terms.activity)
          // Which controls chose each token, names sorted.
          var chosenBy = [[String]](repeating: [], count: tokens.count)
          for name in terms.chosen.keys.sorted() {
            for i in terms.chosen[name] ?? [] where i >= 0 && i < tokens.count && chosenBy[i].last != name {
              chosenBy[i].append(name)
            }
          }
          for (i, t) in tokens.enumerated() {
            var record = TokenRecord(
              token: t, update: update, logProb: terms.logProbs[i], covariance: terms.covariances[i],
              ratio: terms.ratios[i], ppoClipped: terms.ppoClipped[i], chosenBy: chosenBy[i])
            record.microbatch = j
            record.dualClipped = terms.dualClipped.isEmpty ? false : terms.dualClipped[i]
            record.groupCovariance = groupCov.perGroup[t.group] ?? 0
            records.append(record)
          }
        }
        // `z` is this step's copy: a non-finite update throws it away.
        guard
          descent.apply(
            &z, optimizer: config.optimizer, gradientClip: config.gradientClip, adam: &adamNext, learningRate: eta)
        else {
          throw .nonFiniteUpdate
        }
        // Each token's own log π after this update (one row shift per state).
        var after = [(shift: Double, logSum: Double)?](repeating: nil, count: policy.states)
        for i in recordStart..<records.count {
          let t = records[i].token
          if after[t.state] == nil {
            after[t.state] = z.withUnsafeBufferPointer {
              RowKernels.logProbabilityShift(UnsafeBufferPointer(rebasing: $0[(t.state * k)..<((t.state + 1) * k)]))
            }
          }
          let shift = after[t.state] ?? (0, 0)
          records[i].logProbChange = ((z[t.state * k + t.arm] - shift.shift) - shift.logSum) - records[i].logProb
        }
        update += 1
      }
    }
    // Arms masked for the step (−∞ in `base`) keep their logits.
    var delta = [Double](repeating: 0, count: z.count)
    for i in z.indices where base.logits[i] > -Double.infinity { delta[i] = z[i] - base.logits[i] }
    counts.populationTerm = populationTerm(policy: policy, bandit: bandit, learningRate: eta)
    counts.responses = rollout.responses
    counts.passes = rollout.passes
    counts.groupsDrawn = rollout.groupsDrawn
    counts.updates = update
    counts.responseCovariance = groupCov.mean
    counts.tokenCovariance = Rollout.tokenCovariance(rollout.tokens)
    counts.activity = activity.ordered(by: controls.flatMap { type(of: $0).activity })
    var carried: [String: [Double]] = [:]
    for c in controls { carried[type(of: c).name] = c.memory }
    adam = adamNext
    var result = SampledStep(delta: delta, counts: counts, tokens: records, filteredGroups: rollout.filteredGroups)
    result.memory = carried
    return result
  }

  /// H_t: the mean over the rollout's responses of H(π(·|s_i)), each
  /// response counted once whatever its length (0 for no tokens).
  public static func responseEntropy(_ tokens: [SampledToken], policy: Policy) -> Double {
    guard !tokens.isEmpty else { return 0 }
    var perState = [Double?](repeating: nil, count: policy.states)
    var total = 0.0
    var responses = 0.0
    for t in tokens {
      if perState[t.state] == nil { perState[t.state] = policy.entropy(state: t.state) }
      let share = 1 / Double(max(t.length, 1))
      total += (perState[t.state] ?? 0) * share
      responses += share
    }
    return total / responses
  }

  /// The loss terms of one loss call under logits `z`. With `dualClip` c
  /// (verl's `clip_ratio_c`, vanilla loss only), a token with A < 0 whose
  /// clipped loss max(L1, L2) exceeds −A·c takes the constant −A·c: its
  /// gradient is 0.
  static func lossTerms(
    _ batch: [SampledToken], logits z: [Double], arms k: Int, clip: (low: Double, high: Double)?,
    dualClip: Double? = nil
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
    var dual = [Bool](repeating: false, count: dualClip == nil ? 0 : batch.count)
    var gradient = [Double](repeating: 0, count: batch.count)
    for i in batch.indices {
      let a = batch[i].advantage
      let rho = ratios[i]
      if let clip {
        let l1 = -a * rho
        let l2 = -a * min(max(rho, 1 - clip.low), 1 + clip.high)
        clipped[i] = l2 > l1
        if let c = dualClip, a < 0, -a * c < max(l1, l2) { dual[i] = true }
      }
      // ∂(−A·ρ)/∂log π = −A·ρ; a clipped term is constant.
      gradient[i] = clipped[i] || (dualClip != nil && dual[i]) ? 0 : -a * rho
    }
    var terms = MinibatchTerms(
      tokens: batch, logProbs: logProbs, logRatios: logRatios, ratios: ratios, covariances: covariances,
      clipRange: clip, ppoClipped: clipped, lossGradient: gradient)
    terms.dualClipped = dual
    return terms
  }

  /// The population term −η·Cov(log π, A) with the exact advantages
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
