extension SampledTrainer {
  /// The bytes one sampled step allocates before it can finish: the
  /// rollout's S × G tokens, one record per token and epoch (kept for
  /// `tokens`), the shuffle order and per-token work arrays, and four S × K
  /// arrays of the minibatch descent. An estimate from the types' strides,
  /// checked against `MemoryBudget` before anything is allocated.
  public static func bytesNeeded(states: Int, arms: Int, config: GRPOConfig) -> Double {
    let tokens = Double(states) * Double(config.groupSize)
    let perToken =
      Double(MemoryLayout<SampledToken>.stride) + Double(config.epochs) * Double(MemoryLayout<TokenRecord>.stride)
      + 8 + 8 + 1 + 8 + 16
    return tokens * perToken + Double(states) * Double(arms) * 8 * 4
  }
}
