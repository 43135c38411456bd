import EntropyCore
import Foundation
import Testing

/// `Sampling` draws: exact where the algorithm fixes the answer (inversion,
/// power-of-two ranges), and otherwise frequencies within a 5σ band of their
/// expectation. With fixed seeds the outcomes are deterministic; 5σ means a
/// correct sampler would fail for a fresh seed with probability ≈ 6e-7 per
/// check, while a wrong one (a probability off by 10% of itself) fails.
@Suite("Sampling")
struct SamplingTests {
  /// Checks a count of `n` Bernoulli(p) trials within 5σ of n·p.
  static func expectFrequency(
    _ count: Int, trials n: Int, probability p: Double, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let sigma = (Double(n) * p * (1 - p)).squareRoot()
    // 5σ band of the binomial count (see the suite comment).
    expectClose(Double(count), Double(n) * p, tolerance: 5 * sigma, label, sourceLocation: sourceLocation)
  }

  static func categorical(_ p: [Double], _ g: inout SplitMix64) -> Int {
    p.withUnsafeBufferPointer { Sampling.categorical($0, using: &g) }
  }

  @Test("categorical is inversion of the CDF at nextUnit()")
  func categoricalInversion() {
    let p = [0.05, 0, 0.25, 0.3, 0, 0.4]
    var g = SplitMix64(seed: 5)
    for _ in 0..<10_000 {
      var copy = g
      let u = copy.nextUnit()
      // Smallest i with u < p₀ + … + pᵢ, over non-zero entries.
      var acc = 0.0
      var expected = -1
      for i in p.indices where p[i] > 0 {
        acc += p[i]
        if u < acc {
          expected = i
          break
        }
      }
      let drawn = Self.categorical(p, &g)
      #expect(drawn == expected, "u = \(u)")
      #expect(g == copy)
    }
  }

  @Test("categorical frequencies match the probabilities")
  func categoricalFrequencies() {
    let p = [0.1, 0.2, 0, 0.3, 0.4]
    let n = 100_000
    var g = SplitMix64(seed: 11)
    var counts = [Int](repeating: 0, count: p.count)
    for _ in 0..<n { counts[Self.categorical(p, &g)] += 1 }
    #expect(counts[2] == 0)
    for i in p.indices where p[i] > 0 {
      // 5σ binomial band (suite comment).
      Self.expectFrequency(counts[i], trials: n, probability: p[i], "arm \(i)")
    }
  }

  @Test("a short total falls back to the last non-zero arm")
  func categoricalShortTotal() {
    // Σp = 0.5: draws u ≥ 0.5 return arm 1, the last with p > 0.
    let p = [0.25, 0.25, 0]
    let n = 40_000
    var g = SplitMix64(seed: 13)
    var counts = [0, 0, 0]
    for _ in 0..<n { counts[Self.categorical(p, &g)] += 1 }
    #expect(counts[2] == 0)
    // 5σ binomial band (suite comment).
    Self.expectFrequency(counts[1], trials: n, probability: 0.75, "arm 1")
  }

  @Test("uniformInt for n = 2ᵏ is the top k bits: no rejection")
  func uniformIntPowersOfTwo() {
    var g = SplitMix64(seed: 17)
    for k in 1...62 {
      for _ in 0..<20 {
        var copy = g
        let expected = Int(copy.next() >> UInt64(64 - k))
        #expect(Sampling.uniformInt(below: 1 << k, using: &g) == expected, "k = \(k)")
        #expect(g == copy)
      }
    }
  }

  @Test("uniformInt stays in 0..<n and is uniform", arguments: [1, 2, 3, 7, 10, 1000])
  func uniformIntRange(n: Int) {
    var g = SplitMix64(seed: UInt64(n))
    let trials = 70_000
    var counts = [Int](repeating: 0, count: min(n, 10))
    for _ in 0..<trials {
      let v = Sampling.uniformInt(below: n, using: &g)
      guard (0..<n).contains(v) else {
        Issue.record("n = \(n): drew \(v)")
        return
      }
      if v < counts.count { counts[v] += 1 }
    }
    for (v, c) in counts.enumerated() {
      // 5σ binomial band (suite comment).
      Self.expectFrequency(c, trials: trials, probability: 1 / Double(n), "n = \(n), value \(v)")
    }
  }

