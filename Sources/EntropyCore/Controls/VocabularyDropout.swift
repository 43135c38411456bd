/// Vocabulary dropout (arXiv 2604.03472) — EntropyLab's reading of a
/// SECONDARY source (literature.md §8: the abstract and an emergentmind
/// summary): a hard random mask on the logits, in generation and training
/// alike, each unprotected arm kept with probability α, a protected set
/// never masked (`VocabularyMask`).
///
/// Each sampled step, before the rollout, the mask is drawn from the
/// session's seeded generator (one uniform per unprotected arm, none when
/// α = 1); the rollout samples and the loss differentiates under the
/// masked softmax, and masked arms keep their logits.
public struct VocabularyDropout: EntropyControl {
  public static let name = "vocab-dropout"
  public static let summary =
    "Vocabulary dropout: each step mask each unprotected arm with probability 1 − α, in sampling and training"
  public static let source = ControlSource(
    "Vocabulary dropout (arXiv 2604.03472; Qwen3-4B/8B with R-Zero), read from its abstract and an emergentmind "
      + "summary only; the α values and the mask's resampling cadence are unverified — literature.md §8",
    status: .secondary)
  public static let details = [
    "Each step, before the rollout: every arm of every state that is not protected is kept with probability α",
    "(one uniform draw per such arm from the session's seeded generator, so runs replay; no draw at all when",
    "α = 1, which is therefore bit-identical to no dropout). The rollout samples from, and the loss",
    "differentiates, the softmax over the kept arms: masked arms are never sampled, get zero gradient and",
    "keep their logits. The mask is redrawn every step (the paper's cadence is not known).",
    "Protected arms (the paper's format tokens, never masked): protect top (default) keeps the K most probable",
    "arms of each state at the step's start; protect first keeps arms 0…K−1, a fixed set. K ≥ 1, so no",
    "state is ever fully masked. Under AdamW a masked logit skips the step's update (its moments and decay).",
  ]
  public static let parameters = [
    ControlParameter(
      name: "alpha", symbol: "α", defaultValue: 0.9, allowed: "a number in (0, 1]",
      unit: "probability an unprotected arm is kept"
    ) { $0 > 0 && $0 <= 1 },
    ControlParameter(name: "protect", choices: ["top", "first"], defaultChoice: "top"),
    ControlParameter(
      name: "count", symbol: "K", defaultValue: 1, allowed: "an integer ≥ 1", unit: "protected arms per state"
    ) { $0 >= 1 && $0 == $0.rounded() && $0 <= 1e9 },
  ]
  public static let activity = [
    ActivityMeasure(key: "dropout_dropped", heading: "dropped", summary: "arms masked for the step, over all states"),
    ActivityMeasure(
      key: "dropout_eligible", heading: "eligible", summary: "unprotected arms that could be masked (kept ≈ α of them)",
      inCompare: false),
  ]
  public static let coefficient: String? = "alpha"

  /// α.
  public var alpha: Double
  /// Which arms are protected.
  public var protection: VocabularyMask.Protection
  /// K.
  public var count: Int

  public init(values: [Double]) {
    alpha = values[0]
    protection = values[1] == 0 ? .top : .first
    count = Int(values[2])
  }

  public mutating func beginStep(_ start: inout ControlStepStart, using generator: inout SplitMix64) {
    let k = start.arms
    var dropped = 0
    var eligible = 0
    for s in 0..<start.states {
      let row = Array(start.logits[(s * k)..<((s + 1) * k)])
      let kept = VocabularyMask.protected(logits: row, protection: protection, count: count)
      let keep = VocabularyMask.keep(logits: row, protected: kept, alpha: alpha, using: &generator)
      for a in 0..<k where row[a] > -Double.infinity && !kept[a] {
        eligible += 1
        if !keep[a] {
          dropped += 1
          start.logits[s * k + a] = -.infinity
        }
      }
    }
    start.activity.count("dropout_dropped", dropped)
    start.activity.count("dropout_eligible", eligible)
  }
}
