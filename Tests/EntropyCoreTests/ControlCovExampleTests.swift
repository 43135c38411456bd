import Foundation
import Testing

@testable import EntropyCore

/// Each control against the hand-worked batch of spec §4.6 item 1:
/// logp = [−0.1, −0.2, −2.5, −3.0, −0.05, −4.0, −0.3, −1.0],
/// A = [1.2, 1.2, −0.8, 1.5, −0.8, −0.8, 1.2, −0.8].
///
/// Tolerances: the fixture policy reproduces the given log-probs to ~1e-16,
/// so covariances and gradients computed from them agree to 1e-12 (a few
/// hundred ulps of margin); the spec's printed covariances are checked to
/// half a unit in their third decimal. Logit changes are compared to 1e-14:
/// the trainer and the hand formula do the same few floating-point
/// operations in a different order.
@Suite("Controls on the §4.6 hand-worked batch")
struct ControlCovExampleTests {
  static let band = (low: 1.0, high: 5.0)

  @Test("log-probs and centred covariances are the spec's")
  func covariances() throws {
    let terms = try CovExample.terms()
    expectClose(terms.logProbs, CovExample.logProbs, tolerance: 1e-15, "log π")
    expectClose(terms.covariances, CovExample.covariances, tolerance: 1e-12, "cov")
    for (i, text) in CovExample.printedCovariances.enumerated() {
      let printed = SpecNumber(text)
      expectClose(terms.covariances[i], printed.value, tolerance: printed.tolerance, "cov[\(i)] vs spec \(text)")
    }
    // On-policy: ℓ = 0 and ρ = 1 exactly, so nothing is PPO-clipped and every
    // token's loss gradient is −A.
    #expect(terms.logRatios.allSatisfy { $0 == 0 })
    #expect(terms.ratios.allSatisfy { $0 == 1 })
    #expect(terms.ppoClipped.allSatisfy { !$0 })
    #expect(terms.lossGradient == CovExample.advantages.map { -$0 })
  }

  @Test(
    "Clip-Cov: candidates {0,1,2,5,6}; chosen ones have a zero loss gradient, the rest −A",
    arguments: [
      (2e-4, 1), (0.25, 2), (0.5, 4), (0.625, 5), (1.0, 5),
    ])
  func clipCovChoice(ratio: Double, expectedCount: Int) throws {
    for seed: UInt64 in 0..<20 {
      var terms = try CovExample.terms()
      var g = SplitMix64(seed: seed)
      ClipCov(values: [ratio, Self.band.low, Self.band.high]).apply(to: &terms, using: &g)
      let chosen = terms.chosen[ClipCov.name] ?? []
      #expect(terms.candidates[ClipCov.name] == CovExample.bandCandidates.count)
      // max(⌊r·8⌋, 1) when there are enough candidates, all 5 otherwise.
      #expect(chosen.count == expectedCount, "r = \(ratio)")
      #expect(Set(chosen).count == chosen.count)
      #expect(Set(chosen).isSubset(of: CovExample.bandCandidates), "chosen \(chosen)")
      for i in 0..<CovExample.n {
        let expected = chosen.contains(i) ? 0 : -CovExample.advantages[i]
        #expect(terms.lossGradient[i] == expected, "token \(i)")
      }
      // Nothing else changes: covariances, ratios, clip flags.
      expectClose(terms.covariances, CovExample.covariances, tolerance: 1e-12, "cov")
      #expect(terms.ppoClipped.allSatisfy { !$0 })
    }
  }

  @Test("Clip-Cov skips already PPO-clipped tokens even inside the band")
  func clipCovSkipsClipped() throws {
    // ℓ₀ = 0.3 (A > 0, ρ = 1.35 > 1.2) and ℓ₂ = −0.3 (A < 0, ρ = 0.74 < 0.8)
    // are PPO-clipped; both lie in the band (cov 1.245 and 1.148).
    var logRatios = [Double](repeating: 0, count: CovExample.n)
    logRatios[0] = 0.3
    logRatios[2] = -0.3
    var terms = try CovExample.terms(logRatios: logRatios)
    #expect(terms.ppoClipped == [true, false, true, false, false, false, false, false])
    var g = SplitMix64(seed: 1)
    ClipCov(values: [1, Self.band.low, Self.band.high]).apply(to: &terms, using: &g)
    #expect(terms.candidates[ClipCov.name] == 3)
    #expect(terms.chosen[ClipCov.name] == [1, 5, 6])
    // Clipped (0, 2) and chosen (1, 5, 6) send nothing; 3, 4, 7 send −A·ρ = −A.
    let expected = (0..<CovExample.n).map { [0, 1, 2, 5, 6].contains($0) ? 0 : -CovExample.advantages[$0] }
    #expect(terms.lossGradient == expected)
  }

