import Foundation
import Testing

/// The built `entropy-lab` executable, found next to the test bundle (the
/// ShellTests target depends on it, so `swift test` builds it first).
enum ShellBinary {
  /// A binary that is missing.
  struct Missing: Error, CustomStringConvertible {
    var path: String
    var description: String {
      "the entropy-lab executable is not at \(path): build it with 'swift build' "
        + "(ShellTests depends on the entropy-lab target, so 'swift test' normally builds it)"
    }
  }

  /// The path of the built executable.
  static func path() throws -> String {
    let path = folder() + "/entropy-lab"
    guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing(path: path) }
    return path
  }

  /// The build products folder: where the running test bundle lives.
  private static func folder() -> String {
    #if os(Linux)
      // The test bundle is itself the running executable.
      if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        return (exe as NSString).deletingLastPathComponent
      }
    #endif
    if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
      return bundle.bundleURL.deletingLastPathComponent().path
    }
    return Bundle.main.bundleURL.path
  }

  /// The environment the tests run the shell in: this process's, without
  /// anything that would change the shell's behaviour, plus `extra`.
  static func environment(_ extra: [String: String]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    for key in ["ENTROPY_LAB_HISTORY", "XDG_STATE_HOME", "NO_COLOR", "INPUTRC", "LC_ALL", "LC_CTYPE"] {
      environment[key] = nil
    }
    environment["LANG"] = "C.UTF-8"
    return environment.merging(extra) { _, new in new }
  }
}

/// A fresh temporary folder, removed by `remove()`.
struct TemporaryFolder {
  let path: String

  init() throws {
    let base = FileManager.default.temporaryDirectory.path + "/entropy-lab-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    path = base
  }

  /// Writes `text` to `name` inside the folder and returns its path.
  func write(_ name: String, _ text: String) throws -> String {
    let file = path + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    return file
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }
}
