/// What a control's warnings may know about the session when it is set.
public struct ControlSetup: Sendable {
  /// Minibatches per rollout (M).
  public var minibatches: Int
  /// Epochs per rollout (E).
  public var epochs: Int
  /// About how many tokens each update sees (S·G·T / M, before the filter).
  public var tokensPerUpdate: Int
  /// Response length T (the shortest when it varies).
  public var responseLength: Int

  /// A setup from its parts.
  public init(minibatches: Int, epochs: Int, tokensPerUpdate: Int, responseLength: Int) {
    self.minibatches = minibatches
    self.epochs = epochs
    self.tokensPerUpdate = tokensPerUpdate
    self.responseLength = responseLength
  }
}
