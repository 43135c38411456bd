import Foundation

/// One optimiser step per minibatch on the logits: the loss calls'
/// (micro-batches') gradients are accumulated into a flat S × K gradient,
/// then SGD (on the touched states only: the others have zero gradient)
/// or AdamW (every logit: its moments move them) applies it. Scratch is
/// reused across the minibatches of a sampled step; between updates the
/// gradient is all zeros. (Per-minibatch dictionaries of rows were most of
/// a small bandit's step time.)
struct MinibatchDescent {
  let arms: Int
  var gradient: [Double]
  var probabilities: [Double]
  /// Per state, Σ of its tokens' aggregation numerators in the current call.
  var stateWeight: [Double]
  var inCall: [Bool]
  var callStates: [Int] = []
  /// States touched since the last update, in order of first appearance.
  var touched: [Int] = []
  var isTouched: [Bool]

  init(states: Int, arms: Int) {
    self.arms = arms
    gradient = [Double](repeating: 0, count: states * arms)
    probabilities = [Double](repeating: 0, count: states * arms)
    stateWeight = [Double](repeating: 0, count: states)
    inCall = [Bool](repeating: false, count: states)
    isTouched = [Bool](repeating: false, count: states)
    touched.reserveCapacity(states)
  }

  /// Adds one loss call's gradient under logits `z`: on state s,
  /// Σ_i c_i·(num_i/den)·scale·(e_{a_i} − π_s) over its tokens
  /// (c_i = ∂loss_i/∂log π_i), plus the controls' extra logit gradients
  /// with weight (Σ_{i ∈ s} num_i)/den·scale.
  mutating func accumulate(
    _ z: [Double], terms: MinibatchTerms, numerators: [Double], denominator: Double, scale: Double,
    controls: [any EntropyControl]
  ) {
    let k = arms
    callStates.removeAll(keepingCapacity: true)
    for (i, t) in terms.tokens.enumerated() {
      if !inCall[t.state] {
        inCall[t.state] = true
        callStates.append(t.state)
      }
      stateWeight[t.state] += numerators[i]
      if !isTouched[t.state] {
        isTouched[t.state] = true
        touched.append(t.state)
      }
    }
    defer {
      for s in callStates {
        inCall[s] = false
        stateWeight[s] = 0
      }
    }
    z.withUnsafeBufferPointer { zb in
      probabilities.withUnsafeMutableBufferPointer { p in
        for s in callStates {
          let r = (s * k)..<((s + 1) * k)
          RowKernels.softmax(UnsafeBufferPointer(rebasing: zb[r]), into: UnsafeMutableBufferPointer(rebasing: p[r]))
        }
      }
    }
    gradient.withUnsafeMutableBufferPointer { g in
      probabilities.withUnsafeBufferPointer { p in
        for (i, t) in terms.tokens.enumerated() {
          let c = terms.lossGradient[i] * numerators[i] / denominator * scale
          guard c != 0 else { continue }
          let base = t.state * k
          for a in 0..<k { g[base + a] -= c * p[base + a] }
          g[base + t.arm] += c
        }
      }
    }
    if !controls.isEmpty {
      for s in callStates {
        let row = Array(probabilities[(s * k)..<((s + 1) * k)])
        var h = 0.0
        for x in row where x > 0 { h -= x * log(x) }
        let weight = stateWeight[s] / denominator * scale
        for c in controls {
          guard let extra = c.extraLogitGradient(probabilities: row, entropy: h, weight: weight) else { continue }
          for a in 0..<k { gradient[s * k + a] += extra[a] }
        }
      }
    }
  }

  /// Applies the accumulated gradient and clears it. SGD: z −= η·g on the
  /// touched states. AdamW: every logit (see `AdamState.update`). With a
  /// gradient clip, the global norm is clipped first. Returns false, with
  /// `z` partly updated, if a logit would become non-finite.
  mutating func apply(
    _ z: inout [Double], optimizer: OptimizerKind, gradientClip: Double?, adam: inout AdamState,
    learningRate eta: Double
  ) -> Bool {
    let k = arms
    defer {
      for s in touched {
        isTouched[s] = false
        for i in (s * k)..<((s + 1) * k) { gradient[i] = 0 }
      }
      touched.removeAll(keepingCapacity: true)
    }
    if let c = gradientClip { GradientClip.clip(&gradient, maxNorm: c) }
    switch optimizer {
    case .adamw(let beta1, let beta2, let eps, let decay):
      return adam.update(&z, gradient: gradient, learningRate: eta, beta1: beta1, beta2: beta2, eps: eps, decay: decay)
    case .sgd:
      return gradient.withUnsafeBufferPointer { g in
        z.withUnsafeMutableBufferPointer { zb in
          for s in touched {
            for i in (s * k)..<((s + 1) * k) where zb[i] > -Double.infinity {
              let v = zb[i] - eta * g[i]
              guard v.isFinite else { return false }
              zb[i] = v
            }
          }
          return true
        }
      }
    }
  }
}
