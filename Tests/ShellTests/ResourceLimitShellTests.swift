import Foundation
import Testing

/// Issue 11, item 5 and the input limits of item 8, on the real binary: no
/// input may abort the process (a refusal and exit status 1, never a
/// signal), `--memory-limit` bounds what a session holds over many cells,
/// `--max-steps` and `--max-seconds` bound a replay, and a piped line may
/// have at most 1 MiB.
@Suite struct ResourceLimitShellTests {
  /// The lines, with 50,000 states rather than 1,000,000 (the same
  /// rollout overflow: 5·10⁹ tokens, hundreds of GB; a debug build takes
  /// minutes to make a 10⁶-state policy). Before: "failed to allocate …
  /// bytes", exit 134 (SIGABRT). Now: the step is refused with the figure.
  static let abortLines = "policy arms 2 states 50000\nupdate grpo\ngroup 100000\nstep\nstatus\n"

  @Test func aRolloutTooLargeForMemoryIsRefusedNotAnAbort() throws {
    let run = try PipedRun.run([], input: Self.abortLines, timeout: 300)
    #expect(!run.signaled, "ended by signal \(run.status): \(run.stderr)")
    #expect(run.status == 1)
    #expect(run.stdout.contains("error: step: 1 sampled step of 50000 states × G = 100000 needs "))
    #expect(run.stdout.contains("raise it with --memory-limit SIZE"))
    // The session went on: `status` ran after the refusal.
    #expect(run.stdout.contains("states"))
    #expect(run.stderr.contains("1 command failed (first at line 4 of standard input)"))
  }

