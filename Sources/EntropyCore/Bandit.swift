/// A contextual bandit's reward model: a mean reward μ(s, a) per state and
/// arm, row-major like `Policy.logits`.
///
/// Properties: R = mean over states of Σ_a π(a|s)·μ(s,a); the exact
/// advantage A = μ − V with V(s) = Σ_a π(a|s)·μ(s,a) has E_π A = 0 in every
/// state (paper §1, Lemma 3).
public struct Bandit: Sendable, Equatable {
  /// Number of states.
  public let states: Int
  /// Number of arms per state.
  public let arms: Int
  /// The mean reward μ(s, a), row-major.
  public internal(set) var meanRewards: [Double]

  /// A bandit with every mean reward 0.
  public init(states: Int, arms: Int) {
    self.states = states
    self.arms = arms
    self.meanRewards = RandomFill.zeros(count: states * arms)
  }

  /// Sets the mean rewards of state `s`.
  ///
  /// - Throws: `CoreError` for a wrong count or a non-finite reward.
  public mutating func setRewards(_ row: [Double], state s: Int) throws(CoreError) {
    guard row.count == arms else { throw .shapeMismatch(expected: arms, got: row.count) }
    guard row.allSatisfy(\.isFinite) else { throw .nonFinite(what: "reward") }
    meanRewards.replaceSubrange(s * arms..<(s + 1) * arms, with: row)
  }

  /// V(s) = Σ_a π(a|s)·μ(s,a) for every state.
  ///
  /// States run on every core when the job is large; each V(s) does not
  /// depend on how they were spread.
  public func values(under policy: Policy) -> [Double] {
    let (count, k) = (states, arms)
    var out = [Double](repeating: 0, count: count)
    policy.logits.withUnsafeBufferPointer { zAll in
      meanRewards.withUnsafeBufferPointer { muAll in
        out.withUnsafeMutableBufferPointer { o in
          let (z, mu, v) = (SharedBuffer(buffer: zAll), SharedBuffer(buffer: muAll), SharedMutableBuffer(buffer: o))
          ParallelRows.forEach(count, work: count * k) { s in
            let r = (s * k)..<((s + 1) * k)
            v.buffer[s] = RowKernels.expectation(
              UnsafeBufferPointer(rebasing: z.buffer[r]), UnsafeBufferPointer(rebasing: mu.buffer[r]))
          }
        }
      }
    }
    return out
  }

  /// The expected reward R: the mean over states of V(s).
  public func expectedReward(under policy: Policy) -> Double {
    values(under: policy).reduce(0, +) / Double(states)
  }

  /// The exact advantages A(s, a) = μ(s, a) − V(s), row-major.
  public func advantages(under policy: Policy) -> [Double] {
    let v = values(under: policy)
    var a = meanRewards
    for s in 0..<states {
      for i in (s * arms)..<((s + 1) * arms) { a[i] -= v[s] }
    }
    return a
  }
}
