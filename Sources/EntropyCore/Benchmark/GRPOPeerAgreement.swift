/// Agreement of a GRPO benchmark run with the NumPy peer's printed steps.
///
/// Tolerances (issue 16):
/// - entropy before and after and the first-order prediction: 1e-9
///   relative. Both sides compute them in Double from the same inputs; what
///   differs is summation order and the last bits of exp/log (a few ulp),
///   and the peer prints 13 significant digits (5e-13 relative).
/// - the change ΔH, a difference of two means near log K: 1e-12 absolute
///   (each mean carries ~1e-15 relative error on both sides, ~1e-14
///   absolute; a relative test would be meaningless when ΔH is tiny).
/// - tokens, candidates and detached counts: exactly.
/// - below 1e-16 in absolute value a relative check is meaningless (a
///   prediction at rounding level, as when the policy has collapsed and
///   every Δz is nearly 0: the peer printed 6.6e-17 where this side has
///   5.7e-21 in `compare-numpy.sh`'s small smoke run), so an error up to
///   `absoluteFloor` = 1e-16 is accepted too; at the default workload the
///   prediction is ~5e-7, where the floor adds 2e-10 relative.
///
/// A sampled token that differed (a uniform within rounding of a cdf
/// boundary, see `GRPOStepMeasurement.samplingMargin`) would typically
/// show up as a count or a prediction outside these.
package struct GRPOPeerAgreement: Sendable, Equatable {
  /// One compared quantity.
  package struct Row: Sendable, Equatable {
    /// 1-based step.
    package var step: Int
    /// The quantity's name, as the peer prints it.
    package var quantity: String
    /// The peer's value.
    package var peer: Double
    /// Ours.
    package var ours: Double
    /// |ours − peer|, relative to |peer| for relative checks.
    package var error: Double
    /// The tolerance.
    package var tolerance: Double
    /// Whether the tolerance is relative.
    package var relative: Bool
    /// Whether the error is within the tolerance.
    package var ok: Bool { error <= tolerance }
  }

  /// Every compared quantity, step by step.
  package var rows: [Row]
  /// Why the runs could not be compared at all (step counts differ), if so.
  package var problem: String?

  /// Whether every quantity agrees.
  package var agrees: Bool { problem == nil && rows.allSatisfy(\.ok) }

  /// Relative tolerance of the entropies and the prediction.
  package static let relativeTolerance = 1e-9
  /// Absolute tolerance of ΔH.
  package static let changeTolerance = 1e-12
  /// Absolute error always accepted in the relative checks.
  package static let absoluteFloor = 1e-16

  /// Compares our steps with the peer's, step by step.
  package init(ours: [GRPOStepMeasurement], peer: [GRPOStepMeasurement]) {
    rows = []
    problem = nil
    guard ours.count == peer.count, !peer.isEmpty else {
      problem = "the peer printed \(peer.count) steps, this run has \(ours.count)"
      return
    }
    for (o, p) in zip(ours, peer) {
      func relative(_ name: String, _ a: Double, _ b: Double) {
        let difference = abs(a - b)
        // Within the floor the row counts as exact (error 0).
        let error = difference <= Self.absoluteFloor ? 0 : b == 0 ? abs(a) : difference / abs(b)
        rows.append(
          Row(
            step: p.step, quantity: name, peer: b, ours: a, error: error.isNaN ? .infinity : error,
            tolerance: Self.relativeTolerance, relative: true))
      }
      func exact(_ name: String, _ a: Int, _ b: Int) {
        rows.append(
          Row(
            step: p.step, quantity: name, peer: Double(b), ours: Double(a), error: Double(abs(a - b)), tolerance: 0,
            relative: false))
      }
      relative("entropy_before", o.entropyBefore, p.entropyBefore)
      relative("entropy_after", o.entropyAfter, p.entropyAfter)
      relative("first_order", o.firstOrder, p.firstOrder)
      let changeError = abs(o.entropyChange - p.entropyChange)
      rows.append(
        Row(
          step: p.step, quantity: "entropy_change", peer: p.entropyChange, ours: o.entropyChange,
          error: changeError.isNaN ? .infinity : changeError, tolerance: Self.changeTolerance, relative: false))
      exact("tokens", o.tokens, p.tokens)
      exact("candidates", o.candidates, p.candidates)
      exact("clipped", o.clipped, p.clipped)
    }
  }

  /// The step lines of the peer's output ("step t entropy_before x … seconds s"),
  /// in order; other lines are ignored, and a step line missing a field is
  /// skipped.
  package static func parsePeer(_ text: String) -> [GRPOStepMeasurement] {
    var out: [GRPOStepMeasurement] = []
    for line in text.split(whereSeparator: \.isNewline) {
      let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
      guard f.count >= 2, f[0] == "step", let step = Int(f[1]) else { continue }
      var fields: [String: String] = [:]
      var i = 2
      while i + 1 < f.count {
        fields[f[i]] = f[i + 1]
        i += 2
      }
      guard let before = fields["entropy_before"].flatMap(Double.init),
        let after = fields["entropy_after"].flatMap(Double.init),
        let change = fields["entropy_change"].flatMap(Double.init),
        let first = fields["first_order"].flatMap(Double.init),
        let tokens = fields["tokens"].flatMap(Int.init),
        let candidates = fields["candidates"].flatMap(Int.init),
        let clipped = fields["clipped"].flatMap(Int.init),
        let seconds = fields["seconds"].flatMap(Double.init)
      else { continue }
      out.append(
        GRPOStepMeasurement(
          step: step, entropyBefore: before, entropyAfter: after, entropyChange: change, firstOrder: first,
          tokens: tokens, candidates: candidates, clipped: clipped, seconds: seconds))
    }
    return out
  }
}
