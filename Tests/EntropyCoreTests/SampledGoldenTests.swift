import Foundation
import Testing

@testable import EntropyCore

// Issue 14: the sampled trainer's trajectories before multi-token responses,
// loss aggregation modes, micro-batches, refill and AdamW were added, recorded
// bit for bit. Every new setting at its default (T = 1, token-mean, groups
// split, order reshuffle, one micro-batch, filter without refill, SGD, no
// grad clip, no dual-clip) must reproduce them exactly: any change to the
// order of a floating-point operation or to the random stream changes a hash.
//
// Each case runs `steps` sampled steps from a seeded random problem and
// folds into one FNV-1a hash the bit patterns of every Δz entry, every token
// record's fields (state, arm, group, reward, advantage, old log-prob,
// update, log-prob, covariance, ratio, PPO-clipped, chosen-by names), the
// counts and the generator's state after each step. The final mean entropy
// is stored too, as a bit pattern, to make a failure easier to read.
//
// The recorded values were printed by this test with GOLDEN_PRINT=1 at
// commit "Golden fixture of today's sampled trajectories" (before any
// trainer change).
enum GoldenCase {
  struct Case: Sendable {
    var name: String
    var seed: UInt64
    var states: Int
    var arms: Int
    var configure: @Sendable (inout GRPOConfig) -> Void
    var controls: @Sendable () -> [any EntropyControl]
    var eta: Double
    var steps: Int
  }

  static func controls(_ on: [String: [Double]]) -> [any EntropyControl] {
    EntropyControls.all.compactMap { type in on[type.name].map { type.init(values: $0) } }
  }

  static let cases: [Case] = {
    var all: [Case] = []
    for seed: UInt64 in [1, 7, 42] {
      all.append(
        Case(
          name: "plain M1 E1", seed: seed, states: 3, arms: 4, configure: { _ in }, controls: { [] },
          eta: 1, steps: 6))
      all.append(
        Case(
          name: "M4 E2", seed: seed, states: 4, arms: 5,
          configure: {
            $0.minibatches = 4
            $0.epochs = 2
          },
          controls: { [] }, eta: 2, steps: 6))
      all.append(
        Case(
          name: "M1 E3 gaussian", seed: seed, states: 3, arms: 4,
          configure: {
            $0.epochs = 3
            $0.noise = .gaussian(0.3)
          }, controls: { [] }, eta: 1.5, steps: 5))
      all.append(
        Case(
          name: "M2 E2 none G3 nofilter", seed: seed, states: 5, arms: 3,
          configure: {
            $0.minibatches = 2
            $0.epochs = 2
            $0.noise = .none
            $0.groupSize = 3
            $0.filter = false
          },
          controls: { [] }, eta: 1, steps: 5))
      all.append(
        Case(
          name: "M2 E2 clipcov", seed: seed, states: 4, arms: 4,
          configure: {
            $0.minibatches = 2
            $0.epochs = 2
          },
          controls: { controls(["clipcov": [0.1, -0.5, 5]]) }, eta: 3, steps: 6))
      all.append(
        Case(
          name: "M4 E2 klcov", seed: seed, states: 4, arms: 4,
          configure: {
            $0.minibatches = 4
            $0.epochs = 2
          },
          controls: { controls(["klcov": [0.2, 1]]) }, eta: 2, steps: 6))
      all.append(
        Case(
          name: "M2 E1 cliphigher+bonus clip .1", seed: seed, states: 3, arms: 6,
          configure: {
            $0.minibatches = 2
            $0.clipLow = 0.1
            $0.clipHigh = 0.15
          },
          controls: { controls(["cliphigher": [0.28], "entropybonus": [0.05]]) }, eta: 4, steps: 6))
      all.append(
        Case(
          name: "M3 E2 all controls", seed: seed, states: 6, arms: 4,
          configure: {
            $0.minibatches = 3
            $0.epochs = 2
            $0.groupSize = 6
          },
          controls: { controls(["clipcov": [0.2, 0, 3], "klcov": [0.1, 0.5], "entropybonus": [0.01]]) }, eta: 2,
          steps: 5))
    }
    return all
  }()

