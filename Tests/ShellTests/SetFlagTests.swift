import Foundation
import Testing

/// `entropy-lab --set KEY=VALUE` (issue 12): settings applied before the
/// first cell, all or none.
@Suite struct SetFlagTests {
  @Test func settingsApplyBeforeTheFirstCell() throws {
    let run = try PipedRun.run(
      ["--set", "lr=0.5", "--set", "clipcov.on=on", "--set", "ratio=0.01"], input: "get lr clipcov.on control.ratio\n")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines == ["lr             0.5", "clipcov.on     on", "control.ratio  0.01"])
  }

  @Test func aBadSettingStopsBeforeAnythingRuns() throws {
    let run = try PipedRun.run(["--set", "lr=0.5", "--set", "group=0"], input: "status\n")
    #expect(run.status == 64)
    #expect(run.stdout.isEmpty)
    #expect(
      run.stderr.contains("'group=0' is not allowed: group takes a whole number from 1 to 100000"), "\(run.stderr)")
    let noEquals = try PipedRun.run(["--set", "lr"], input: "status\n")
    #expect(noEquals.status == 64)
    #expect(noEquals.stderr.contains("'lr' is not KEY=VALUE"), "\(noEquals.stderr)")
  }
}
