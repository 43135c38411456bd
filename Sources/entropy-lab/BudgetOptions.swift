import ArgumentParser
import EntropyCore
import EntropyLab

/// `--memory-limit`, `--max-seconds` and `--max-steps`: the session's one
/// memory budget and the run budgets (`MemoryBudget`, `RunBudget`).
struct BudgetOptions: ParsableArguments {
  @Option(
    name: .customLong("memory-limit"),
    help: ArgumentHelp(
      "The memory budget every size-dependent allocation is checked against (e.g. 512M, 2G, 1.5GiB; default: "
        + "half of physical memory).", valueName: "SIZE"))
  var memoryLimit: String?

  @Option(
    name: .customLong("max-seconds"),
    help: ArgumentHelp(
      "Wall-clock budget: long commands stop and no further cell runs once it is spent.", valueName: "SECONDS"))
  var maxSeconds: Double?

  @Option(
    name: .customLong("max-steps"),
    help: ArgumentHelp(
      "Step budget over step, run, compare and sweep; a command that would pass it is refused.", valueName: "N"))
  var maxSteps: Int?

  func validate() throws {
    if let memoryLimit, MemoryBudget.parseSize(memoryLimit) == nil {
      throw ValidationError(
        "--memory-limit '\(memoryLimit)' is not a size of at least 1 MiB (e.g. 512M, 2G, 1.5GiB, or bytes)")
    }
    if let maxSeconds, !(maxSeconds > 0 && maxSeconds.isFinite) {
      throw ValidationError("--max-seconds must be a positive number of seconds (got \(maxSeconds))")
    }
    if let maxSteps, maxSteps < 1 {
      throw ValidationError("--max-steps must be at least 1 (got \(maxSteps))")
    }
  }

  /// Sets the budgets, with these defaults for what was not given.
  func apply(defaultSeconds: Double? = nil, defaultSteps: Int? = nil) {
    MemoryBudget.setLimit(bytes: memoryLimit.flatMap(MemoryBudget.parseSize))
    RunBudget.configure(maxSteps: maxSteps ?? defaultSteps, maxSeconds: maxSeconds ?? defaultSeconds)
  }
}
