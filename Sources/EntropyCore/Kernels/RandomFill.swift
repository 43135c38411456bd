import Foundation

/// Fills of whole arrays from the session's SplitMix64 stream, on every
/// core, with exactly the values the sequential draws give.
///
/// SplitMix64 is a counter passed through a finaliser: the k-th draw is
/// `generator.output(at: k)`, so element i's draws can be computed from i
/// alone. Each job fills a contiguous range; the generator is then moved on
/// by as many draws as the sequential fill would have taken.
package enum RandomFill {
  /// Calls `body` with disjoint ranges covering 0..<count, in parallel
  /// when `count` is large.
  static func forEachRange(count n: Int, _ body: @Sendable (Range<Int>) -> Void) {
    let jobs = max(1, min(n / 4096, ProcessInfo.processInfo.activeProcessorCount * 8))
    ParallelRows.forEach(jobs, work: n) { j in body((j * n / jobs)..<((j + 1) * n / jobs)) }
  }

  /// Sets `out[i] = scale · boxMuller(1 − u(2i), u(2i + 1))` with u(k) the
  /// k-th `nextUnit()` of `generator`: what `count` sequential calls of
  /// `scale * Sampling.standardNormal(using:)` give. Moves the generator on
  /// by 2·count draws.
  package static func normal(
    _ out: UnsafeMutableBufferPointer<Double>, scale: Double, using generator: inout SplitMix64
  ) {
    let g = generator
    let o = SharedMutableBuffer(buffer: out)
    forEachRange(count: out.count) { range in
      for i in range {
        let k = 2 * UInt64(i)
        o.buffer[i] = scale * Sampling.boxMuller(1.0 - g.unit(at: k), g.unit(at: k + 1))
      }
    }
    generator.skip(2 * UInt64(out.count))
  }

  /// Sets `out[i] = u(i)`, the i-th `nextUnit()` of `generator`, and moves
  /// it on by count draws.
  ///
  /// Eight draws at a time (`units(_:at:)`): SplitMix64 is integer
  /// arithmetic and (x >> 11)·2⁻⁵³ is exact, so the vector form gives the
  /// scalar draws bit for bit.
  package static func uniform(_ out: UnsafeMutableBufferPointer<Double>, using generator: inout SplitMix64) {
    let g = generator
    let o = SharedMutableBuffer(buffer: out)
    forEachRange(count: out.count) { range in
      guard let base = o.buffer.baseAddress else { return }
      var i = range.lowerBound
      while i + 8 <= range.upperBound {
        UnsafeMutableRawPointer(base + i).storeBytes(of: units(g, at: UInt64(i)), as: SIMD8<Double>.self)
        i += 8
      }
      while i < range.upperBound {
        base[i] = g.unit(at: UInt64(i))
        i += 1
      }
    }
    generator.skip(UInt64(out.count))
  }

  /// `g.unit(at: k + j)` for j = 0 ..< 8, on vectors (`SplitMix64.mix`'s
  /// steps lane by lane).
  @inline(__always)
  static func units(_ g: SplitMix64, at k: UInt64) -> SIMD8<Double> {
    let lanes = SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7)
    let counter = SIMD8<UInt64>(repeating: k) &+ lanes
    let x = SIMD8<UInt64>(repeating: g.state) &+ counter &* SplitMix64.increment
    var z = x &+ SplitMix64.increment
    z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
    z = z ^ (z &>> 31)
    // Below 2⁵³: exact as a signed conversion, which x86 has in hardware.
    return SIMD8<Double>(SIMD8<Int64>(truncatingIfNeeded: z &>> 11)) * 0x1p-53
  }

  /// `count` zeros, written on every core: a vocabulary-size array's pages
  /// are first touched (faulted in and cleared by the kernel) in parallel,
  /// which is most of what allocating it costs.
  static func zeros(count n: Int) -> [Double] {
    [Double](unsafeUninitializedCapacity: n) { buffer, initialized in
      let o = SharedMutableBuffer(buffer: buffer)
      forEachRange(count: n) { range in
        guard let base = o.buffer.baseAddress else { return }
        (base + range.lowerBound).initialize(repeating: 0, count: range.count)
      }
      initialized = n
    }
  }
}

extension Policy {
  /// Sets every logit to σ·N(0, 1), drawn from `generator` in index order
  /// exactly as `count` calls of `Sampling.standardNormal` would (two draws
  /// per logit), in place and on every core.
  ///
  /// Requirements: σ finite and ≥ 0 (callers validate); the logits are then
  /// finite, so every row stays valid.
  package mutating func fillNormal(scale sigma: Double, using generator: inout SplitMix64) {
    logits.withUnsafeMutableBufferPointer { RandomFill.normal($0, scale: sigma, using: &generator) }
  }
}

extension Bandit {
  /// Sets every mean reward to a uniform draw in [0, 1) from `generator`, in
  /// row-major order exactly as sequential `nextUnit()` calls would, in
  /// place and on every core.
  package mutating func fillUniform(using generator: inout SplitMix64) {
    meanRewards.withUnsafeMutableBufferPointer { RandomFill.uniform($0, using: &generator) }
  }
}
