import EntropyCore
import Foundation
import Testing

/// The small row kernels the shell's step calls besides the predictions:
/// `RowKernels.addToLive` (Policy.apply), `RowKernels.expectation`
/// (Bandit.values), and the edge cases of `covarianceAlong`.
@Suite("Row update kernels")
struct RowUpdateKernelTests {
  /// Sizes around the vector width (16), including K not a multiple of it.
  static let sizes = [1, 2, 15, 16, 17, 33, 100, 2049]

  /// A row of N(0, 3²) logits with about a fifth of the arms −∞ (at least
  /// one live), and a change of U(−2, 2).
  static func row(_ k: Int, using g: inout SplitMix64) -> (z: [Double], d: [Double]) {
    var z = TestRandom.normals(k, scale: 3, using: &g)
    for i in z.indices where g.nextUnit() < 0.2 { z[i] = -.infinity }
    if !z.contains(where: \.isFinite) { z[0] = 0 }
    return (z, TestRandom.uniforms(k, -2, 2, using: &g))
  }

  static func add(_ z: [Double], _ d: [Double]) -> (z: [Double], max: Double?) {
    var out = z
    let m = out.withUnsafeMutableBufferPointer { zb in d.withUnsafeBufferPointer { RowKernels.addToLive(zb, $0) } }
    return (out, m)
  }

  @Test("addToLive adds Δz to live logits bit for bit and returns the new maximum", arguments: sizes)
  func addMatchesScalar(_ k: Int) {
    var g = SplitMix64(seed: UInt64(k) &+ 500)
    for _ in 0..<5 {
      var (z, d) = Self.row(k, using: &g)
      // A dead arm's Δz is never looked at, even when it is not finite.
      for i in z.indices where z[i] == -.infinity { d[i] = [Double.nan, .infinity, 1][i % 3] }
      let expected = z.indices.map { z[$0] == -.infinity ? -Double.infinity : z[$0] + d[$0] }
      let (got, m) = Self.add(z, d)
      #expect(got.elementsEqual(expected) { $0.bitPattern == $1.bitPattern })
      #expect(m == expected.max())
    }
  }

  @Test("addToLive reports a non-finite live change anywhere in the row", arguments: sizes)
  func addRefusesNonFinite(_ k: Int) {
    var g = SplitMix64(seed: UInt64(k) &+ 600)
    let (z0, d0) = Self.row(k, using: &g)
    var z = z0
    z[k - 1] = 0.5  // the last arm is live: in the scalar tail when K % 16 ≠ 0
    for position in Set([0, k / 2, k - 1]) {
      for bad in [Double.nan, .infinity, -.infinity] {
        var d = d0
        z[position] = 0.25  // live
        d[position] = bad
        #expect(Self.add(z, d).max == nil, "K = \(k), Δz[\(position)] = \(bad)")
      }
    }
    // An overflowing sum of two finite numbers is refused too.
    var d = d0
    z[k - 1] = .greatestFiniteMagnitude
    d[k - 1] = .greatestFiniteMagnitude
    #expect(Self.add(z, d).max == nil)
  }

  @Test("addToLive on an all-dead row changes nothing and returns −∞")
  func addAllDead() {
    let (got, m) = Self.add([-.infinity, -.infinity, -.infinity], [1, .nan, .infinity])
    #expect(got.allSatisfy { $0 == -.infinity })
    #expect(m == -.infinity)
  }

  @Test("expectation equals Σπ·w from the plain softmax to 1e-13", arguments: sizes)
  func expectationMatchesReference(_ k: Int) {
    var g = SplitMix64(seed: UInt64(k) &+ 700)
    for _ in 0..<5 {
      var (z, w) = Self.row(k, using: &g)
      for i in z.indices where z[i] == -.infinity { w[i] = .nan }  // not read
      let p = Reference.softmax(z)
      var want = 0.0
      for i in p.indices where p[i] > 0 { want += p[i] * w[i] }
      let got = z.withUnsafeBufferPointer { zb in w.withUnsafeBufferPointer { RowKernels.expectation(zb, $0) } }
      // |w| ≤ 2: 1e-13 absolute is a few hundred ulp of the terms' scale,
      // room for two summation orders over up to 2,049 terms.
      #expect(abs(got - want) <= 1e-13, "K = \(k): \(got) vs \(want)")
    }
    let empty = [Double]()
    #expect(empty.withUnsafeBufferPointer { RowKernels.expectation($0, $0) } == 0)
    let dead = [-Double.infinity, -.infinity]
    #expect(dead.withUnsafeBufferPointer { RowKernels.expectation($0, $0) } == 0)
  }

  static func along(_ z: [Double], _ d: [Double], _ t: Double) -> Double {
    var scratch = [Double](repeating: 0, count: z.count)
    return z.withUnsafeBufferPointer { zb in
      d.withUnsafeBufferPointer { db in
        scratch.withUnsafeMutableBufferPointer { RowKernels.covarianceAlong(zb, db, t: t, scratch: $0) }
      }
    }
  }

  @Test("covarianceAlong: an all-dead row gives 0, NaN Δz on dead arms is ignored, overflow gives NaN")
  func integrandEdges() {
    #expect(Self.along([-.infinity, -.infinity], [.nan, 1], 0.5) == 0)
    #expect(Self.along([], [], 0.5) == 0)
    let z = [0.3, -.infinity, -1.2, 0.7, -.infinity]
    let clean = Self.along(z, [0.5, 0, -0.25, 1, 0], 0.7)
    let dirty = Self.along(z, [0.5, .nan, -0.25, 1, -.infinity], 0.7)
    #expect(clean == dirty)
    #expect(clean != 0)
    #expect(Self.along([1e308, 0], [1e308, 0], 1).isNaN)
  }
}
