/// A small, fast, seeded random number generator with identical streams on
/// every platform.
///
/// SplitMix64 (Steele, Lea & Flood 2014; the seeding generator of
/// xoshiro). Each call adds the golden-ratio increment to the state and
/// returns the state passed through two multiply–xorshift rounds.
///
/// Properties:
/// - The whole generator is one `UInt64`, so a session's random stream can
///   be saved in a checkpoint or a notebook header and replayed bit for bit.
/// - `SplitMix64.mix(_:)` is the stateless finaliser, used by the benchmark
///   workload to fill arrays from a seed without sequential dependence.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable, Hashable {
  /// The generator's whole state.
  public var state: UInt64

  /// Creates a generator whose first output is `mix(seed &+ γ)`.
  public init(seed: UInt64) {
    self.state = seed
  }

  /// The golden-ratio increment 0x9E3779B97F4A7C15.
  public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

  /// The SplitMix64 finaliser applied to `state + increment`.
  ///
  /// `mix(x)` equals the first output of a generator seeded with `x`.
  @inlinable
  public static func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ increment
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The next 64 random bits.
  @inlinable
  public mutating func next() -> UInt64 {
    let out = SplitMix64.mix(state)
    state &+= SplitMix64.increment
    return out
  }

  /// The output the (k + 1)-th call of `next()` would return, without
  /// changing the generator: `mix(state + k·γ)`.
  ///
  /// SplitMix64 is a counter passed through a finaliser, so any draw of the
  /// stream can be computed directly; a parallel fill uses this to
  /// reproduce the sequential stream exactly, each thread starting at its
  /// own index.
  @inlinable
  public func output(at k: UInt64) -> UInt64 {
    SplitMix64.mix(state &+ k &* SplitMix64.increment)
  }

  /// The uniform the (k + 1)-th call of `nextUnit()` would return, without
  /// changing the generator.
  @inlinable
  public func unit(at k: UInt64) -> Double {
    Double(output(at: k) >> 11) * 0x1p-53
  }

  /// Moves the stream on by `n` draws, as `n` calls of `next()` would.
  @inlinable
  public mutating func skip(_ n: UInt64) {
    state &+= n &* SplitMix64.increment
  }

  /// A uniform double in [0, 1) with 53 random bits: `(next() >> 11) · 2⁻⁵³`.
  @inlinable
  public mutating func nextUnit() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// The benchmark workload's stateless uniform: `(mix(seed ^ i) >> 11) · 2⁻⁵³`.
  ///
  /// This is the NumPy peer's `splitmix64_uniform(seed, n)[i]`, so any
  /// implementation can start from the same numbers.
  @inlinable
  public static func uniform(seed: UInt64, index: UInt64) -> Double {
    Double(mix(seed ^ index) >> 11) * 0x1p-53
  }
}
