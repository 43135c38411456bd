import Foundation

/// CW-GRPO's Gaussian-kernel token weights and their gradient, as the
/// authors' code computes them (literature.md §1, VERIFIED:
/// github.com/WangCheng0116/CW-GRPO @4259d83, `grpo_trainer.py`,
/// `compute_loss`, branch `use_ours`), for one loss call (micro-batch):
///
/// 1. ℓ̃_i = log π_i − mean log π over the centring group of i: its own
///    response (`response`, the code) or the whole call (`batch`, the
///    secondary note; then c is Clip-Cov's covariance);
/// 2. Ã_i = A_i − Ā, Ā the mean of A over the call's responses
///    (`response`, the code) or its tokens (`batch`);
/// 3. c_i = ℓ̃_i·Ã_i; σ = population std of c + 1e−8;
/// 4. u_i = exp(−c_i²/(2(κσ)²)) (κ = 1 in the code);
/// 5. w_i = u_i·P/Σu, P = responses × the longest response's tokens: every
///    position, padding included, as the code counts B·L (so the mean
///    weight over real tokens is ≥ 1 when lengths differ).
///
/// The code does not detach w: `lossGradient(values:aggregation:weightGradient:)`
/// returns ∂L/∂log π_j for L = Σ_i a_i·w_i·ℓ_i, with or without the path
/// through c, σ and Σu.
public struct CWGRPOWeights: Sendable, Equatable {
  /// Where log π is centred.
  public enum Centring: String, Sendable, Equatable, CaseIterable {
    /// Over the whole loss call (the secondary note's formula).
    case batch
    /// Within each response (the authors' code): 0 for a one-token response.
    case response
  }

  /// The centring used.
  public let centring: Centring
  /// c_i = ℓ̃_i·Ã_i.
  public let covariances: [Double]
  /// Ã_i.
  public let centredAdvantages: [Double]
  /// The population std of c (without the 1e−8).
  public let spread: Double
  /// σ = spread + 1e−8.
  public let sigma: Double
  /// κ: the kernel's width in units of σ.
  public let width: Double
  /// P: the positions the weights are normalised over.
  public let positions: Double
  /// w_i, Σw = P.
  public let weights: [Double]
  /// The tokens of each centring group.
  private let groupMembers: [[Int]]

  /// The weights of one call's tokens: `responses[i]` names token i's
  /// response (any integers; equal means the same response).
  public init(
    logProbs: [Double], advantages: [Double], responses: [Int], centring: Centring, width: Double = 1
  ) {
    let n = logProbs.count
    self.centring = centring
    self.width = width
    // Responses, in order of first appearance.
    var index: [Int: Int] = [:]
    var members: [[Int]] = []
    for i in 0..<n {
      let key = responses[i]
      if let r = index[key] {
        members[r].append(i)
      } else {
        index[key] = members.count
        members.append([i])
      }
    }
    let longest = members.map(\.count).max() ?? 0
    positions = Double(members.count * longest)
    switch centring {
    case .response:
      groupMembers = members
    case .batch:
      groupMembers = n > 0 ? [Array(0..<n)] : []
    }
    var centred = logProbs
    for group in groupMembers {
      let mean = group.reduce(0) { $0 + logProbs[$1] } / Double(group.count)
      for i in group { centred[i] = logProbs[i] - mean }
    }
    let meanA: Double
    switch centring {
    case .response:
      meanA = members.isEmpty ? 0 : members.reduce(0) { $0 + advantages[$1[0]] } / Double(members.count)
    case .batch:
      meanA = n > 0 ? advantages.reduce(0, +) / Double(n) : 0
    }
    let at = advantages.map { $0 - meanA }
    centredAdvantages = at
    let c = (0..<n).map { centred[$0] * at[$0] }
    covariances = c
    let meanC = n > 0 ? c.reduce(0, +) / Double(n) : 0
    let s = n > 0 ? (c.reduce(0) { $0 + ($1 - meanC) * ($1 - meanC) } / Double(n)).squareRoot() : 0
    spread = s
    let sig = s + 1e-8
    sigma = sig
    // exp(−(c² − min c²)/(2(κσ)²)): the same weights after normalising, and
    // never 0/0 when every c is equal and nonzero (σ = 1e−8).
    let k2 = 2 * (width * sig) * (width * sig)
    let least = c.map { $0 * $0 }.min() ?? 0
    let u = c.map { exp(-($0 * $0 - least) / k2) }
    let total = u.reduce(0, +)
    let p = positions
    weights = u.map { $0 * p / total }
  }

  /// ∂L/∂log π_j for L = Σ_i a_i·w_i·ℓ_i, where ℓ_i is token i's loss
  /// value and `gradients[i]` = ∂ℓ_i/∂log π_i (equal to ℓ_i for −A·ρ, 0
  /// where a clip holds ℓ_i constant), divided by a_j so that it replaces
  /// the token's own ∂loss/∂log π before aggregation.
  ///
  /// With `weightGradient` (the code: w not detached) it adds
  /// Σ_i a_i·ℓ_i·∂w_i/∂log π_j, through c, σ and Σu. Where the spread of c is
  /// 0 the weights are flat (each P/n) and their gradient is taken as 0.
  public func lossGradient(
    values: [Double], gradients: [Double], aggregation: [Double], weightGradient: Bool
  ) -> [Double] {
    let n = weights.count
    var out = (0..<n).map { weights[$0] * gradients[$0] }
    guard weightGradient, n > 0, spread > 0 else { return out }
    // v_i = ∂L/∂w_i.
    let v = (0..<n).map { aggregation[$0] * values[$0] }
    let vw = (0..<n).reduce(0) { $0 + v[$1] * weights[$1] }
    let kappa2 = width * width
    let s2 = sigma * sigma * kappa2
    let meanC = covariances.reduce(0, +) / Double(n)
    // ∂L/∂u_k·u_k = (P·v_k − Σ v·w)·w_k/P; u_k depends on c_k and σ.
    let gu = (0..<n).map { (positions * v[$0] - vw) * weights[$0] / positions }
    // ∂u/∂σ·(1/u) = c²/(κ²σ³).
    var gSigma = 0.0
    for k in 0..<n { gSigma += gu[k] * covariances[k] * covariances[k] / (s2 * sigma) }
    var gCentred = [Double](repeating: 0, count: n)
    for k in 0..<n {
      let gc = -gu[k] * covariances[k] / s2 + gSigma * (covariances[k] - meanC) / (Double(n) * spread)
      gCentred[k] = gc * centredAdvantages[k]
    }
    for group in groupMembers {
      let mean = group.reduce(0) { $0 + gCentred[$1] } / Double(group.count)
      for j in group {
        out[j] += (gCentred[j] - mean) / aggregation[j]
      }
    }
    return out
  }
}