  @Test(
    "KL-Cov: top-k by covariance (5; then 0, 1, 2), no band, no sign check",
    arguments: [
      (2e-3, [5]), (0.25, [0, 5]), (0.5, [0, 1, 2, 5]), (1.0, Array(0..<8)),
    ])
  func klCovChoice(ratio: Double, expected: [Int]) throws {
    var terms = try CovExample.terms(clip: nil)
    var g = SplitMix64(seed: 3)
    let before = g
    KLCov(values: [ratio, 1]).apply(to: &terms, using: &g)
    #expect(terms.chosen[KLCov.name] == expected)
    #expect(g == before, "KL-Cov is deterministic and draws nothing")
    // On-policy ℓ = 0: sign(0) = 0, so the penalty adds nothing.
    #expect(terms.lossGradient == CovExample.advantages.map { -$0 })
  }

  @Test("KL-Cov adds β·sign(ℓ) to the chosen tokens' loss gradient and removes the PPO clip")
  func klCovPenalty() throws {
    // Hand-set ℓ; token 4 (A < 0, ρ = e^−0.3 < 0.8) would be PPO-clipped.
    let logRatios = [0.05, -0.02, 0.1, 0, -0.3, 0.15, 0.01, -0.05]
    var clip: (low: Double, high: Double)? = (0.2, 0.2)
    KLCov(values: [0.5, 0.7]).adjustClip(&clip)
    #expect(clip == nil)
    #expect(try CovExample.terms(logRatios: logRatios).ppoClipped[4], "token 4 is clipped under PPO")
    var terms = try CovExample.terms(logRatios: logRatios, clip: clip)
    #expect(terms.ppoClipped.allSatisfy { !$0 })
    // Covariances use the current log π, so ℓ does not move the selection.
    expectClose(terms.covariances, CovExample.covariances, tolerance: 1e-12, "cov")
    var g = SplitMix64(seed: 0)
    KLCov(values: [0.5, 0.7]).apply(to: &terms, using: &g)
    #expect(terms.chosen[KLCov.name] == [0, 1, 2, 5])
    // −A·ρ for all; + β·sign(ℓ) on 0 (+), 1 (−), 2 (+), 5 (+).
    let sign: [Int: Double] = [0: 1, 1: -1, 2: 1, 5: 1]
    for i in 0..<CovExample.n {
      let expected = -CovExample.advantages[i] * exp(logRatios[i]) + 0.7 * (sign[i] ?? 0)
      expectClose(terms.lossGradient[i], expected, tolerance: 1e-14, "c[\(i)]")
    }
    // β = 1, top-1, with ℓ₅ < 0 and ℓ₅ = 0.
    for (l5, s) in [(-0.15, -1.0), (0, 0)] {
      var lr = logRatios
      lr[5] = l5
      var t = try CovExample.terms(logRatios: lr, clip: nil)
      KLCov(values: [2e-3, 1]).apply(to: &t, using: &g)
      #expect(t.chosen[KLCov.name] == [5])
      expectClose(t.lossGradient[5], 0.8 * exp(l5) + s, tolerance: 1e-14, "c[5] with ℓ₅ = \(l5)")
    }
  }

  // MARK: - One SampledTrainer step on the batch against the hand gradient

  static func step(_ controls: [any EntropyControl], eta: Double, epochs: Int = 1) throws -> SampledStep {
    var config = CovExample.config()
    config.epochs = epochs
    var g = SplitMix64(seed: CovExample.seed)
    return try SampledTrainer.step(
      policy: try CovExample.policy(), bandit: try CovExample.bandit(), config: config, controls: controls,
      learningRate: eta, using: &g)
  }