  /// The same cells in a notebook under `replay --check`.
  @Test func theSameCellsUnderReplayCheckAreRefusedNotAnAbort() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let cells = Self.abortLines.split(separator: "\n").map { "> \($0)" }.joined(separator: "\n")
    let path = try folder.write("abort.md", "```lab\n\(cells)\n```\n")
    let run = try PipedRun.run(["replay", "--check", path], input: "", timeout: 300)
    #expect(!run.signaled, "ended by signal \(run.status): \(run.stderr)")
    #expect(run.status == 1)
    #expect(run.stdout.contains("needs ") || run.stderr.contains("needs "))
  }

  /// What a session holds accumulates: each `checkpoint` of a 48 MB state
  /// holds another copy, and under a 128 MB budget the second is refused
  /// (before: no check at all, memory grew until the process was killed).
  @Test func checkpointsAccumulateAgainstTheMemoryLimit() throws {
    let input = "policy arms 1000 states 1000\ncheckpoint a\ncheckpoint b\nstatus\n"
    let run = try PipedRun.run(["--memory-limit", "128M"], input: input, timeout: 120)
    #expect(!run.signaled)
    #expect(run.status == 1)
    #expect(run.stdout.contains("checkpoint 'a'"))
    #expect(
      run.stdout.contains(
        "error: checkpoint: another copy of the state needs 144 MB of memory (with what the session already holds), "
          + "more than the 128 MB allowed (the limit set with --memory-limit); restore or drop checkpoints, or use "
          + "a smaller policy"))
    #expect(run.stderr.contains("1 command failed (first at line 3 of standard input)"))
  }

  /// `run N` grows the trajectory: repeated runs are refused once the
  /// records would pass the budget, and the session keeps what it has.
  @Test func repeatedRunsAreRefusedOnceTheTrajectoryWouldPassTheLimit() throws {
    let input = Array(repeating: "run 10000", count: 12).joined(separator: "\n") + "\nstatus\n"
    let run = try PipedRun.run(["--memory-limit", "8M"], input: input, timeout: 300)
    #expect(!run.signaled)
    #expect(run.status == 1)
    #expect(run.stdout.contains("error: run: 10000 steps needs "))
    let refused = run.lines.filter { $0.hasPrefix("error: run:") }.count
    #expect(refused >= 1 && refused < 12, "\(refused) of 12 runs refused")
  }

  /// `show all` on a large policy built a table of every arm (hundreds of
  /// bytes a row: cells, text, the cell's kept output) with no check, and
  /// so did `tokens all` over every token-update: at 10⁷ arms, gigabytes
  /// past any `--memory-limit`. Now both are checked against the budget
  /// first (rows × `ListingBudget.bytesPerTextRow`, or the JSON figure, plus their scratch) and
  /// refused with the figure; the short listings still fit and run.
  @Test func showAndTokensListingsAreCheckedAgainstTheMemoryLimit() throws {
    let input =
      [
        "policy arms 20000", "show", "show all", "show top 1000",
        "policy arms 2 states 20", "rewards 1 0", "update grpo", "group 1000", "step",
        "tokens", "tokens all", "tokens responses", "tokens flips", "tokens top 3000",
      ].joined(separator: "\n") + "\n"
    let run = try PipedRun.run(["--memory-limit", "8M"], input: input, timeout: 300)
    #expect(!run.signaled)
    #expect(run.status == 1)
    let errors = run.lines.filter { $0.hasPrefix("error:") }
    #expect(
      errors == [
        "error: show: listing 20000 arms needs 18 MB of memory (with what the session already holds), more than "
          + "the 8.0 MB allowed (the limit set with --memory-limit); use 'show top n' or 'show state s'",
        "error: tokens: listing 20000 of 20000 token-updates needs 19 MB of memory (with what the session already "
          + "holds), more than the 8.0 MB allowed (the limit set with --memory-limit); use 'tokens top n'",
      ], "\(errors)")
    #expect(run.stdout.contains("(20 of 20000 arms shown"))
    #expect(run.stdout.contains("(1000 of 20000 arms shown"))
    #expect(run.stdout.contains("tokens of step 1: 20000 token-updates over 1 update, top 20 by covariance shown"))
    #expect(run.stdout.contains("tokens of step 1: 20000 token-updates over 1 update, top 3000 by covariance shown"))
    #expect(run.stdout.contains("token flipping in step 1"))
    #expect(run.stdout.contains("step 1: Fig. 8 covariance (mean over groups)"))
    #expect(run.stderr.contains("2 commands failed (first at line 3 of standard input)"))
  }

  /// `history` is charged like the other listings (`ListingBudget`: a row
  /// per step listed, plus the copy of the records it lists), no longer by
  /// its own 400 bytes a row, which let `history` over 10,000 steps build
  /// its table past an 8 MB limit (about 6 MB charged, ~860 bytes a row
  /// measured). `history last n` still runs. Exact messages: the figures
  /// are the budget's arithmetic, not measurements.
  @Test func aHistoryListingIsCheckedLikeTheOtherListings() throws {
    let input = "run 10000\nhistory\nhistory last 20\nstatus\n"
    let run = try PipedRun.run(["--memory-limit", "8M"], input: input, timeout: 300)
    #expect(!run.signaled)
    #expect(run.status == 1)
    let errors = run.lines.filter { $0.hasPrefix("error:") }
    #expect(
      errors == [
        "error: history: listing 10000 steps needs 12 MB of memory (with what the session already holds), more "
          + "than the 8.0 MB allowed (the limit set with --memory-limit); use 'history last n'"
      ], "\(errors)")
    // `history last 20` lists steps 9981…10000 (`run` itself shows only its last ten).
    #expect(run.lines.contains { $0.hasPrefix(" 9981 ") })
    #expect(run.stderr.contains("1 command failed (first at line 2 of standard input)"))
  }

  /// With `--json` a row costs about twice as much (1,502 bytes measured
  /// against 703 as text), and the check counts it so.
  @Test func aJSONListingCountsItsLargerRows() throws {
    let run = try PipedRun.run(["--json", "--memory-limit", "8M"], input: "policy arms 20000\nshow all\n")
    #expect(run.status == 1)
    #expect(run.stdout.contains("\"error\":\"show: listing 20000 arms needs 34 MB of memory"), "\(run.stdout)")
  }

  /// A bad `--memory-limit` is a usage error (64).
  @Test func aBadMemoryLimitIsAUsageError() throws {
    let run = try PipedRun.run(["--memory-limit", "12X"], input: "status\n")
    #expect(run.status == 64)
    #expect(run.stderr.contains("--memory-limit '12X' is not a size of at least 1 MiB"))
  }

  /// `compare steps 1000000 seeds 1..1000` would have run for hours (in
  /// safe mode too). A replay's default step budget (10⁶) refuses it
  /// before it starts.
  @Test func aReplayRefusesACompareBeyondItsDefaultStepBudget() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = try folder.write(
      "long.md", "```lab\n> update grpo\n> compare steps 1000000 seeds 1..1000\n> status\n```\n")
    // Without --check the regenerated notebook (the cells' outputs) is printed.
    let run = try PipedRun.run(["replay", path], input: "", timeout: 120)
    #expect(!run.signaled)
    #expect(run.status == 1)
    #expect(
      Self.unwrapped(run.stdout + run.stderr).contains(
        "compare: 5000000000 steps would pass the step budget (1000000 of 1000000 left; raise it with --max-steps)"))
  }

  /// `--max-steps` counts steps across cells; `--max-seconds` stops a long
  /// run between steps and runs no further cell.
  @Test func aReplayStopsAtItsStepAndTimeBudgets() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let steps = try folder.write("steps.md", "```lab\n> run 50\n> run 50\n> run 50\n```\n")
    let stepRun = try PipedRun.run(["replay", "--max-steps", "120", steps], input: "", timeout: 120)
    #expect(stepRun.status == 1)
    #expect(
      Self.unwrapped(stepRun.stdout + stepRun.stderr).contains(
        "run: 50 steps would pass the step budget (20 of 120 left; raise it with --max-steps)"))
    let slow = try folder.write("slow.md", "```lab\n> run 10000000\n> status\n```\n")
    let start = Date()
    let timeRun = try PipedRun.run(
      ["replay", "--max-seconds", "1", "--max-steps", "100000000", slow], input: "", timeout: 120)
    #expect(Date().timeIntervalSince(start) < 60)
    #expect(!timeRun.signaled)
    let all = timeRun.stdout + timeRun.stderr
    #expect(
      Self.unwrapped(all).contains("of 10000000 steps: the time budget of 1 s is spent (raise it with --max-seconds)"))
  }

  /// A piped line over 1 MiB stops the reading with a clear error, and
  /// memory stays bounded: `entropy-lab /dev/zero` ends (it grew to 2.6 GB
  /// in 3 s before).
  @Test func aLineOverOneMebibyteStopsTheReading() throws {
    let input = String(repeating: "a", count: 2 << 20) + "\nstatus\n"
    let run = try PipedRun.run([], input: input, timeout: 120)
    #expect(run.status == 1)
    #expect(
      run.stdout
        == "error: line 1 of standard input is longer than 1048576 bytes (1 MiB), the most a line may have; "
        + "nothing more was read\n")
    let zero = try PipedRun.run(["/dev/zero"], input: "", timeout: 120)
    #expect(!zero.signaled)
    #expect(zero.status == 1)
    #expect(zero.stdout.contains("error: line 1 of /dev/zero is longer than 1048576 bytes"))
  }

  /// A NUL byte in piped input: the line is refused naming the byte (it
  /// was cut there before), and the next line runs.
  @Test func aNulByteInPipedInputIsRefusedNamingItsPosition() throws {
    let run = try PipedRun.run([], input: "lr 0.5\u{0}9\nlr 0.25\n")
    #expect(run.status == 1)
    #expect(
      run.lines == [
        "error: the line has a NUL byte at byte 7; lines must be text (nothing was run)", "lr: η = 0.25",
      ])
  }

  /// A notebook's outputs are recorded at 80 columns: an error wraps onto
  /// indented continuation lines, which this joins back into one line.
  static func unwrapped(_ text: String) -> String {
    text.replacingOccurrences(of: "\n  ", with: " ")
  }
}
