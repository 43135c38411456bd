import EntropyCore
import EntropyLab

/// What the page draws, as one JSON object (`{"type": "view", …}`): the
/// session's status, the policy of one state as bars, the entropy and
/// reward curves of the current trajectory segment, the last step's
/// predictions against its actual ΔH, the cell log and the lesson.
///
/// Numbers are the session's own (no rounding here); the page formats them.
enum PageView {
  /// Arms drawn as bars at most; the others are summed in `rest`.
  static let maxBars = 40
  /// Points per curve at most (a longer trajectory is thinned evenly, the
  /// last step always kept).
  static let maxPoints = 600
  /// Cells of the log sent at most (the latest).
  static let maxCells = 60
  /// The width cell outputs are rendered at for the page (its cell log
  /// spans the window: a step's table fits on one line).
  static let outputWidth = 150

  /// The view of `session` with the bars of state `chosen` (clamped to the
  /// policy's states).
  static func json(
    session: Session, state chosen: Int, lesson: LessonCursor?, version: Int, pageFiles: String
  ) -> JSONValue {
    let state = session.state
    let s = min(max(chosen, 0), state.policy.states - 1)
    return .object([
      ("type", .string("view")),
      ("version", .int(version)),
      ("status", status(state)),
      ("policy", policy(state, s)),
      ("curves", curves(state)),
      ("last", last(state)),
      ("cells", cells(session)),
      ("lesson", lesson?.json ?? .null),
      ("page_files", .string(pageFiles)),
    ])
  }

  /// Size, rule, η, steps, mean H and R.
  static func status(_ state: LabState) -> JSONValue {
    .object([
      ("states", .int(state.policy.states)), ("arms", .int(state.policy.arms)),
      ("rule", .string(state.rule.rawValue)), ("lr", .number(state.learningRate)),
      ("steps", .int(state.stepsTaken)), ("entropy", .number(state.policy.meanEntropy)),
      ("reward", .number(state.bandit.expectedReward(under: state.policy))),
    ])
  }

  /// State `s`'s arms by π, largest first: π, logit, μ and the arm's share
  /// of Cov(log π, Δz) for the next exact step (positive lowers H).
  static func policy(_ state: LabState, _ s: Int) -> JSONValue {
    let policy = state.policy
    let k = policy.arms
    let p = policy.probabilities(state: s)
    let logits = Array(policy.logits(state: s))
    let rewards = Array(state.bandit.meanRewards[s * k..<(s + 1) * k])
    let delta = state.nextExactStep.delta
    let finite = delta.allSatisfy(\.isFinite)
    let shares =
      finite
      ? EntropyDynamics.contributions(policy: policy, change: delta, state: s).map(\.covarianceShare)
      : Array(repeating: 0, count: k)
    let order = (0..<k).sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
    let shown = order.prefix(maxBars)
    let bars: [JSONValue] = shown.map { a in
      .object([
        ("arm", .int(a)), ("prob", .number(p[a])), ("logit", .number(logits[a])), ("reward", .number(rewards[a])),
        ("share", .number(shares[a])),
      ])
    }
    let hidden = order.dropFirst(maxBars)
    let rest: JSONValue =
      hidden.isEmpty
      ? .null
      : .object([
        ("arms", .int(hidden.count)), ("prob", .number(hidden.reduce(0) { $0 + p[$1] })),
        ("share", .number(hidden.reduce(0) { $0 + shares[$1] })),
      ])
    return .object([
      ("state", .int(s)), ("entropy", .number(policy.entropy(state: s))),
      ("first_order", finite ? .number(-shares.reduce(0, +)) : .null),
      ("bars", .array(bars)), ("rest", rest),
    ])
  }

  /// The current segment's steps: H and R after each, and H before the first.
  static func curves(_ state: LabState) -> JSONValue {
    let segment = Array(state.segment)
    var picked: [StepRecord] = segment
    if segment.count > maxPoints {
      let stride = Double(segment.count - 1) / Double(maxPoints - 1)
      picked = (0..<maxPoints).map { segment[Int((Double($0) * stride).rounded())] }
      picked[picked.count - 1] = segment[segment.count - 1]
    }
    let first = segment.first.map { $0.step - 1 }
    return .object([
      ("start_step", first.map { .int($0) } ?? .null),
      ("start_entropy", segment.first.map { .number($0.entropyBefore) } ?? .null),
      ("step", .array(picked.map { .int($0.step) })),
      ("entropy", .array(picked.map { .number($0.entropyAfter) })),
      ("reward", .array(picked.map { .number($0.expectedReward) })),
    ])
  }

  /// The last step's actual ΔH and its three predictions.
  static func last(_ state: LabState) -> JSONValue {
    guard let record = state.trajectory.last else { return .null }
    return .object([
      ("step", .int(record.step)), ("rule", .string(record.rule)), ("actual", .number(record.entropyChange)),
      ("first_order", .number(record.prediction.firstOrder)),
      ("second_order", .number(record.prediction.secondOrder)),
      ("path_integral", .number(record.prediction.pathIntegral)),
    ])
  }

  /// The latest cells: number, command, plain-text output, whether it failed.
  static func cells(_ session: Session) -> JSONValue {
    .array(session.cells.suffix(maxCells).map(cell))
  }

  /// One cell for the page (also the answer to the command that ran it).
  static func cell(_ cell: CellResult) -> JSONValue {
    .object([
      ("cell", .int(cell.number)), ("command", .string(cell.input)),
      ("output", .string(Renderer.render(cell.reports, error: cell.error, style: OutputStyle(width: outputWidth)))),
      ("failed", .bool(cell.failed)),
    ])
  }
}

extension PageView {
  /// The answer to a command from the page: the cell as in the log, plus
  /// its results as `--json` prints them (`Renderer.json`), and whether it
  /// joined the session's cells (a refused line does not).
  static func result(_ cell: CellResult, recorded: Bool) -> JSONValue {
    guard case .object(var fields) = PageView.cell(cell) else { return .null }
    var records = cell.reports.flatMap(Renderer.json)
    if let error = cell.error { records.append(Renderer.json(error)) }
    fields.insert(("type", .string("result")), at: 0)
    fields.append(("recorded", .bool(recorded)))
    fields.append(("json", .array(records)))
    return .object(fields)
  }
}
