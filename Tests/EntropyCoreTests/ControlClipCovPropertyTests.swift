import Foundation
import Testing

@testable import EntropyCore

/// Clip-Cov's selection rule over many seeded random minibatches (spec
/// §4.2 steps 2–6, §4.5): candidates are strictly inside (ω_low, ω_high)
/// and not PPO-clipped; it picks max(⌊r·N⌋, 1) of them, or all when there
/// are fewer; the pick is uniform without replacement and reproducible
/// from the generator.
@Suite("Clip-Cov selection properties")
struct ControlClipCovPropertyTests {
  /// A random minibatch: 1–60 tokens over 4 states × 5 arms, some tokens
  /// repeated (equal covariances), advantages from real GRPO groups, and
  /// off-policy log-ratios ℓ ∈ [−0.4, 0.4] so some tokens are PPO-clipped.
  static func randomTerms(_ g: inout SplitMix64) throws -> MinibatchTerms {
    let states = 4
    let arms = 5
    let logits = (0..<(states * arms)).map { _ in 2 * Sampling.standardNormal(using: &g) }
    let policy = try Policy(states: states, arms: arms, logits: logits)
    let n = 1 + Sampling.uniformInt(below: 60, using: &g)
    var tokens: [SampledToken] = []
    while tokens.count < n {
      if !tokens.isEmpty && g.nextUnit() < 0.2 {
        // An exact duplicate: same state, arm, advantage, ℓ.
        tokens.append(tokens[Sampling.uniformInt(below: tokens.count, using: &g)])
        continue
      }
      let s = Sampling.uniformInt(below: states, using: &g)
      let a = Sampling.uniformInt(below: arms, using: &g)
      let groupRewards = (0..<8).map { _ in g.nextUnit() < 0.4 ? 1.0 : 0.0 }
      let adv = Rollout.groupAdvantages(groupRewards)[0]
      let lp = policy.logProbabilities(state: s)[a]
      let l = 0.8 * (g.nextUnit() - 0.5)
      tokens.append(
        SampledToken(state: s, arm: a, group: s, reward: groupRewards[0], advantage: adv, oldLogProb: lp - l))
    }
    return SampledTrainer.lossTerms(tokens, logits: policy.logits, arms: arms, clip: (0.2, 0.2))
  }

  /// A band for a random minibatch: half the time its bounds are exact
  /// covariance values of the batch (ties at ω_low and ω_high), otherwise
  /// random.
  static func randomBand(_ terms: MinibatchTerms, _ g: inout SplitMix64) -> (Double, Double) {
    let cov = terms.covariances
    if g.nextUnit() < 0.5 {
      let x = cov[Sampling.uniformInt(below: cov.count, using: &g)]
      let y = cov[Sampling.uniformInt(below: cov.count, using: &g)]
      return (min(x, y), max(x, y))
    }
    let x = 3 * Sampling.standardNormal(using: &g)
    return (x, x + 4 * g.nextUnit())
  }

  static let ratios = [2e-4, 0.02, 0.1, 0.25, 0.5, 1.0]

