/// The exact (expected) policy-gradient update rules of the paper, applied
/// per state with no state-visitation weight (paper §2.2 choice (a)).
///
/// - `pg`: Δz = η·π ⊙ (A − E_π A) (Prop. 1; Thm. 1 predicts
///   ΔH ≈ −η·Cov(log π, π·A));
/// - `npg`: Δz = η·(A − E_π A) (Thm. 2: ΔH ≈ −η·Cov(log π, A)).
///
/// When E_π A = 0 these are exactly the paper's updates; otherwise A is
/// centred first (the gradient of E_π[A] ignores a constant per state) and
/// the caller is told by `ExactStep.meanAdvantage`.
public enum UpdateRule: String, Sendable, Equatable, CaseIterable {
  /// Vanilla softmax policy gradient.
  case pg
  /// Natural policy gradient.
  case npg
}

/// The logit change of one exact step and what it needed.
public struct ExactStep: Sendable, Equatable {
  /// Δz, S × K row-major (0 on arms with π = 0).
  public var delta: [Double]
  /// E_π A per state before centring (0 for exact advantages).
  public var meanAdvantage: [Double]
}

extension UpdateRule {
  /// The logit change of one step of this rule at learning rate `eta`.
  ///
  /// - Parameter advantages: S × K, row-major.
  /// - Throws: `CoreError.shapeMismatch` if `advantages` is not S × K.
  public func step(policy: Policy, advantages: [Double], learningRate eta: Double) throws(CoreError) -> ExactStep {
    guard advantages.count == policy.logits.count else {
      throw .shapeMismatch(expected: policy.logits.count, got: advantages.count)
    }
    return stepShaped(policy: policy, advantages: advantages, learningRate: eta)
  }

  /// `step` for advantages the caller built S × K itself (the shell's own
  /// state); a wrong size is a bug in the package and traps.
  package func stepShaped(policy: Policy, advantages: [Double], learningRate eta: Double) -> ExactStep {
    precondition(advantages.count == policy.logits.count, "A must be S × K")
    var delta = [Double](repeating: 0, count: policy.logits.count)
    var means = [Double](repeating: 0, count: policy.states)
    policy.logits.withUnsafeBufferPointer { zAll in
      advantages.withUnsafeBufferPointer { aAll in
        delta.withUnsafeMutableBufferPointer { dAll in
          for s in 0..<policy.states {
            let r = policy.rowRange(s)
            means[s] = RowKernels.exactDirection(
              UnsafeBufferPointer(rebasing: zAll[r]), advantages: UnsafeBufferPointer(rebasing: aAll[r]),
              learningRate: eta, natural: self == .npg, into: UnsafeMutableBufferPointer(rebasing: dAll[r]))
          }
        }
      }
    }
    return ExactStep(delta: delta, meanAdvantage: means)
  }
}
