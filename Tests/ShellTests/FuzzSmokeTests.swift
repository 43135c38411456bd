import Foundation
import Testing

/// Issue 11, finding 9: the fuzzers were built without coverage and
/// explored nothing. `.ci/run` builds them (`Fuzz/build.sh`, a prerequisite
/// of the test command like the packages it installs); this test runs
/// `Fuzz/check-coverage.sh` against that build: each target fuzzes 20 s
/// from an empty corpus and fails unless libFuzzer's `cov:` and `ft:` grow
/// past its INITED line and the corpus fills (and on any crash).
///
/// Without a fuzz build it fails, saying how to make one: a missing build
/// must not pass as a green smoke run.
@Suite struct FuzzSmokeTests {
  /// The package's root folder (this file is Tests/ShellTests/…).
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static let targets = ["FuzzCommands", "FuzzNotebook", "FuzzNotebookStructure"]

  @Test func everyFuzzTargetIsInstrumentedAndItsCoverageGrows() throws {
    let release = Self.root.appendingPathComponent("Fuzz/.build/release")
    let missing = Self.targets.filter {
      !FileManager.default.isExecutableFile(atPath: release.appendingPathComponent($0).path)
    }
    #expect(
      missing.isEmpty,
      """
      no fuzz build of \(missing.joined(separator: ", ")) in Fuzz/.build/release: run Fuzz/build.sh \
      (.ci/run does, before swift test), then this test runs Fuzz/check-coverage.sh against it
      """)
    guard missing.isEmpty else { return }
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let outPath = try folder.write("smoke.log", "")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [Self.root.appendingPathComponent("Fuzz/check-coverage.sh").path, "20"]
    process.environment = ShellBinary.environment(["FUZZ_NO_BUILD": "1"])
    process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardOutput = log
    process.standardError = log
    try process.run()
    // 3 targets × 20 s, and start-up under AddressSanitizer on a busy machine.
    try PipedRun.waitForExit(process, timeout: 600)
    let output = try String(contentsOfFile: outPath, encoding: .utf8)
    #expect(process.terminationStatus == 0, "Fuzz/check-coverage.sh failed:\n\(output)")
    // One line per target, each saying that coverage grew from INITED.
    let lines = output.split(separator: "\n").filter { $0.hasPrefix("fuzz smoke: ") && $0.contains("INITED") }
    #expect(lines.count == 3, "\(output)")
  }
}
