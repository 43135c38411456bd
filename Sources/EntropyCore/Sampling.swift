import Foundation

/// Random draws used by the simulator, each taking the generator `inout`
/// so that every stream is reproducible from the session's seed.
///
/// Only `SplitMix64.nextUnit()` is used as a source, never the standard
/// library's platform-dependent helpers (`Double.random(in:)` is not
/// guaranteed to produce the same values on every platform and release).
public enum Sampling {
  /// A standard normal draw by the Box–Muller transform (one of the pair).
  ///
  /// `u1` is taken from (0, 1] so the logarithm is finite.
  public static func standardNormal(using generator: inout SplitMix64) -> Double {
    let u1 = 1.0 - generator.nextUnit()
    let u2 = generator.nextUnit()
    return boxMuller(u1, u2)
  }

  /// The Box–Muller transform of two uniforms, u1 in (0, 1] and u2 in
  /// [0, 1): √(−2 log u1)·cos(2π u2). One function, so the sequential draw
  /// and the parallel fill (`Policy.fillNormal`) compute the same values.
  public static func boxMuller(_ u1: Double, _ u2: Double) -> Double {
    (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
  }

  /// An index drawn from the categorical distribution `probabilities`
  /// (assumed non-negative, summing to about 1) by inversion.
  ///
  /// Edge cases: round-off that leaves the running sum below the draw
  /// returns the last index with non-zero probability.
  public static func categorical(
    _ probabilities: UnsafeBufferPointer<Double>, using generator: inout SplitMix64
  ) -> Int {
    let u = generator.nextUnit()
    var acc = 0.0
    var last = 0
    for i in probabilities.indices where probabilities[i] > 0 {
      acc += probabilities[i]
      last = i
      if u < acc { return i }
    }
    return last
  }

  /// A uniform integer in 0..<n (n ≥ 1) by Lemire's multiply-shift with
  /// rejection, so it is exactly uniform.
  public static func uniformInt(below n: Int, using generator: inout SplitMix64) -> Int {
    precondition(n >= 1, "uniformInt needs n ≥ 1")
    let bound = UInt64(n)
    var product = generator.next().multipliedFullWidth(by: bound)
    if product.low < bound {
      let threshold = (0 &- bound) % bound
      while product.low < threshold {
        product = generator.next().multipliedFullWidth(by: bound)
      }
    }
    return Int(product.high)
  }

  /// `count` distinct elements of `items`, uniformly without replacement
  /// (a partial Fisher–Yates shuffle), in the order drawn.
  public static func sampleWithoutReplacement<T>(
    _ items: [T], count: Int, using generator: inout SplitMix64
  ) -> [T] {
    var pool = items
    let n = min(count, pool.count)
    for i in 0..<n {
      let j = i + uniformInt(below: pool.count - i, using: &generator)
      pool.swapAt(i, j)
    }
    return Array(pool[0..<n])
  }
}
