import Foundation
import Testing

@testable import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Helpers for the notebook tests: scratch folders, files, sessions.
///
/// Every path is absolute: tests run in parallel, and the current folder is
/// shared by the whole process.
enum NotebookFixture {
  /// Runs `body` with a new empty folder (resolved, absolute), removed afterwards.
  static func withScratchFolder<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("entropylab-nb-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer {
      // Undo any read-only modes a test set, then remove everything.
      if let items = FileManager.default.enumerator(atPath: url.path) {
        for case let item as String in items { chmod(url.path + "/" + item, 0o755) }
      }
      chmod(url.path, 0o755)
      try? FileManager.default.removeItem(at: url)
    }
    let resolved = FileAccessPolicy.resolve(url.path) ?? url.path
    return try body(resolved)
  }

  /// Writes `text` to `path` (not atomically: the test's own set-up).
  static func write(_ text: String, to path: String) throws {
    try text.write(toFile: path, atomically: false, encoding: .utf8)
  }

  /// The text of the file at `path`.
  static func read(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
  }

  /// A 64-bit FNV-1a checksum of the file's bytes (nil if it cannot be read).
  static func checksum(_ path: String) -> UInt64? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return data.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
  }

  /// The names in `folder`, hidden ones included.
  static func contents(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  /// A session that has run `lines`.
  static func session(_ lines: [String], seed: UInt64 = 0) -> Session {
    let session = Session(seed: seed, isInterrupted: { false })
    for line in lines { session.execute(line) }
    return session
  }

  /// A session touching every kind of output: messages, tables, a plot, a
  /// record, sampled steps, warnings and an error.
  static let richSession = [
    "policy arms 4", "policy logits 2 1 0 -1", "rewards 1 0 0.5 0.2", "predict", "step 3", "show",
    "stpe", "update grpo", "group 4", "step 2", "run 20", "plot entropy", "fit", "status",
  ]

  /// The 1-based line of the first line of `text` containing `needle`.
  static func line(of needle: String, in text: String) -> Int? {
    text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) }.map { $0 + 1 }
  }

  /// `text` with the first occurrence of `old` replaced by `new`.
  static func replacing(_ old: String, with new: String, in text: String) -> String {
    guard let range = text.range(of: old) else {
      Issue.record("'\(old)' not found")
      return text
    }
    return text.replacingCharacters(in: range, with: new)
  }
}
