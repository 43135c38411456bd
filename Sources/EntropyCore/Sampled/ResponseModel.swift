import Foundation

/// How a multi-token response is scored: one reward shared by its T tokens.
public enum ResponseReward: String, Sendable, Equatable, CaseIterable {
  /// P(r = 1) = mean over the response's tokens of μ(s, a_t). Its expected
  /// reward equals the one-token R for every T.
  case mean
  /// Every token must succeed: P(r = 1) = Π_t μ(s, a_t).
  case all
}

/// The response model of a sampled step: a response of state s is T tokens
/// drawn i.i.d. from π(·|s) (T fixed, or uniform in T1…T2 per response),
/// scored by one reward drawn from the success probability P of
/// `ResponseReward`. T = 1 is the one-token bandit of the paper.
///
/// Exact expected reward and advantages (V_s = Σ_a π(a|s)·μ(s, a)):
/// - `mean`: E[r | T] = V_s; the advantage of a token a (its response's
///   expected reward given that token, minus E[r]) is (μ(s, a) − V_s)/T.
/// - `all`: E[r | T] = V_s^T; the advantage of a token a is
///   V_s^(T−1)·(μ(s, a) − V_s).
/// With lengths uniform in T1…T2, E[r] is the mean of E[r | T] over T.
public struct ResponseModel: Sendable, Equatable {
  /// The shortest response length T1 (≥ 1).
  public var minLength: Int
  /// The longest response length T2 (≥ T1).
  public var maxLength: Int
  /// How the shared reward is scored.
  public var reward: ResponseReward

  /// A model; lengths are clamped to 1 ≤ T1 ≤ T2.
  public init(minLength: Int = 1, maxLength: Int = 1, reward: ResponseReward = .mean) {
    self.minLength = max(1, minLength)
    self.maxLength = max(self.minLength, maxLength)
    self.reward = reward
  }

  /// Whether this is the one-token bandit (T = 1 for every response).
  public var isSingleToken: Bool { maxLength == 1 }

  /// The success probability of a response whose tokens have mean rewards
  /// `mus` (one token: μ itself).
  public func successProbability(_ mus: [Double]) -> Double {
    if mus.count == 1 { return mus[0] }
    switch reward {
    case .mean: return mus.reduce(0, +) / Double(mus.count)
    case .all: return mus.reduce(1, *)
    }
  }

  /// E[r] of a response of length `t` at a state of value `v`.
  public func expectedReward(value v: Double, length t: Int) -> Double {
    switch reward {
    case .mean: return v
    case .all: return pow(v, Double(t))
    }
  }

  /// E[r] at a state of value `v`, lengths uniform in T1…T2.
  public func expectedReward(value v: Double) -> Double {
    let n = maxLength - minLength + 1
    var total = 0.0
    for t in minLength...maxLength { total += expectedReward(value: v, length: t) }
    return total / Double(n)
  }

  /// The exact expected reward of `policy`, mean over states.
  public func expectedReward(policy: Policy, bandit: Bandit) -> Double {
    let values = bandit.values(under: policy)
    guard !values.isEmpty else { return 0 }
    return values.reduce(0) { $0 + expectedReward(value: $1) } / Double(values.count)
  }

  /// The exact advantage of token arm a in a response of length `t`:
  /// E[r | a_t = a] − E[r], with `mu` = μ(s, a) and `v` = V_s.
  public func tokenAdvantage(mu: Double, value v: Double, length t: Int) -> Double {
    switch reward {
    case .mean: return (mu - v) / Double(t)
    case .all: return pow(v, Double(t - 1)) * (mu - v)
    }
  }

  /// The exact token advantages of every (state, arm) for responses of
  /// length `t`, flat S × K.
  public func tokenAdvantages(policy: Policy, bandit: Bandit, length t: Int) -> [Double] {
    let values = bandit.values(under: policy)
    let k = policy.arms
    return bandit.meanRewards.indices.map { i in
      tokenAdvantage(mu: bandit.meanRewards[i], value: values[i / k], length: t)
    }
  }

  /// "T = 4" or "T = 2..5".
  public var lengthText: String {
    minLength == maxLength ? "T = \(minLength)" : "T = \(minLength)..\(maxLength)"
  }
}