  /// Δz of one update on the batch by hand: token i (state i, arm 0) with
  /// loss gradient c_i = −A_i (0 if detached) moves its row by
  /// −η·c_i·(e₀ − π_i)/8.
  static func handDelta(eta: Double, detached: Set<Int>) throws -> [Double] {
    let policy = try CovExample.policy()
    var delta = [Double](repeating: 0, count: policy.logits.count)
    for i in 0..<CovExample.n where !detached.contains(i) {
      let c = -CovExample.advantages[i]
      let p = policy.probabilities(state: i)
      for a in 0..<CovExample.arms {
        delta[i * CovExample.arms + a] = -eta * c * ((a == 0 ? 1 : 0) - p[a]) / 8
      }
    }
    return delta
  }

  @Test("plain GRPO: Δz = η·A_i·(e₀ − π_i)/8 per state")
  func plainStep() throws {
    let step = try Self.step([], eta: 0.5)
    expectClose(step.delta, try Self.handDelta(eta: 0.5, detached: []), tolerance: 1e-14, "Δz")
    #expect(step.counts.tokens == 8 && step.counts.ppoClipped == 0)
    #expect(step.tokens.map(\.token.state) == Array(0..<8))
  }

  @Test("Clip-Cov step: the chosen tokens' states do not move, the rest move as plain GRPO")
  func clipCovStep() throws {
    // r = 2e-4: one token, drawn after the rollout from the same generator.
    var g = SplitMix64(seed: CovExample.seed)
    _ = try Rollout.sample(
      policy: try CovExample.policy(), bandit: try CovExample.bandit(), groupSize: 1, noise: .none, filter: false,
      using: &g)
    let expectedChoice = Sampling.sampleWithoutReplacement(CovExample.bandCandidates, count: 1, using: &g)
    let one = try Self.step([ClipCov(values: [2e-4, 1, 5])], eta: 0.5)
    let chosen = one.tokens.filter { $0.chosenBy == [ClipCov.name] }.map(\.token.state)
    #expect(chosen == expectedChoice)
    #expect(one.counts.activity.count("clipped") == 1 && one.counts.activity.count("candidates") == 5)
    expectClose(one.delta, try Self.handDelta(eta: 0.5, detached: Set(chosen)), tolerance: 1e-14, "Δz, r = 2e-4")
    for a in 0..<CovExample.arms { #expect(one.delta[chosen[0] * CovExample.arms + a] == 0) }

    // r = 1: every candidate is detached; only states 3, 4 and 7 move.
    let all = try Self.step([ClipCov(values: [1, 1, 5])], eta: 0.5)
    #expect(all.counts.activity.count("clipped") == 5)
    expectClose(
      all.delta, try Self.handDelta(eta: 0.5, detached: Set(CovExample.bandCandidates)), tolerance: 1e-14, "Δz, r = 1")
  }

  @Test("KL-Cov step with M = E = 1: token 5 is penalised but ℓ = 0, so Δz is plain GRPO's")
  func klCovOnPolicyStep() throws {
    let step = try Self.step([KLCov(values: [2e-3, 1])], eta: 0.5)
    #expect(step.counts.activity.count("penalized") == 1)
    #expect(step.tokens.filter { $0.chosenBy == [KLCov.name] }.map(\.token.state) == [5])
    #expect(step.delta == (try Self.step([], eta: 0.5)).delta)
  }

  /// One update of the §4.5 pseudo-code on the whole batch (M = 1) from
  /// logits z, written from the spec: ℓ, ρ, cov over the batch, PPO clip or
  /// KL-Cov's top-1 with β·sign(ℓ), then SGD on the token-mean loss.
  static func specUpdate(
    logits z: [Double], eta: Double, clip: (low: Double, high: Double)?, klBeta: Double?
  ) throws -> (delta: [Double], logRatios: [Double], clipped: [Bool], klChosen: Int?) {
    let k = CovExample.arms
    let old = try CovExample.policy().logits
    let a = CovExample.advantages
    let lp = (0..<8).map { HandGRPO.logProb(z, state: $0, arm: 0, arms: k) }
    let l = (0..<8).map { lp[$0] - HandGRPO.logProb(old, state: $0, arm: 0, arms: k) }
    let rho = l.map { exp($0) }
    var clipped = [Bool](repeating: false, count: 8)
    if let clip {
      for i in 0..<8 {
        clipped[i] = (a[i] > 0 && rho[i] > 1 + clip.high) || (a[i] < 0 && rho[i] < 1 - clip.low)
      }
    }
    var c = (0..<8).map { clipped[$0] ? 0 : -a[$0] * rho[$0] }
    var klChosen: Int?
    if let beta = klBeta {
      let ma = a.reduce(0, +) / 8
      let ml = lp.reduce(0, +) / 8
      let cov = (0..<8).map { (a[$0] - ma) * (lp[$0] - ml) }
      let top = try #require(cov.indices.max { cov[$0] < cov[$1] })
      c[top] += beta * (l[top] > 0 ? 1 : l[top] < 0 ? -1 : 0)
      klChosen = top
    }
    let delta = HandGRPO.sgdDelta(
      logits: z, arms: k, tokens: (0..<8).map { (state: $0, arm: 0) }, c: c, eta: eta)
    return (delta, l, clipped, klChosen)
  }

  @Test("E = 2, PPO clip: the second update clips the tokens whose ratio left [0.8, 1.2]")
  func ppoTwoEpochs() throws {
    let eta = 4.0
    let step = try Self.step([], eta: eta, epochs: 2)
    let z0 = try CovExample.policy().logits
    let first = try Self.specUpdate(logits: z0, eta: eta, clip: (0.2, 0.2), klBeta: nil)
    #expect(first.clipped.allSatisfy { !$0 })
    let z1 = zip(z0, first.delta).map { $0 + $1 }
    let second = try Self.specUpdate(logits: z1, eta: eta, clip: (0.2, 0.2), klBeta: nil)
    let clippedCount = second.clipped.filter { $0 }.count
    #expect(clippedCount > 0 && clippedCount < 8, "the check needs some, not all, tokens clipped")
    #expect(step.counts.ppoClipped == clippedCount)
    let secondRecords = step.tokens.filter { $0.update == 1 }
    for r in secondRecords { #expect(r.ppoClipped == second.clipped[r.token.state], "token \(r.token.state)") }
    expectClose(step.delta, zip(first.delta, second.delta).map { $0 + $1 }, tolerance: 1e-13, "Δz")
  }

  @Test("E = 2, KL-Cov: the second update adds β·sign(ℓ) on token 5 and no PPO clip")
  func klCovTwoEpochs() throws {
    let eta = 4.0
    let beta = 1.0
    let step = try Self.step([KLCov(values: [2e-3, beta])], eta: eta, epochs: 2)
    let z0 = try CovExample.policy().logits
    let first = try Self.specUpdate(logits: z0, eta: eta, clip: nil, klBeta: beta)
    #expect(first.klChosen == 5 && first.logRatios[5] == 0)
    let z1 = zip(z0, first.delta).map { $0 + $1 }
    let second = try Self.specUpdate(logits: z1, eta: eta, clip: nil, klBeta: beta)
    // Token 5 (A < 0) was pushed down by the first update: ℓ₅ < 0, so the
    // penalty −β pulls it back toward π_old.
    #expect(second.klChosen == 5 && second.logRatios[5] < 0)
    #expect(step.counts.activity.count("penalized") == 2 && step.counts.ppoClipped == 0)
    expectClose(step.delta, zip(first.delta, second.delta).map { $0 + $1 }, tolerance: 1e-13, "Δz")
    // And it is not plain unclipped GRPO: without the penalty, state 5 moves differently.
    let plain = try Self.specUpdate(logits: z1, eta: eta, clip: nil, klBeta: 0)
    let k = CovExample.arms
    let gap = abs(second.delta[5 * k] - plain.delta[5 * k])
    // β/8·η·(1 − π₀) on arm 0 of state 5.
    #expect(gap > 0.4, "penalty effect on z[5,0]: \(gap)")
  }
}
