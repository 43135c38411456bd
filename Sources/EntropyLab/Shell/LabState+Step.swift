import EntropyCore

extension LabState {
  /// Takes one step of the current rule (exact or sampled) and records it.
  ///
  /// - Returns: the record and E_π A per state before centring (non-zero
  ///   only for hand-set advantages that are not centred under π).
  /// - Throws: `CoreError.nonFiniteUpdate` with the state unchanged.
  public mutating func takeStep() throws(CoreError) -> (StepRecord, meanAdvantage: [Double]) {
    if rule == .grpo { return (try takeSampledStep(), []) }
    return try takeExactStep()
  }

  /// The advantages of the next exact step, row by row.
  var stepAdvantages: StepAdvantages {
    switch advantages {
    case .exact: return .exact(bandit)
    case .manual(let a): return .manual(a)
    }
  }

  /// Whether a step keeps the policy before it and its Δz for `show last`:
  /// at most `lastStepLimit` logits (beyond, keeping them would double
  /// the memory a step needs, and the step runs in place).
  var keepsLastStep: Bool { policy.states * policy.arms <= lastStepLimit }

  /// The most logits (S × K) for which a step keeps what `show last` shows
  /// by default (4,194,304: 32 MiB per array).
  public static let defaultLastStepLimit = 1 << 22

  /// One exact PG/NPG step, row by row (`RowwiseExactStep`): A, Δz and
  /// the predictions with no S × K temporary, the logits changed in place
  /// only after every row was checked, and H and R after the step summed
  /// over each written row by the function the next plan uses.
  ///
  /// - Throws: `CoreError.nonFiniteUpdate`, with the state unchanged.
  private mutating func takeExactStep() throws(CoreError) -> (StepRecord, meanAdvantage: [Double]) {
    let source = stepAdvantages
    let (rule, eta) = (exactRule, learningRate)
    if keepsLastStep {
      var delta = [Double](repeating: 0, count: policy.logits.count)
      let plan = delta.withUnsafeMutableBufferPointer { d in
        RowwiseExactStep.plan(
          policy, rule: rule, advantages: source, learningRate: eta, pathIntegral: true, delta: d)
      }
      try check(plan)
      lastStep = (policy, delta)
      lastStepDropped = false
      let after = RowwiseExactStep.apply(
        &policy, plan: plan, advantages: source, rewards: bandit)
      return (record(plan, after: after), plan.meanAdvantage)
    }
    let plan = RowwiseExactStep.plan(policy, rule: rule, advantages: source, learningRate: eta, pathIntegral: true)
    try check(plan)
    // Dropped before the logits change, so nothing else holds their buffer
    // and the step writes it in place.
    lastStep = nil
    lastStepDropped = true
    let after = RowwiseExactStep.apply(
      &policy, plan: plan, advantages: source, rewards: bandit)
    return (record(plan, after: after), plan.meanAdvantage)
  }

  /// Refuses a planned step whose prediction or logits would not be finite.
  private func check(_ plan: RowwiseStepPlan) throws(CoreError) {
    let prediction = plan.mean
    guard prediction.firstOrder.isFinite, prediction.secondOrder.isFinite, plan.applicable else {
      throw .nonFiniteUpdate
    }
  }

  /// Counts and records an applied exact step.
  private mutating func record(_ plan: RowwiseStepPlan, after: RowwiseExactStep.Applied) -> StepRecord {
    stepsTaken += 1
    // An exact step's rule is pg or npg, so R is the bandit's expected
    // reward (`expectedReward`), here from the values the step summed.
    let record = StepRecord(
      step: stepsTaken, entropyBefore: plan.meanEntropyBefore, entropyAfter: after.meanEntropy,
      prediction: plan.mean, expectedReward: after.expectedReward, sampled: nil, rule: rule.rawValue)
    trajectory.append(record)
    return record
  }

  /// Takes one sampled GRPO step (rollout, minibatch updates, controls)
  /// and records it with the predictions of its exact logit change.
  mutating func takeSampledStep() throws(CoreError) -> StepRecord {
    // Before the rollout allocates S × G tokens (a sweep reaches here
    // without the commands' own checks).
    try MemoryBudget.check(
      bytes: SampledTrainer.bytesNeeded(states: policy.states, arms: policy.arms, config: grpo), held: heldBytes)
    var g = generator
    var moments = adam
    let sampled = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: grpo, controls: controls.active(atStep: stepsTaken),
      learningRate: learningRate, adam: &moments, stepNumber: stepsTaken, using: &g)
    var counts = sampled.counts
    // The scheduled coefficients this step used, shown in the trajectory.
    counts.activity.merge(controls.scheduledLevels(atStep: stepsTaken))
    let record = try applyAndRecord(sampled.delta, sampled: counts)
    controls.remember(sampled.memory)
    // Only a step that was applied consumes the random stream (and moves
    // AdamW's moments).
    generator = g
    adam = moments
    lastTokens = sampled.tokens
    lastTokensStep = stepsTaken
    return record
  }

  /// Predicts the entropy change of `delta`, applies it and appends the
  /// step to the trajectory; every rule's step ends here.
  ///
  /// - Throws: `CoreError.nonFiniteUpdate`, with the state unchanged.
  private mutating func applyAndRecord(_ delta: [Double], sampled: SampledCounts?) throws(CoreError) -> StepRecord {
    let prediction = try EntropyDynamics.predict(policy: policy, change: delta).mean
    guard prediction.firstOrder.isFinite, prediction.secondOrder.isFinite else { throw .nonFiniteUpdate }
    let before = policy.meanEntropy
    var next = policy
    try next.apply(delta)
    if keepsLastStep {
      lastStep = (policy, delta)
      lastStepDropped = false
    } else {
      lastStep = nil
      lastStepDropped = true
    }
    policy = next
    stepsTaken += 1
    let record = StepRecord(
      step: stepsTaken, entropyBefore: before, entropyAfter: policy.meanEntropy, prediction: prediction,
      expectedReward: expectedReward, sampled: sampled, rule: rule.rawValue)
    trajectory.append(record)
    return record
  }

  /// The exact expected reward of the current policy: R = mean_s V_s, or,
  /// for sampled steps with `reward all` and T > 1, the exact expected
  /// reward of a response (`ResponseModel`).
  public var expectedReward: Double {
    if rule == .grpo && grpo.response.reward == .all && !grpo.response.isSingleToken {
      return grpo.response.expectedReward(policy: policy, bandit: bandit)
    }
    return bandit.expectedReward(under: policy)
  }

  /// The largest |E_π A| over states of hand-set advantages, with its state,
  /// if it is not negligible (exact advantages are centred by construction).
  public func uncentredAdvantage(_ means: [Double]) -> (state: Int, mean: Double)? {
    guard case .manual = advantages else { return nil }
    guard let worst = means.indices.max(by: { abs(means[$0]) < abs(means[$1]) }) else { return nil }
    return abs(means[worst]) > 1e-12 ? (worst, means[worst]) : nil
  }
}
