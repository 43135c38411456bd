import Foundation
import Testing

/// `entropy-lab sweep FILE [--shard I/N]` and `entropy-lab merge`: the real
/// binary, as a scheduler runs it.
@Suite("Sweep files, shards and merge")
struct SweepFileTests {
  static let script = """
    policy arms 16 states 2
    policy random
    rewards random
    update grpo
    group 4
    sweep lr=0.2,0.8 group=2,4 seeds 1..3 steps 5
    """

  /// Runs the binary with `arguments` in `folder`, stdin empty.
  static func run(_ arguments: [String], in folder: TemporaryFolder) throws -> PipedRun {
    try PipedRun.run(arguments.map { $0.replacingOccurrences(of: "@", with: folder.path + "/") }, input: "")
  }

  @Test("4 shards under GNU parallel merge into exactly the single-process sweep's bytes")
  func gnuParallelShardsMerge() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    _ = try folder.write("grid.txt", Self.script + "\n")
    let whole = try Self.run(["sweep", "@grid.txt"], in: folder)
    #expect(whole.status == 0, "\(whole.stderr)")
    #expect(whole.lines.count == 1 + 12 + 4)
    // One thread gives the same bytes as every core.
    let single = try Self.run(["sweep", "@grid.txt", "--threads", "1"], in: folder)
    #expect(single.stdout == whole.stdout)
    // Progress and timings go to stderr, not stdout.
    #expect(whole.stderr.contains("12 of 12 runs"))

    let parallel = try #require(
      ["/usr/bin/parallel", "/usr/local/bin/parallel"].first { FileManager.default.isExecutableFile(atPath: $0) },
      "GNU parallel is needed (apt-get install parallel; .ci/run installs it)")
    let binary = try ShellBinary.path()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: parallel)
    process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
    process.arguments = [
      "--will-cite", "-j", "4", "--joblog", "joblog", "\(binary) sweep grid.txt --shard {}/4 --quiet > part{}.jsonl",
      ":::", "1", "2", "3", "4",
    ]
    process.environment = ShellBinary.environment([:])
    try process.run()
    try PipedRun.waitForExit(process, timeout: 120)
    #expect(process.terminationStatus == 0)
    let joblog = try String(contentsOfFile: folder.path + "/joblog", encoding: .utf8)
    #expect(joblog.split(separator: "\n").count == 5)  // header + 4 jobs
    let merged = try Self.run(["merge", "@part4.jsonl", "@part2.jsonl", "@part1.jsonl", "@part3.jsonl"], in: folder)
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(merged.stdout == whole.stdout)
    // A missing shard is refused.
    let missing = try Self.run(["merge", "@part1.jsonl", "@part2.jsonl"], in: folder)
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("shards 3, 4 of 4 missing"))
  }

  @Test("exit statuses: a failing cell 1, no sweep line 65, unreadable 66, bad --shard 64")
  func statuses() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    _ = try folder.write("bad.txt", "lr -1\nsweep seeds 1..2\n")
    _ = try folder.write("none.txt", "lr 0.5\n")
    _ = try folder.write("after.txt", "sweep seeds 1..2\nstep\n")
    let bad = try Self.run(["sweep", "@bad.txt"], in: folder)
    #expect(bad.status == 1 && bad.stderr.contains("bad.txt:1: lr:"))
    #expect(bad.stdout.isEmpty)
    #expect(try Self.run(["sweep", "@none.txt"], in: folder).status == 65)
    #expect(try Self.run(["sweep", "@after.txt"], in: folder).status == 1)
    #expect(try Self.run(["sweep", "@absent.txt"], in: folder).status == 66)
    #expect(try Self.run(["sweep", "@none.txt", "--shard", "5/4"], in: folder).status == 64)
  }
}
