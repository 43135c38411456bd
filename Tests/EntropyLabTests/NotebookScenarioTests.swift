import EntropyLab
import Foundation
import Testing

/// Every lesson in `Scenarios/` must pass `entropy-lab replay --check`: a
/// change that alters any lesson's numbers fails here until it is accepted
/// on purpose (`entropy-lab replay --accept Scenarios/FILE.md`).
@Suite struct NotebookScenarioTests {
  /// The package's `Scenarios/` folder, found from this file's path.
  static let folder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Scenarios").path

  /// The scenario notebooks, by file name.
  static var scenarios: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
  }

  @Test(arguments: scenarios)
  func scenarioPassesCheck(name: String) {
    let result = FileReplay.run(NotebookScenarioTests.folder + "/" + name, options: ReplayOptions(mode: .check))
    #expect(result.status == .passed, "\(result.diagnostics)\(result.output)")
    #expect(result.outcome?.refusals.isEmpty == true, "a lesson should replay without file commands")
  }
}
