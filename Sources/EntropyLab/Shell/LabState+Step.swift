import EntropyCore

extension LabState {
  /// Takes one step of the current rule (exact or sampled) and records it.
  ///
  /// - Returns: the record and E_π A per state before centring (non-zero
  ///   only for hand-set advantages that are not centred under π).
  /// - Throws: `CoreError.nonFiniteUpdate` with the state unchanged.
  public mutating func takeStep() throws(CoreError) -> (StepRecord, meanAdvantage: [Double]) {
    if rule == .grpo { return (try takeSampledStep(), []) }
    let plan = nextExactStep
    return (try applyAndRecord(plan.delta, sampled: nil), plan.meanAdvantage)
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
    lastStep = (policy, delta)
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
