import Foundation

/// The optimiser of the sampled trainer's logits.
public enum OptimizerKind: Sendable, Equatable {
  /// z ← z − η·g (the default: Δz is η times the gradient).
  case sgd
  /// PyTorch's AdamW (decoupled weight decay), as the reference trainers use.
  case adamw(beta1: Double, beta2: Double, eps: Double, decay: Double)

  /// AdamW with PyTorch's defaults and verl's actor weight decay 0.01.
  public static let adamwDefaults = OptimizerKind.adamw(beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: 0.01)
}

/// AdamW's moments, one per logit, kept across the steps of a session.
public struct AdamState: Sendable, Equatable {
  /// Optimiser steps taken (PyTorch's `step`).
  public var step = 0
  /// First moments m.
  public var m: [Double] = []
  /// Second moments v.
  public var v: [Double] = []

  /// Empty moments (sized on first use).
  public init() {}

  /// One AdamW update of `z` (in place) from gradient `g`, as
  /// `torch.optim.AdamW` (single-tensor path) computes it:
  /// z ← z·(1 − η·λ); m ← m + (1 − β1)·(g − m); v ← β2·v + (1 − β2)·g²;
  /// z ← z − (η / (1 − β1^t))·m / (√v / √(1 − β2^t) + ε).
  /// Masked logits (−∞) are left alone. Returns false if a logit would
  /// become non-finite (z then partly updated).
  mutating func update(
    _ z: inout [Double], gradient g: [Double], learningRate eta: Double, beta1: Double, beta2: Double,
    eps: Double, decay: Double
  ) -> Bool {
    if m.count != z.count {
      m = [Double](repeating: 0, count: z.count)
      v = [Double](repeating: 0, count: z.count)
      step = 0
    }
    step += 1
    let t = Double(step)
    let bias1 = 1 - pow(beta1, t)
    let bias2Root = (1 - pow(beta2, t)).squareRoot()
    let stepSize = eta / bias1
    for i in z.indices where z[i] > -Double.infinity {
      var x = z[i] * (1 - eta * decay)
      m[i] += (1 - beta1) * (g[i] - m[i])
      v[i] = v[i] * beta2 + (1 - beta2) * g[i] * g[i]
      let denom = v[i].squareRoot() / bias2Root + eps
      x += -stepSize * (m[i] / denom)
      guard x.isFinite else { return false }
      z[i] = x
    }
    return true
  }
}

/// Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`:
/// with norm = √(Σ g²), every entry is multiplied by
/// min(c / (norm + 1e-6), 1). Returns the norm before clipping.
public enum GradientClip {
  @discardableResult
  public static func clip(_ g: inout [Double], maxNorm c: Double) -> Double {
    var total = 0.0
    for x in g { total += x * x }
    let norm = total.squareRoot()
    let coef = min(c / (norm + 1e-6), 1)
    if coef < 1 { for i in g.indices { g[i] *= coef } }
    return norm
  }
}
