import Foundation
import Synchronization

/// The process's step and wall-clock budgets (`--max-steps`,
/// `--max-seconds`): a replay of an untrusted notebook must end in bounded
/// time whatever its cells ask for.
///
/// Steps of `step`, `run`, `compare` and `sweep` count against the step
/// budget; a command that would pass it is refused before it starts. Once
/// the time is up, long commands stop at their next step (as on Ctrl-C)
/// and a replay runs no further cell. Both are off (unlimited) until
/// `configure` is called.
public enum RunBudget {
  private static let maxSteps = Atomic<Int>(0)
  private static let stepsTaken = Atomic<Int>(0)
  private static let maxMilliseconds = Atomic<Int>(0)
  private static let startMilliseconds = Atomic<Int>(0)

  /// Sets the budgets (nil: unlimited) and starts the clock now.
  public static func configure(maxSteps steps: Int?, maxSeconds seconds: Double?) {
    maxSteps.store(max(0, steps ?? 0), ordering: .relaxed)
    stepsTaken.store(0, ordering: .relaxed)
    let ms = seconds.map { $0.isFinite ? Int(min(max($0 * 1000, 1), 1e15)) : 0 } ?? 0
    maxMilliseconds.store(ms, ordering: .relaxed)
    startMilliseconds.store(nowMilliseconds, ordering: .relaxed)
  }

  private static var nowMilliseconds: Int {
    Int(DispatchTime.now().uptimeNanoseconds / 1_000_000)
  }

  /// The step budget, if any.
  public static var stepLimit: Int? {
    let m = maxSteps.load(ordering: .relaxed)
    return m > 0 ? m : nil
  }

  /// The time budget in seconds, if any.
  public static var secondsLimit: Double? {
    let m = maxMilliseconds.load(ordering: .relaxed)
    return m > 0 ? Double(m) / 1000 : nil
  }

  /// Steps still allowed (nil: unlimited).
  public static var stepsLeft: Int? {
    stepLimit.map { max(0, $0 - stepsTaken.load(ordering: .relaxed)) }
  }

  /// Counts `n` steps taken.
  public static func count(_ n: Int) {
    guard n > 0, stepLimit != nil else { return }
    stepsTaken.add(n, ordering: .relaxed)
  }

  /// Whether the time budget is spent.
  public static var timeIsUp: Bool {
    let limit = maxMilliseconds.load(ordering: .relaxed)
    return limit > 0 && nowMilliseconds - startMilliseconds.load(ordering: .relaxed) >= limit
  }

  /// Why nothing more may run, if a budget is spent.
  public static var exhausted: String? {
    if timeIsUp, let s = secondsLimit {
      return "the time budget of \(NumberStyle.setting.format(s)) s is spent (raise it with --max-seconds)"
    }
    if let left = stepsLeft, left == 0, let limit = stepLimit {
      return "the step budget of \(limit) steps is spent (raise it with --max-steps)"
    }
    return nil
  }

  /// Throws unless `steps` more steps fit in the step budget and time is
  /// left: the refusal of a `run`, `compare` or `sweep` before it starts.
  public static func check(steps: Double, command: String) throws(LabError) {
    if timeIsUp, let reason = exhausted { throw LabError(command: command, problem: "refused: " + reason) }
    guard let left = stepsLeft, let limit = stepLimit else { return }
    guard steps > Double(left) else { return }
    throw LabError(
      command: command,
      problem:
        "\(steps < 9e18 ? String(Int(steps)) : NumberStyle.setting.format(steps)) steps would pass the step budget (\(left) of \(limit) left; "
        + "raise it with --max-steps)")
  }
}