  @Test("never outside the open band or PPO-clipped; exactly max(⌊r·N⌋, 1) or all candidates; 1000 batches")
  func selectionRule() throws {
    var g = SplitMix64(seed: 20_250_522)
    var tiesSeen = 0
    var fewerSeen = 0
    var enoughSeen = 0
    for trial in 0..<1000 {
      var terms = try Self.randomTerms(&g)
      let (low, high) = Self.randomBand(terms, &g)
      let ratio = Self.ratios[Sampling.uniformInt(below: Self.ratios.count, using: &g)]
      let before = terms
      var pick = SplitMix64(seed: UInt64(trial))
      ClipCov(values: [ratio, low, high]).apply(to: &terms, using: &pick)
      let chosen = terms.chosen[ClipCov.name] ?? []
      let cov = terms.covariances
      let candidates = cov.indices.filter { !terms.ppoClipped[$0] && cov[$0] > low && cov[$0] < high }
      tiesSeen += cov.filter { $0 == low || $0 == high }.count
      #expect(terms.candidates[ClipCov.name] == candidates.count, "trial \(trial)")
      #expect(Set(chosen).count == chosen.count, "trial \(trial): repeated index")
      for i in chosen {
        #expect(cov[i] > low && cov[i] < high, "trial \(trial): token \(i) cov \(cov[i]) outside (\(low), \(high))")
        #expect(!terms.ppoClipped[i], "trial \(trial): token \(i) was already PPO-clipped")
      }
      let wanted = max(Int((ratio * Double(terms.count)).rounded(.down)), 1)
      if candidates.count >= wanted {
        enoughSeen += 1
        #expect(chosen.count == wanted, "trial \(trial): N = \(terms.count), r = \(ratio)")
      } else {
        fewerSeen += 1
        #expect(chosen == candidates, "trial \(trial): fewer candidates than wanted, all are taken")
      }
      // Only the chosen tokens' gradients change, to exactly 0.
      for i in 0..<terms.count {
        #expect(terms.lossGradient[i] == (chosen.contains(i) ? 0 : before.lossGradient[i]), "trial \(trial) token \(i)")
      }
    }
    // The random cases must have exercised every branch.
    #expect(tiesSeen > 250, "ties at the band edges: \(tiesSeen)")
    #expect(fewerSeen > 50 && enoughSeen > 50, "fewer: \(fewerSeen), enough: \(enoughSeen)")
  }

  @Test("seeded repeatability: the same generator state picks the same tokens and leaves the same state")
  func repeatability() throws {
    var g = SplitMix64(seed: 9)
    var differing = 0
    for trial in 0..<200 {
      let terms = try Self.randomTerms(&g)
      let control = ClipCov(values: [0.25, -10, 10])
      var a = terms
      var b = terms
      var c = terms
      var ga = SplitMix64(seed: UInt64(1000 + trial))
      var gb = ga
      var gc = SplitMix64(seed: UInt64(5000 + trial))
      control.apply(to: &a, using: &ga)
      control.apply(to: &b, using: &gb)
      control.apply(to: &c, using: &gc)
      #expect(a.chosen == b.chosen && a.lossGradient == b.lossGradient && ga == gb, "trial \(trial)")
      if a.chosen != c.chosen { differing += 1 }
    }
    // Different seeds should usually pick differently (not a fixed rule).
    #expect(differing > 100, "\(differing) of 200 differ")
  }

  /// Uniformity on the §4.6 batch (5 candidates, N = 8). Each count of
  /// `draws` Bernoulli(p) outcomes must be within 5σ = 5·√(draws·p·(1−p))
  /// of draws·p: for a correct sampler the chance of one such check failing
  /// is about 6e-7; a probability off by 10% of itself (e.g. 0.2 vs 0.22)
  /// moves the count by 7σ (single picks) and fails.
  @Test("the pick is uniform without replacement: single picks and pairs within 5σ")
  func uniformity() throws {
    let base = try CovExample.terms()
    let candidates = CovExample.bandCandidates
    var g = SplitMix64(seed: 77)

    let draws = 20_000
    var single = [Int: Int]()
    for _ in 0..<draws {
      var t = base
      ClipCov(values: [2e-4, 1, 5]).apply(to: &t, using: &g)
      let chosen = t.chosen[ClipCov.name] ?? []
      #expect(chosen.count == 1)
      single[chosen[0], default: 0] += 1
    }
    #expect(Set(single.keys) == Set(candidates))
    for i in candidates {
      GRPOStats.expectFrequency(single[i] ?? 0, trials: draws, probability: 0.2, "single pick \(i)")
    }

    // r = 0.25 → 2 of 5: each of the 10 pairs has probability 0.1.
    var pairs = [[Int]: Int]()
    for _ in 0..<draws {
      var t = base
      ClipCov(values: [0.25, 1, 5]).apply(to: &t, using: &g)
      pairs[t.chosen[ClipCov.name] ?? [], default: 0] += 1
    }
    #expect(pairs.count == 10, "pairs seen: \(pairs.keys.sorted { $0.lexicographicallyPrecedes($1) })")
    for (pair, count) in pairs {
      #expect(pair.count == 2 && Set(pair).isSubset(of: candidates))
      GRPOStats.expectFrequency(count, trials: draws, probability: 0.1, "pair \(pair)")
    }
  }
}