  struct Hasher64 {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ x: UInt64) {
      for i in 0..<8 {
        value ^= (x >> (8 * UInt64(i))) & 0xff
        value = value &* 0x0000_0100_0000_01b3
      }
    }
    mutating func add(_ x: Double) { add(x.bitPattern) }
    mutating func add(_ x: Int) { add(UInt64(bitPattern: Int64(x))) }
    mutating func add(_ s: String) { for b in s.utf8 { add(UInt64(b)) } }
  }

  /// The hash of a case's whole trajectory and its final mean entropy.
  static func run(
    _ c: Case,
    step: (Policy, Bandit, GRPOConfig, [any EntropyControl], Double, inout SplitMix64) throws
      -> SampledStep
  ) throws -> (hash: UInt64, entropy: Double) {
    let problem = try GRPORunner.randomProblem(states: c.states, arms: c.arms, seed: c.seed &* 977)
    var policy = problem.0
    let bandit = problem.1
    var config = GRPOConfig()
    c.configure(&config)
    let controls = c.controls()
    var g = SplitMix64(seed: c.seed)
    var h = Hasher64()
    for _ in 0..<c.steps {
      let s = try step(policy, bandit, config, controls, c.eta, &g)
      for d in s.delta { h.add(d) }
      for r in s.tokens {
        h.add(r.token.state)
        h.add(r.token.arm)
        h.add(r.token.group)
        h.add(r.token.reward)
        h.add(r.token.advantage)
        h.add(r.token.oldLogProb)
        h.add(r.update)
        h.add(r.logProb)
        h.add(r.covariance)
        h.add(r.ratio)
        h.add(r.ppoClipped ? 1 : 0)
        for name in r.chosenBy { h.add(name) }
      }
      h.add(s.counts.tokens)
      h.add(s.counts.activity.count("candidates"))
      h.add(s.counts.activity.count("clipped"))
      h.add(s.counts.activity.count("penalized"))
      h.add(s.counts.ppoClipped)
      h.add(s.counts.populationTerm)
      h.add(s.filteredGroups)
      h.add(g.state)
      try policy.apply(s.delta)
    }
    return (h.value, policy.meanEntropy)
  }

  /// Recorded before the issue-14 changes: (hash, final mean entropy bits).
  static let recorded: [(UInt64, UInt64)] = [
    (0xf39a_8e18_6db7_fde3, 0x3fef_7ae2_0251_b8ad),  // plain M1 E1, seed 1
    (0x7373_35e6_bb2a_6ec4, 0x3ff0_9f36_4d10_8c0a),  // M4 E2, seed 1
    (0xa18c_1fbf_c832_d0ea, 0x3fee_f2db_4ea4_0ab3),  // M1 E3 gaussian, seed 1
    (0xcffe_7738_f95f_fe5a, 0x3fe2_3057_cdb6_3e5a),  // M2 E2 none G3 nofilter, seed 1
    (0x6a04_3935_c486_7a9a, 0x3fed_2afe_673e_4832),  // M2 E2 clipcov, seed 1
    (0x6f01_812d_2fe0_7101, 0x3fde_59a5_d261_c01a),  // M4 E2 klcov, seed 1
    (0xa6a9_19df_6a47_3400, 0x3fd8_5f28_448a_d6cd),  // M2 E1 cliphigher+bonus clip .1, seed 1
    (0xfe91_d542_c71c_8379, 0x3fed_5cf6_3e12_7da7),  // M3 E2 all controls, seed 1
    (0xf25f_1a6b_e39f_7a27, 0x3fe6_dc53_c0cc_df19),  // plain M1 E1, seed 7
    (0xaa_e8f9_a933_22d9, 0x3fd2_e893_bfdf_156e),  // M4 E2, seed 7
    (0xf030_c2df_406a_eda9, 0x3fe5_1528_f30e_c0f4),  // M1 E3 gaussian, seed 7
    (0xf8b6_1688_84d4_82c2, 0x3fe0_303a_56f9_fc12),  // M2 E2 none G3 nofilter, seed 7
    (0x127c_3de2_c6fa_94c1, 0x3fdf_0029_7197_b8a5),  // M2 E2 clipcov, seed 7
    (0xcc72_f655_8a75_fca7, 0x3fd7_025c_c6b8_1980),  // M4 E2 klcov, seed 7
    (0xfd0f_2763_a0eb_88ce, 0x3fe1_47ca_e21d_3479),  // M2 E1 cliphigher+bonus clip .1, seed 7
    (0xb1f_c296_c814_2bee, 0x3fe3_1f97_1786_13b3),  // M3 E2 all controls, seed 7
    (0xba6e_56e4_61a3_a079, 0x3fee_fb79_6e62_299d),  // plain M1 E1, seed 42
    (0x6220_d9f5_5c1f_acae, 0x3fd3_e8ee_b38e_3bac),  // M4 E2, seed 42
    (0x2861_b431_1ff3_1435, 0x3fef_6b9a_bdde_0285),  // M1 E3 gaussian, seed 42
    (0x9d0c_a366_15db_d8fd, 0x3fe3_fc9d_bf28_7384),  // M2 E2 none G3 nofilter, seed 42
    (0x8903_0bd6_851f_b73a, 0x3fe7_096c_51ef_b68e),  // M2 E2 clipcov, seed 42
    (0x2389_b5e5_fb62_1d18, 0x3fe1_796c_bbf1_372c),  // M4 E2 klcov, seed 42
    (0x49b5_2220_6283_33b3, 0x3feb_2e6e_21a6_5395),  // M2 E1 cliphigher+bonus clip .1, seed 42
    (0x5a35_9215_27fa_37ae, 0x3fe6_c496_1224_f6cb),  // M3 E2 all controls, seed 42
  ]
}

@Suite("Golden: today's sampled trajectories reproduced bit for bit")
struct SampledGoldenTests {
  @Test("every new setting at its default reproduces the recorded trajectories exactly (bit patterns, no tolerance)")
  func defaultsReproduceRecordedTrajectories() throws {
    var lines: [String] = []
    var results: [(UInt64, UInt64)] = []
    for c in GoldenCase.cases {
      let r = try GoldenCase.run(c) { p, b, config, controls, eta, g in
        try SampledTrainer.step(policy: p, bandit: b, config: config, controls: controls, learningRate: eta, using: &g)
      }
      results.append((r.hash, r.entropy.bitPattern))
      lines.append(
        "    (0x\(String(r.hash, radix: 16)), 0x\(String(r.entropy.bitPattern, radix: 16))),  // \(c.name), seed \(c.seed)"
      )
    }
    if ProcessInfo.processInfo.environment["GOLDEN_PRINT"] != nil {
      print(lines.joined(separator: "\n"))
    }
    try #require(GoldenCase.recorded.count == results.count, "recorded \(GoldenCase.recorded.count) cases")
    for (i, (r, e)) in zip(GoldenCase.recorded, results).enumerated() {
      #expect(r.0 == e.0, "hash of \(GoldenCase.cases[i].name), seed \(GoldenCase.cases[i].seed)")
      #expect(r.1 == e.1, "final entropy of \(GoldenCase.cases[i].name), seed \(GoldenCase.cases[i].seed)")
    }
  }
}
