import EntropyCore
import Testing

/// SplitMix64 against the published algorithm (Steele, Lea & Flood 2014),
/// re-implemented plainly here: reference outputs, repeatability, the
/// stateless `mix` and `uniform(seed:index:)`.
@Suite("SplitMix64")
struct RandomTests {
  /// The published algorithm, written out independently of the core.
  struct PlainSplitMix {
    var state: UInt64

    mutating func next() -> UInt64 {
      state = state &+ 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }

    /// The top 53 bits as a double in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / 9_007_199_254_740_992 }
  }

  @Test("seed 0 gives the published first outputs")
  func seedZero() {
    var g = SplitMix64(seed: 0)
    // The reference C implementation's first three outputs for seed 0.
    #expect(g.next() == 0xE220_A839_7B1D_CDAF)
    #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
    #expect(g.next() == 0x06C4_5D18_8009_454F)
  }

  @Test("seed 1 matches the plain implementation")
  func seedOne() {
    var g = SplitMix64(seed: 1)
    var plain = PlainSplitMix(state: 1)
    // Values also computed with a separate Python transcription of the algorithm.
    let expected: [UInt64] = [0x910A_2DEC_8902_5CC1, 0xBEEB_8DA1_658E_EC67, 0xF893_A2EE_FB32_555E]
    for e in expected {
      let p = plain.next()
      #expect(p == e)
      #expect(g.next() == p)
    }
  }

  @Test("long streams match the plain implementation", arguments: [0, 1, 42, 0xDEAD_BEEF, UInt64.max])
  func streams(seed: UInt64) {
    var g = SplitMix64(seed: seed)
    var plain = PlainSplitMix(state: seed)
    for i in 0..<10_000 {
      let (a, b) = (g.next(), plain.next())
      guard a == b else {
        Issue.record("seed \(seed): output \(i) is \(a), expected \(b)")
        return
      }
    }
    #expect(g.state == plain.state)
  }

  @Test("the same seed, or a saved state, replays the same stream")
  func repeatability() {
    var a = SplitMix64(seed: 12345)
    var b = SplitMix64(seed: 12345)
    for _ in 0..<100 {
      _ = a.next()
      _ = b.next()
    }
    var saved = a
    let stream = (0..<50).map { _ in a.next() }
    #expect((0..<50).map { _ in saved.next() } == stream)
    #expect((0..<50).map { _ in b.next() } == stream)
    var other = SplitMix64(seed: 12346)
    #expect((0..<50).map { _ in other.next() } != stream)
    // The state advances by the golden-ratio increment per draw.
    #expect(b.state == 12345 &+ 150 &* SplitMix64.increment)
  }

  @Test("mix(x) is the first output of a generator seeded with x")
  func mixIsFirstOutput() {
    var seeds = PlainSplitMix(state: 9)
    for _ in 0..<1000 {
      let x = seeds.next()
      var plain = PlainSplitMix(state: x)
      #expect(SplitMix64.mix(x) == plain.next())
    }
  }

  @Test("nextUnit and uniform(seed:index:) use the top 53 bits")
  func units() {
    var g = SplitMix64(seed: 2718)
    var plain = PlainSplitMix(state: 2718)
    for _ in 0..<1000 {
      let u = g.nextUnit()
      #expect(u == plain.unit())
      #expect(u >= 0 && u < 1)
    }
    var indices = PlainSplitMix(state: 3)
    for seed: UInt64 in [0, 1, 20_260_101, UInt64.max] {
      for _ in 0..<200 {
        let index = indices.next() >> 40
        var plainAt = PlainSplitMix(state: seed ^ index)
        let u = SplitMix64.uniform(seed: seed, index: index)
        #expect(u == plainAt.unit())
        var fresh = SplitMix64(seed: seed ^ index)
        #expect(u == fresh.nextUnit())
      }
    }
  }
}
