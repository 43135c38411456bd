import Foundation

/// Vocabulary dropout's mask and the masked softmax it trains under
/// (literature.md §8, SECONDARY): each step every unprotected arm of a
/// state is kept with probability α; masked arms have probability 0,
/// are never sampled and get no gradient.
public enum VocabularyMask {
  /// Which arms of a state are never masked.
  public enum Protection: String, Sendable, Equatable, CaseIterable {
    /// The K most probable arms at the step's start (ties: lower index).
    case top
    /// Arms 0…K−1: a fixed set, as the paper's format tokens.
    case first
  }

  /// Whether each arm of a row is protected. Arms already masked (−∞)
  /// are not counted among the top K.
  public static func protected(logits row: [Double], protection: Protection, count: Int) -> [Bool] {
    var out = [Bool](repeating: false, count: row.count)
    switch protection {
    case .first:
      for a in 0..<min(count, row.count) { out[a] = true }
    case .top:
      let order = row.indices.filter { row[$0] > -Double.infinity }.sorted {
        row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1
      }
      for a in order.prefix(count) { out[a] = true }
    }
    return out
  }

  /// Which arms of a row the step keeps: protected and already-masked arms
  /// draw nothing; every other arm is kept when a uniform draw u ∈ [0, 1)
  /// is < α, one draw per such arm in arm order. With α = 1 nothing is
  /// drawn, so the generator, and everything after, is as without dropout.
  public static func keep(
    logits row: [Double], protected: [Bool], alpha: Double, using generator: inout SplitMix64
  ) -> [Bool] {
    var out = row.map { $0 > -Double.infinity }
    guard alpha < 1 else { return out }
    for a in row.indices where out[a] && !protected[a] {
      out[a] = generator.nextUnit() < alpha
    }
    return out
  }

  /// π under the mask: softmax over the kept arms, 0 for the others.
  public static func probabilities(logits row: [Double], keep: [Bool]) -> [Double] {
    let top = row.indices.filter { keep[$0] }.map { row[$0] }.max() ?? 0
    let e = row.indices.map { keep[$0] ? exp(row[$0] - top) : 0 }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
  }

  /// H of the masked softmax.
  public static func entropy(logits row: [Double], keep: [Bool]) -> Double {
    probabilities(logits: row, keep: keep).reduce(0) { $1 > 0 ? $0 - $1 * log($1) : $0 }
  }

  /// ∂ log π(arm)/∂z under the mask: e_arm − π, 0 on masked arms (whose
  /// logits do not enter the masked softmax). `arm` must be kept.
  public static func logProbabilityGradient(logits row: [Double], keep: [Bool], arm: Int) -> [Double] {
    var g = probabilities(logits: row, keep: keep).map { -$0 }
    g[arm] += 1
    return g
  }
}
