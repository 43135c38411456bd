import Foundation
import Testing

@testable import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `save` and `--accept` write atomically: a failed or interrupted write
/// leaves the previous file exactly as it was, and no temporary file behind.
@Suite struct NotebookAtomicityTests {
  private struct Interrupted: Error {}

  @Test func anInterruptedWriteLeavesThePreviousFileIntact() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/notes.md"
      try NotebookFixture.write("the previous notebook\n", to: path)
      #expect {
        try AtomicFile.write("the new notebook, never seen\n", to: path, beforeRename: { throw Interrupted() })
      } throws: { error in
        (error as? FileError)?.kind == .unwritable
      }
      #expect(try NotebookFixture.read(path) == "the previous notebook\n")
      #expect(NotebookFixture.contents(folder) == ["notes.md"])
    }
  }

  @Test func savingOntoAFolderFailsAndChangesNothing() throws {
    try NotebookFixture.withScratchFolder { folder in
      let previous = folder + "/notes.md"
      try NotebookFixture.write("the previous notebook\n", to: previous)
      try FileManager.default.createDirectory(atPath: folder + "/dir.md", withIntermediateDirectories: false)
      let session = NotebookFixture.session(["policy arms 3"])
      let cell = try #require(session.execute("save \(folder)/dir.md"))
      #expect(cell.error?.message == "save: '\(folder)/dir.md' is a folder, not a file")
      #expect(try NotebookFixture.read(previous) == "the previous notebook\n")
      #expect(NotebookFixture.contents(folder) == ["dir.md", "notes.md"])
      #expect(NotebookFixture.contents(folder + "/dir.md").isEmpty)
    }
  }

  @Test func savingIntoAMissingFolderFailsAndCreatesNothing() throws {
    try NotebookFixture.withScratchFolder { folder in
      let session = NotebookFixture.session(["policy arms 3"])
      let cell = try #require(session.execute("save \(folder)/absent/notes.md"))
      #expect(cell.error?.message.contains("cannot create a file in") == true)
      #expect(NotebookFixture.contents(folder).isEmpty)
    }
  }

  /// A folder no one may write into, root included (procfs refuses new
  /// files): the same failure as a read-only folder, testable as root.
  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self"), "needs procfs"))
  func savingIntoAFolderNoOneCanWriteFailsAndCreatesNothing() throws {
    let cell = try #require(NotebookFixture.session(["policy arms 3"]).execute("save /proc/entropy-lab-notes.md"))
    #expect(cell.error != nil)
    #expect(!FileManager.default.fileExists(atPath: "/proc/entropy-lab-notes.md"))
  }

  /// Root ignores folder permissions, so the save runs with file access
  /// checked as an unprivileged user (`UnprivilegedAccess`).
  @Test func savingIntoAReadOnlyFolderFailsAndKeepsThePreviousFile() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/notes.md"
      try NotebookFixture.write("the previous notebook\n", to: path)
      chmod(folder, 0o555)
      defer { chmod(folder, 0o755) }
      let session = NotebookFixture.session(["policy arms 3"])
      let cell = try #require(try UnprivilegedAccess.run { session.execute("save \(path)") })
      #expect(cell.error?.message.lowercased().contains("permission denied") == true, "\(cell.error?.message ?? "")")
      #expect(cell.error != nil)
      #expect(try NotebookFixture.read(path) == "the previous notebook\n")
      #expect(NotebookFixture.contents(folder) == ["notes.md"])
    }
  }

  @Test func aSuccessfulSaveReplacesTheWholeFileAndKeepsItsPermissions() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/notes.md"
      try NotebookFixture.write(String(repeating: "a much longer previous notebook\n", count: 500), to: path)
      chmod(path, 0o600)
      let cell = try #require(NotebookFixture.session(["policy arms 3"]).execute("save \(path)"))
      #expect(cell.output == "save: 1 cell written to \(path) (seed 0)\nnote: replaced the file that was at \(path)")
      let text = try NotebookFixture.read(path)
      #expect(text.hasPrefix("---\n") && text.hasSuffix("```\n") && !text.contains("previous"))
      var info = stat()
      #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
      #expect(NotebookFixture.contents(folder) == ["notes.md"])
    }
  }

  @Test func savingThroughASymbolicLinkReplacesItsTargetAndKeepsTheLink() throws {
    try NotebookFixture.withScratchFolder { folder in
      try NotebookFixture.write("old\n", to: folder + "/target.md")
      try FileManager.default.createSymbolicLink(atPath: folder + "/link.md", withDestinationPath: "target.md")
      try AtomicFile.write("new\n", to: folder + "/link.md")
      #expect(try NotebookFixture.read(folder + "/target.md") == "new\n")
      #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/link.md") == "target.md")
    }
  }
}
