import EntropyCore
import Testing

/// A library user's wrong-sized vector is an error they can catch, not a
/// trap: each public entry point that takes an S × K (or paired) vector
/// throws `CoreError.shapeMismatch` naming the size it expected and the
/// size it got, and leaves its inputs unchanged.
@Suite("Size mismatches throw")
struct ShapeMismatchTests {
  let policy: Policy

  init() throws {
    policy = try Policy(states: 2, arms: 3, logits: [0, 1, 2, -1, 0, 1])
  }

  @Test("predict with a Δz that is not S × K")
  func predict() {
    #expect(throws: CoreError.shapeMismatch(expected: 6, got: 5)) {
      _ = try EntropyDynamics.predict(policy: policy, change: [0, 0, 0, 0, 0])
    }
  }

  @Test("an update rule's step with advantages that are not S × K")
  func step() {
    for rule in [UpdateRule.pg, .npg] {
      #expect(throws: CoreError.shapeMismatch(expected: 6, got: 7)) {
        _ = try rule.step(policy: policy, advantages: [Double](repeating: 1, count: 7), learningRate: 0.1)
      }
    }
  }

  @Test("apply with a Δz that is not S × K leaves the policy unchanged")
  func apply() {
    var p = policy
    #expect(throws: CoreError.shapeMismatch(expected: 6, got: 3)) {
      try p.apply([1, 1, 1])
    }
    #expect(p.logits == policy.logits)
  }

  @Test("the law fit with fewer rewards than entropies")
  func fit() {
    #expect(throws: CoreError.shapeMismatch(expected: 3, got: 2)) {
      _ = try LawFit.fit(entropies: [0.1, 0.2, 0.3], rewards: [0.5, 0.4])
    }
  }

  @Test("a sampled step with a bandit of another size, generator untouched")
  func sampled() {
    let bandit = Bandit(states: 2, arms: 4)
    var generator = SplitMix64(seed: 7)
    let start = generator
    #expect(throws: CoreError.shapeMismatch(expected: 6, got: 8)) {
      _ = try SampledTrainer.step(
        policy: policy, bandit: bandit, config: GRPOConfig(), controls: [], learningRate: 0.1, using: &generator)
    }
    #expect(generator == start)
  }
}
