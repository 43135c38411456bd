import Foundation
import Synchronization
import Testing

@testable import entropy_lab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Issue 11, finding 3: the history file was not flushed to disk before the
/// rename (the README said it was). `HistoryFile.save` runs for real here,
/// on a real folder; its write, fsync and rename calls go through recording
/// wrappers that call the system's, so the test sees their order: every
/// byte written to the temporary file, then that file fsynced, then the
/// rename, then the folder fsynced.
@Suite struct HistoryFileFlushTests {
  /// One system call as `HistoryFile` made it.
  enum Call: Equatable, CustomStringConvertible {
    case write(descriptor: Int32, bytes: Int)
    case fsync(descriptor: Int32)
    case rename(folder: Int32, from: String, to: String)

    var description: String {
      switch self {
      case .write(let d, let n): "write(\(d), \(n) bytes)"
      case .fsync(let d): "fsync(\(d))"
      case .rename(let f, let from, let to): "renameat(\(f), \(from), \(to))"
      }
    }
  }

  /// The calls, in order (the closures are @Sendable, so behind a lock).
  final class Recorder: Sendable {
    let calls = Mutex<[Call]>([])

    /// The system's calls, each recorded after it returns successfully.
    var operations: FileOperations {
      let system = FileOperations.system
      return FileOperations(
        write: { descriptor, bytes, count in
          let n = system.write(descriptor, bytes, count)
          if n > 0 { self.calls.withLock { $0.append(.write(descriptor: descriptor, bytes: n)) } }
          return n
        },
        fsync: { descriptor in
          let result = system.fsync(descriptor)
          if result == 0 { self.calls.withLock { $0.append(.fsync(descriptor: descriptor)) } }
          return result
        },
        rename: { fromFolder, fromName, toFolder, toName in
          let result = system.rename(fromFolder, fromName, toFolder, toName)
          if result == 0 {
            self.calls.withLock { $0.append(.rename(folder: fromFolder, from: fromName, to: toName)) }
          }
          return result
        })
    }
  }

  @Test func theNewHistoryIsFlushedBeforeTheRenameAndTheFolderAfterIt() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let path = try home.write("history", "policy arms 7\n")
    let recorder = Recorder()
    var file = HistoryFile(path: path, limit: 1000)
    file.operations = recorder.operations
    try file.save(appending: ["policy arms 2", "step 3"])

    let expected = "policy arms 7\npolicy arms 2\nstep 3\n"
    #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)
    let calls = recorder.calls.withLock { $0 }
    // write… (the whole text, to one descriptor), fsync(that descriptor),
    // renameat(folder, temporary, "history"), fsync(folder).
    let writes = calls.prefix { if case .write = $0 { true } else { false } }
    let descriptors = Set(writes.map { call -> Int32 in if case .write(let d, _) = call { d } else { -1 } })
    #expect(descriptors.count == 1, "\(calls)")
    let written = writes.reduce(0) { total, call in if case .write(_, let n) = call { total + n } else { total } }
    #expect(written == expected.utf8.count, "\(calls)")
    let rest = Array(calls.dropFirst(writes.count))
    guard let temporary = descriptors.first, rest.count == 3,
      case .rename(let folder, let from, let to) = rest[1]
    else {
      Issue.record("expected write…, fsync, renameat, fsync; got \(calls)")
      return
    }
    #expect(rest[0] == .fsync(descriptor: temporary), "the new file is flushed before the rename: \(calls)")
    #expect(from.hasPrefix(".history-") && from.hasSuffix(".tmp") && to == "history", "\(calls)")
    #expect(folder != temporary && rest[2] == .fsync(descriptor: folder), "the folder is flushed after: \(calls)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: home.path) == ["history"])
  }

  /// A failing flush is a failed save: the old history stays, with no
  /// temporary file left behind, and the error names the step.
  @Test func aFailedFlushKeepsTheOldHistory() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let path = try home.write("history", "policy arms 7\n")
    var file = HistoryFile(path: path, limit: 1000)
    let system = FileOperations.system
    file.operations = FileOperations(
      write: system.write,
      fsync: { _ in
        errno = EIO
        return -1
      },
      rename: system.rename)
    #expect(throws: HistoryError.self) { try file.save(appending: ["policy arms 2"]) }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "policy arms 7\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: home.path) == ["history"])
  }
}