  @Test("uniformInt with huge n: rejection removes the multiply-shift bias")
  func uniformIntHuge() {
    // n = 3·2⁶¹, so 2⁶⁴/n = 8/3: without rejection, floor(x·n/2⁶⁴) gives
    // residues 0, 1, 2 (mod 3) 3, 3 and 2 preimages out of 8, i.e. P(v ≡ 2) = ¼;
    // exact uniformity gives ⅓.
    let n = 3 << 61
    var g = SplitMix64(seed: 19)
    let trials = 20_000
    var residueTwo = 0
    for _ in 0..<trials {
      let v = Sampling.uniformInt(below: n, using: &g)
      #expect(v >= 0 && v < n)
      if v % 3 == 2 { residueTwo += 1 }
    }
    // 5σ binomial band (suite comment).
    Self.expectFrequency(residueTwo, trials: trials, probability: 1.0 / 3, "v ≡ 2 (mod 3)")
    for _ in 0..<1000 {
      let v = Sampling.uniformInt(below: Int.max, using: &g)
      #expect(v >= 0 && v < Int.max)
    }
  }

  @Test("sampleWithoutReplacement: distinct members, count, edge counts")
  func withoutReplacementShape() {
    var g = SplitMix64(seed: 23)
    let items = Array(100..<130)
    for count in [0, 1, 5, 29, 30, 45] {
      let s = Sampling.sampleWithoutReplacement(items, count: count, using: &g)
      #expect(s.count == min(count, items.count))
      #expect(Set(s).count == s.count)
      #expect(s.allSatisfy { items.contains($0) })
    }
    #expect(Sampling.sampleWithoutReplacement([Int](), count: 3, using: &g).isEmpty)
  }

  @Test("sampleWithoutReplacement: inclusion and order are uniform")
  func withoutReplacementUniform() {
    let (n, k, trials) = (10, 3, 30_000)
    var g = SplitMix64(seed: 29)
    var included = [Int](repeating: 0, count: n)
    var first = [Int](repeating: 0, count: n)
    var pair01 = 0
    for _ in 0..<trials {
      let s = Sampling.sampleWithoutReplacement(Array(0..<n), count: k, using: &g)
      for v in s { included[v] += 1 }
      if let f = s.first { first[f] += 1 }
      if s.contains(0) && s.contains(1) { pair01 += 1 }
    }
    for v in 0..<n {
      // 5σ binomial band (suite comment).
      Self.expectFrequency(included[v], trials: trials, probability: Double(k) / Double(n), "included \(v)")
      Self.expectFrequency(first[v], trials: trials, probability: 1 / Double(n), "first \(v)")
    }
    // Both of a given pair: k(k−1) / (n(n−1)) = 1/15.
    Self.expectFrequency(pair01, trials: trials, probability: 1.0 / 15, "pair {0, 1}")
  }

  @Test("standardNormal: mean, variance and tail masses")
  func standardNormal() {
    let n = 200_000
    var g = SplitMix64(seed: 31)
    var (sum, sumSq, within1, above2) = (0.0, 0.0, 0, 0)
    for _ in 0..<n {
      let x = Sampling.standardNormal(using: &g)
      #expect(x.isFinite)
      sum += x
      sumSq += x * x
      if abs(x) < 1 { within1 += 1 }
      if x > 2 { above2 += 1 }
    }
    let mean = sum / Double(n)
    let variance = sumSq / Double(n) - mean * mean
    // 5σ of the sample mean: 5/√n.
    expectClose(mean, 0, tolerance: 5 / Double(n).squareRoot(), "mean")
    // 5σ of the sample variance of a normal: 5·√(2/n).
    expectClose(variance, 1, tolerance: 5 * (2 / Double(n)).squareRoot(), "variance")
    // P(|X| < 1) = erf(1/√2) and P(X > 2) = erfc(√2)/2.
    Self.expectFrequency(within1, trials: n, probability: erf(1 / 2.0.squareRoot()), "|x| < 1")
    // 5σ binomial band (suite comment).
    Self.expectFrequency(above2, trials: n, probability: erfc(2.0.squareRoot()) / 2, "x > 2")
  }
}
