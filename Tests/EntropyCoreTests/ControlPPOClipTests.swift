import Foundation
import Testing

@testable import EntropyCore

/// The PPO surrogate and the controls that change its clip range (spec
/// §4.2, §4.5, §5): a token is clipped exactly when L2 > L1 (its gradient
/// is then 0, otherwise −A·ρ); clip-higher changes only ε_high; KL-Cov
/// removes the clip.
@Suite("PPO clipping, clip-higher, KL-Cov's missing clip, and the control registry")
struct ControlPPOClipTests {
  /// Tokens at one state over a grid of advantages and log-ratios,
  /// including the clip edges ρ = 0.8, 1.2, 1.28 and ρ = 1.
  static func gridTerms(clip: (low: Double, high: Double)?) throws -> MinibatchTerms {
    let policy = try Row.policy([0.3, -1.0, 1.2, 0.0])
    let lp = policy.logProbabilities(state: 0)
    var tokens: [SampledToken] = []
    let edges = [log(0.8), log(1.2), log(1.28), 0]
    let grid = stride(from: -0.5, through: 0.5, by: 0.0125).map { $0 } + edges
    for a in [-2.1, -0.4, 0, 0.3, 1.7] {
      for (j, l) in grid.enumerated() {
        let arm = j % 4
        tokens.append(SampledToken(state: 0, arm: arm, group: 0, reward: 0, advantage: a, oldLogProb: lp[arm] - l))
      }
    }
    return SampledTrainer.lossTerms(tokens, logits: policy.logits, arms: 4, clip: clip)
  }

  @Test(
    "clipped ⟺ L2 > L1 ⟺ (A > 0, ρ > 1 + ε_high) or (A < 0, ρ < 1 − ε_low); gradient 0 or −A·ρ",
    arguments: [
      (0.2, 0.2), (0.2, 0.28), (0.1, 0.3), (1.0, 1.0),
    ])
  func clipRule(low: Double, high: Double) throws {
    let terms = try Self.gridTerms(clip: (low, high))
    var clippedCount = 0
    for i in 0..<terms.count {
      let a = terms.tokens[i].advantage
      let rho = terms.ratios[i]
      expectClose(terms.logRatios[i], log(rho), tolerance: 1e-15, "ℓ[\(i)]")
      let l1 = -a * rho
      let l2 = -a * min(max(rho, 1 - low), 1 + high)
      let byCase = (a > 0 && rho > 1 + high) || (a < 0 && rho < 1 - low)
      #expect(terms.ppoClipped[i] == (l2 > l1), "token \(i): A = \(a), ρ = \(rho)")
      // The case form agrees except where ρ is within rounding of a clip
      // edge and A·ρ rounds to A·(1 ± ε): then L2 == L1 and the token is
      // (correctly, by the code's rule) not clipped.
      #expect(terms.ppoClipped[i] == byCase || l1 == l2, "token \(i): A = \(a), ρ = \(rho)")
      #expect(terms.lossGradient[i] == (terms.ppoClipped[i] ? 0 : -a * rho), "token \(i)")
      if terms.ppoClipped[i] { clippedCount += 1 }
    }
    #expect(clippedCount > 0 || low >= 1, "the grid must reach the clip range")
  }

