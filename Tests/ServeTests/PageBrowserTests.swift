import EntropyLab
import Foundation
import Testing

@testable import EntropyLabServe

/// The page in a real browser: `Tests/Playwright/serve_page.py` (Playwright
/// from PyPI driving Debian's Chromium) loads it from a server on an
/// ephemeral port, clicks Step and checks that the bars and the entropy
/// curve changed.
///
/// Needs `/usr/bin/chromium` and a Python with Playwright:
/// `$ENTROPYLAB_PLAYWRIGHT_PYTHON`, else `.venv-playwright/bin/python` in the
/// package (made by `Scripts/setup-playwright.sh`, which `.ci/run` runs).
/// Without them the test is skipped, and says so.
@Suite(.serialized) struct PageBrowserTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  static var python: String? {
    let candidates = [
      ProcessInfo.processInfo.environment["ENTROPYLAB_PLAYWRIGHT_PYTHON"], root + "/.venv-playwright/bin/python",
    ]
    return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  static var ready: Bool { python != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") }

  @Test(.enabled(if: ready, "needs /usr/bin/chromium and Playwright: run Scripts/setup-playwright.sh"))
  func stepChangesTheBarsAndTheCurve() async throws {
    let python = try #require(Self.python)
    let s = try await RunningServer.start()
    defer { Task { await s.stop() } }
    let url = s.server.url(port: s.port)
    let script = Self.root + "/Tests/Playwright/serve_page.py"
    let (status, output) = try await offPool { try Self.run(python, [script, url]) }
    #expect(status == 0, "\(output)")
    #expect(output.contains("ok: the page loaded"))
    // What the browser did went through the one session.
    let view = await s.hub.view()
    #expect(view.contains("\"steps\":2"))
  }

  /// Runs a program to its end; its status and its output and errors together.
  static func run(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
