/// How a rollout is cut into minibatches and micro-batches.
///
/// Units are whole responses (`groups split`) or whole groups (`groups
/// keep`); a response's tokens always stay together. The units are
/// ordered (`fixed`, `shuffle` once per rollout, or `reshuffle` every epoch
/// — with M = E = 1 `reshuffle` keeps the rollout's order and draws no
/// random number) and minibatch b of M takes units ⌊b·U/M⌋ ..< ⌊(b+1)·U/M⌋.
/// Each minibatch's responses are then cut, in order, the same way into m
/// micro-batches. At T = 1 with groups split and reshuffle this is exactly
/// the token shuffle of the trainer before issue 14.
public struct MinibatchPlan: Sendable {
  /// The token indices of each unit, in rollout order.
  public let units: [[Int]]
  let config: GRPOConfig
  var fixedOrder: [Int]?

  /// The plan of `tokens` under `config`.
  public init(tokens: [SampledToken], config: GRPOConfig) {
    self.config = config
    var units: [[Int]] = []
    var lastKey: Int?
    for (i, t) in tokens.enumerated() {
      let key = config.keepGroups ? t.group : (t.response >= 0 ? t.response : -1 - i)
      if key == lastKey, !units.isEmpty {
        units[units.count - 1].append(i)
      } else {
        units.append([i])
        lastKey = key
      }
    }
    self.units = units
  }

  /// The unit order of one epoch (drawing from `generator` as the order asks).
  public mutating func unitOrder(using generator: inout SplitMix64) -> [Int] {
    let all = Array(units.indices)
    switch config.order {
    case .fixed:
      return all
    case .shuffle:
      if let fixedOrder { return fixedOrder }
      let o = Sampling.sampleWithoutReplacement(all, count: all.count, using: &generator)
      fixedOrder = o
      return o
    case .reshuffle:
      guard config.minibatches > 1 || config.epochs > 1 else { return all }
      return Sampling.sampleWithoutReplacement(all, count: all.count, using: &generator)
    }
  }

  /// The minibatches (token indices) of one epoch with unit order `order`.
  public func minibatches(_ order: [Int]) -> [[Int]] {
    let m = min(config.minibatches, order.count)
    guard m > 0 else { return [] }
    return (0..<m).map { b in
      order[(b * order.count / m)..<((b + 1) * order.count / m)].flatMap { units[$0] }
    }
  }

  /// A minibatch's micro-batches: its responses cut in order into m parts
  /// (positions into `batch`).
  public static func microbatches(_ batch: [SampledToken], count: Int) -> [[Int]] {
    guard count > 1 else { return [Array(batch.indices)] }
    var responses: [[Int]] = []
    var last: Int?
    for (i, t) in batch.enumerated() {
      if t.response >= 0, t.response == last, !responses.isEmpty {
        responses[responses.count - 1].append(i)
      } else {
        responses.append([i])
      }
      last = t.response
    }
    let m = min(count, responses.count)
    return (0..<m).map { b in
      responses[(b * responses.count / m)..<((b + 1) * responses.count / m)].flatMap { $0 }
    }
  }
}
