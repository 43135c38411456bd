import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Issue 11, finding 3: the history file is never written through a
/// planted symbolic link, another user's file is left as it is, and a file
/// that is not UTF-8 text is not rewritten; each gives one warning.
@Suite struct HistoryFileSafetyTests {
  typealias Keys = PseudoTerminal

  /// Types `policy arms 2` at a shell whose history is `history`, runs
  /// `beforeQuit` (with the shell's pid), quits; returns the screen.
  private static func session(
    _ home: TemporaryFolder, history: String, beforeQuit: (Int32) throws -> Void = { _ in }
  ) throws -> String {
    let shell = try InteractiveShellTests.start(in: home, environment: ["ENTROPY_LAB_HISTORY": history])
    try shell.expect("[1]> ")
    shell.type("policy arms 2" + Keys.enter)
    try shell.expect("[2]> ")
    try beforeQuit(shell.pid)
    shell.type(Keys.ctrlD)
    #expect(try shell.waitForExit() == 0)
    return shell.screen
  }

  /// The old code opened `.history-PID.tmp` with O_CREAT|O_TRUNC and wrote
  /// through a link planted there; now the temporary file is new (O_EXCL).
  @Test func aSymbolicLinkPlantedAsTheTemporaryFileIsNotFollowed() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let decoy = try home.write("decoy", "precious\n")
    let history = home.path + "/history"
    _ = try Self.session(home, history: history) { pid in
      try FileManager.default.createSymbolicLink(atPath: home.path + "/.history-\(pid).tmp", withDestinationPath: decoy)
    }
    #expect(try String(contentsOfFile: decoy, encoding: .utf8) == "precious\n")
    #expect(try String(contentsOfFile: history, encoding: .utf8) == "policy arms 2\n")
    var info = stat()
    #expect(stat(history, &info) == 0 && info.st_mode & 0o777 == 0o600)
  }

  @Test func aHistoryFileThatIsASymbolicLinkIsLeftAlone() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let target = try home.write("elsewhere", "policy arms 9\n")
    let history = home.path + "/history"
    try FileManager.default.createSymbolicLink(atPath: history, withDestinationPath: target)
    let screen = try Self.session(home, history: history)
    #expect(screen.components(separatedBy: "it is a symbolic link").count - 1 == 1, "\(screen)")
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "policy arms 9\n")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: history) == target)
  }

  @Test func aHistoryFileThatIsNotUTF8IsNotRewritten() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let history = home.path + "/history"
    let bytes = Data("policy arms 3\n".utf8) + Data([0xFF, 0xFE, 0x00, 0x41, 0x0A])
    try bytes.write(to: URL(fileURLWithPath: history))
    let screen = try Self.session(home, history: history)
    #expect(screen.components(separatedBy: "line 2 is not UTF-8 text").count - 1 == 1, "\(screen)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: history)) == bytes)
  }

  /// Invalid UTF-8 without a NUL byte: the test above is refused by its NUL
  /// alone, so it could not see a history that decoded bad bytes as U+FFFD
  /// and rewrote the file (the mutant `history-rewrites-non-utf8` survived).
  @Test func aHistoryLineOfInvalidUTF8WithoutNULIsNotRewritten() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let history = home.path + "/history"
    let bytes = Data("policy arms 3\n".utf8) + Data([0x73, 0x74, 0xFF, 0xFE, 0x70, 0x0A])
    try bytes.write(to: URL(fileURLWithPath: history))
    let screen = try Self.session(home, history: history)
    #expect(screen.components(separatedBy: "line 2 is not UTF-8 text").count - 1 == 1, "\(screen)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: history)) == bytes)
  }

  /// As root the old code replaced another user's history with a
  /// root-owned 0600 file; now it is left as it is (owner, mode, content).
  @Test(.enabled(if: geteuid() == 0, "needs root to give the file to another user"))
  func anotherUsersHistoryFileIsLeftAsItIs() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let history = try home.write("history", "policy arms 7\n")
    #expect(chown(history, 4242, 4242) == 0)
    #expect(chmod(history, 0o644) == 0)
    let screen = try Self.session(home, history: history)
    #expect(screen.components(separatedBy: "belongs to user 4242").count - 1 == 1, "\(screen)")
    var info = stat()
    #expect(stat(history, &info) == 0 && info.st_uid == 4242 && info.st_mode & 0o777 == 0o644)
    #expect(try String(contentsOfFile: history, encoding: .utf8) == "policy arms 7\n")
  }

  @Test func anExistingHistoryKeepsItsPermissions() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let history = try home.write("history", "policy arms 7\n")
    #expect(chmod(history, 0o640) == 0)
    _ = try Self.session(home, history: history)
    var info = stat()
    #expect(stat(history, &info) == 0 && info.st_mode & 0o777 == 0o640)
    #expect(try String(contentsOfFile: history, encoding: .utf8) == "policy arms 7\npolicy arms 2\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: home.path).sorted() == ["history", "inputrc"])
  }
}