  @Test("no clip range: nothing is clipped, every gradient is −A·ρ")
  func noClip() throws {
    let terms = try Self.gridTerms(clip: nil)
    #expect(terms.ppoClipped.allSatisfy { !$0 })
    for i in 0..<terms.count { #expect(terms.lossGradient[i] == -terms.tokens[i].advantage * terms.ratios[i]) }
  }

  @Test("clip-higher changes only ε_high; KL-Cov sets no clip; Clip-Cov and the entropy bonus keep it")
  func clipAdjustments() throws {
    let cliphigher = ClipHigher(values: [0.28])
    for start: (low: Double, high: Double) in [(0.2, 0.2), (0.1, 0.35), (1, 1)] {
      var range: (low: Double, high: Double)? = start
      cliphigher.adjustClip(&range)
      #expect(range?.low == start.low && range?.high == 0.28)
    }
    var none: (low: Double, high: Double)? = nil
    cliphigher.adjustClip(&none)
    #expect(none == nil)

    var range: (low: Double, high: Double)? = (0.2, 0.2)
    KLCov(values: [2e-3, 1]).adjustClip(&range)
    #expect(range == nil)
    for control in [ClipCov(values: [2e-4, 1, 5]) as any EntropyControl, EntropyBonus(values: [0.01])] {
      var r: (low: Double, high: Double)? = (0.2, 0.2)
      control.adjustClip(&r)
      #expect(r?.low == 0.2 && r?.high == 0.2)
    }

    // On the grid, ε_high 0.2 → 0.28 unclips exactly the A > 0 tokens with
    // ρ ∈ (1.2, 1.28]; every A < 0 token keeps its flag.
    let base = try Self.gridTerms(clip: (0.2, 0.2))
    let higher = try Self.gridTerms(clip: (0.2, 0.28))
    var changed = 0
    for i in 0..<base.count where base.ppoClipped[i] != higher.ppoClipped[i] {
      changed += 1
      // ≤ 1.28 up to the rounding tie at the edge (see `clipRule`).
      #expect(base.tokens[i].advantage > 0 && base.ratios[i] > 1.2 && base.ratios[i] <= 1.28 + 1e-12, "token \(i)")
      #expect(base.ppoClipped[i] && !higher.ppoClipped[i])
    }
    #expect(changed > 0)
  }

  static func problem() throws -> (Policy, Bandit) {
    try GRPORunner.randomProblem(states: 8, arms: 6, seed: 42)
  }

  @Test("in training: clip-higher is exactly config ε_high = 0.28 (bit for bit over 40 steps, M = 4)")
  func clipHigherTrajectory() throws {
    let (policy, bandit) = try Self.problem()
    var config = GRPOConfig()
    config.minibatches = 4
    let withControl = try GRPORunner.run(
      policy: policy, bandit: bandit, config: config, controls: [ClipHigher(values: [0.28])], eta: 2, steps: 40, seed: 5
    )
    config.clipHigh = 0.28
    let withConfig = try GRPORunner.run(
      policy: policy, bandit: bandit, config: config, controls: [], eta: 2, steps: 40, seed: 5)
    #expect(withControl.policy.logits == withConfig.policy.logits)
    config.clipHigh = 0.2
    let plain = try GRPORunner.run(
      policy: policy, bandit: bandit, config: config, controls: [], eta: 2, steps: 40, seed: 5)
    #expect(plain.policy.logits != withConfig.policy.logits, "ε_high must matter in this setting")
  }

  @Test("in training: KL-Cov clips nothing, and with β = 0 it is GRPO with a clip that never binds")
  func klCovNoClipTrajectory() throws {
    let (policy, bandit) = try Self.problem()
    var config = GRPOConfig()
    config.minibatches = 4
    config.epochs = 2
    var g = SplitMix64(seed: 8)
    let grpo = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [], learningRate: 3, using: &g)
    #expect(grpo.counts.ppoClipped > 0, "plain GRPO must clip here for the check to mean anything")
    g = SplitMix64(seed: 8)
    let kl = try SampledTrainer.step(
      policy: policy, bandit: bandit, config: config, controls: [KLCov(values: [0.1, 1])], learningRate: 3, using: &g)
    #expect(kl.counts.ppoClipped == 0 && kl.tokens.allSatisfy { !$0.ppoClipped })
    #expect(kl.counts.activity.count("penalized") > 0)

    let zeroBeta = try GRPORunner.run(
      policy: policy, bandit: bandit, config: config, controls: [KLCov(values: [0.1, 0])], eta: 3, steps: 20, seed: 8)
    config.clipLow = 1e9
    config.clipHigh = 1e9
    let wide = try GRPORunner.run(
      policy: policy, bandit: bandit, config: config, controls: [], eta: 3, steps: 20, seed: 8)
    #expect(zeroBeta.policy.logits == wide.policy.logits)
  }

  @Test("control registry and settings: paper defaults, registry order, toggles, `only`")
  func settings() {
    #expect(EntropyControls.builtIn.prefix(4).map { $0.name } == ["clipcov", "klcov", "cliphigher", "entropybonus"])
    var settings = ControlSettings()
    // Paper §4.3 / §7 item 1 defaults (α has no paper default; the tool uses 5e-3, §5).
    #expect(settings.values["clipcov"] == [2e-4, 1, 5])
    #expect(settings.values["klcov"] == [2e-3, 1])
    #expect(settings.values["cliphigher"] == [0.28])
    #expect(settings.values["entropybonus"] == [5e-3])
    #expect(settings.active.isEmpty)
    settings.set("entropybonus", on: true)
    settings.set("clipcov", on: true)
    settings.setValue(0.1, control: "clipcov", parameter: 0)
    #expect(settings.enabled == ["clipcov", "entropybonus"])
    let active = settings.active
    #expect((active.first as? ClipCov)?.ratio == 0.1)
    #expect(settings.only("klcov").enabled == ["klcov"] && settings.only(nil).enabled.isEmpty)
    #expect(settings.only(nil).values["clipcov"]?[0] == 0.1)
    settings.set("clipcov", on: false)
    #expect(settings.enabled == ["entropybonus"])
    // Parameter validity follows the documented ranges.
    #expect(ClipCov.parameters[0].isValid(1) && !ClipCov.parameters[0].isValid(0))
    #expect(KLCov.parameters[1].isValid(0) && !KLCov.parameters[1].isValid(-1))
  }
}
