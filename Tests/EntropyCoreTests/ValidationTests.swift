import EntropyCore
import Foundation
import Testing

/// Invalid inputs are refused with the documented `CoreError`, and a refused
/// operation leaves the policy or bandit exactly as it was.
@Suite("Input validation and errors")
struct ValidationTests {
  @Test("probabilities: negative, zero-sum, NaN, +∞ and wrong count are refused")
  func badProbabilities() throws {
    var policy = try Row.policy([0.5, -1, 2])
    let before = policy
    for bad in [[0.5, -0.1, 0.6], [0.0, 0, 0], [0.2, .nan, 0.8], [0.2, .infinity, 0.8], [-0.0, 0, 0]] {
      let error = #expect(throws: CoreError.self, "p = \(bad)") { try policy.setProbabilities(bad, state: 0) }
      guard case .invalidProbabilities = error else {
        Issue.record("p = \(bad): expected invalidProbabilities, got \(String(describing: error))")
        continue
      }
    }
    #expect(throws: CoreError.shapeMismatch(expected: 3, got: 2)) { try policy.setProbabilities([0.5, 0.5], state: 0) }
    #expect(policy == before)
  }

  @Test("logits: NaN and +∞ are refused with their index")
  func badLogits() throws {
    let nanError = #expect(throws: CoreError.self) { try Policy(states: 2, arms: 3, logits: [0, 0, 0, 1, .nan, 2]) }
    // NaN ≠ NaN, so match the case instead of comparing errors.
    if case .invalidLogit(let index, let value) = nanError {
      #expect(index == 1 && value.isNaN)
    } else {
      Issue.record("expected invalidLogit for NaN, got \(String(describing: nanError))")
    }
    #expect(throws: CoreError.invalidLogit(index: 2, value: .infinity)) {
      try Policy(states: 1, arms: 3, logits: [0, 1, .infinity])
    }
    #expect(throws: CoreError.shapeMismatch(expected: 6, got: 5)) {
      try Policy(states: 2, arms: 3, logits: [0, 0, 0, 0, 0])
    }
  }

  @Test("a row with no finite logit is refused; −∞ alongside a finite logit is fine")
  func noFiniteLogit() throws {
    #expect(throws: CoreError.noFiniteLogit) {
      try Policy(states: 2, arms: 2, logits: [0, 1, -.infinity, -.infinity])
    }
    var policy = try Policy(states: 1, arms: 2, logits: [-.infinity, -1e300])
    #expect(policy.probabilities(state: 0) == [0, 1])
    let before = policy
    #expect(throws: CoreError.noFiniteLogit) { try policy.setLogits([-.infinity, -.infinity], state: 0) }
    #expect(throws: CoreError.invalidLogit(index: 0, value: .infinity)) {
      try policy.setLogits([.infinity, 0], state: 0)
    }
    #expect(policy == before)
  }

  @Test("sizes below 1 are refused")
  func invalidSizes() {
    #expect(throws: CoreError.invalidSize(what: "states", value: 0)) { try Policy(states: 0, arms: 3) }
    #expect(throws: CoreError.invalidSize(what: "arms", value: -1)) { try Policy(states: 2, arms: -1) }
  }

  @Test("apply refuses a non-finite Δz and leaves the policy unchanged")
  func nonFiniteUpdate() throws {
    var policy = try Policy(states: 2, arms: 3, logits: [0, 1, 2, 1e308, 0, -.infinity])
    let before = policy
    // The bad entry is last so earlier rows would already have been touched.
    for bad in [Double.nan, .infinity, -.infinity] {
      #expect(throws: CoreError.nonFiniteUpdate, "Δz = \(bad)") { try policy.apply([1, 1, 1, 0, bad, 0]) }
      #expect(policy == before, "Δz = \(bad)")
    }
    // A finite Δz that overflows a finite logit is refused too.
    #expect(throws: CoreError.nonFiniteUpdate) { try policy.apply([1, 1, 1, 1e308, 0, 0]) }
    #expect(policy == before)
  }

  @Test("Δz on an arm with π = 0 is ignored, even if not finite (documented)")
  func updateOnDeadArm() throws {
    var policy = try Row.policy([0, -.infinity])
    try policy.apply([1, .nan])
    #expect(policy.logits == [1, -.infinity])
  }

  @Test("bandit rewards: NaN and wrong count are refused")
  func badRewards() throws {
    var bandit = Bandit(states: 2, arms: 2)
    try bandit.setRewards([1, 2], state: 1)
    let before = bandit
    #expect(throws: CoreError.nonFinite(what: "reward")) { try bandit.setRewards([.nan, 0], state: 0) }
    #expect(throws: CoreError.nonFinite(what: "reward")) { try bandit.setRewards([0, -.infinity], state: 0) }
    #expect(throws: CoreError.shapeMismatch(expected: 2, got: 3)) { try bandit.setRewards([0, 0, 0], state: 0) }
    #expect(bandit == before)
  }
}
