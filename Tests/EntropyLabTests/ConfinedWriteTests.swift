import Foundation
import Testing

@testable import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Issue 11, findings 1, 2 and 8: writes replace only regular files, a
/// path swapped for a symbolic link while saves run never leads outside
/// `--allow-writes DIR`, `--accept` keeps an edit made meanwhile, and a
/// hard link to an open notebook is a cycle.
@Suite struct ConfinedWriteTests {
  /// `allowed/`, `outside/victim.md` (the decoy) and `staging/` (where the
  /// swapping thread builds its links, so they never count as strays).
  private struct RaceLayout {
    let root: String
    var allowed: String { root + "/allowed" }
    var outside: String { root + "/outside" }
    var staging: String { root + "/staging" }
    var victim: String { outside + "/victim.md" }

    init(_ root: String) throws {
      self.root = root
      for folder in ["/allowed", "/outside", "/staging"] {
        try FileManager.default.createDirectory(atPath: root + folder, withIntermediateDirectories: true)
      }
      try NotebookFixture.write("precious: must never change\n", to: root + "/outside/victim.md")
    }
  }

  /// Runs `swap` over and over on another thread while `save` runs on this
  /// one, both for `seconds`; returns how many saves succeeded and failed.
  private static func race(
    seconds: Double, swap: @escaping @Sendable () -> Void, save: () -> Bool
  ) -> (succeeded: Int, failed: Int) {
    let stop = Stop()
    let thread = Thread {
      while !stop.isSet { swap() }
    }
    thread.start()
    let deadline = Date().addingTimeInterval(seconds)
    var counts = (succeeded: 0, failed: 0)
    while Date() < deadline {
      if save() { counts.succeeded += 1 } else { counts.failed += 1 }
    }
    stop.set()
    while !thread.isFinished { usleep(1000) }
    return counts
  }

  /// A flag the swapping thread polls.
  private final class Stop: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
  }

  /// The confined path of `save`/`export` in safe mode: the policy's check,
  /// then the write, exactly as the commands do them.
  private static func confinedSave(_ path: String, folder: String) -> Bool {
    var policy = FileAccessPolicy(mode: .safe(writableFolder: folder))
    do {
      let location = try policy.authorizeWrite(path, command: "save")
      try AtomicFile.write("a notebook\n", to: location)
      return true
    } catch {
      return false
    }
  }

  /// Finding 2: `allowed/race.md` swapped between a regular file and a
  /// symbolic link to `../outside/victim.md` for 1.5 s while saves run.
  /// (On the old code, which resolved the path once to check it and again to
  /// write it, the victim was overwritten within 1.65 s.)
  @Test func aTargetSwappedForASymbolicLinkNeverLeadsOutside() throws {
    try NotebookFixture.withScratchFolder { root in
      let layout = try RaceLayout(root)
      let before = NotebookFixture.checksum(layout.victim)
      let (target, link, file) = (layout.allowed + "/race.md", layout.staging + "/link", layout.staging + "/file")
      let counts = Self.race(
        seconds: 1.5,
        swap: {
          symlink("../outside/victim.md", link)
          rename(link, target)
          let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
          if fd >= 0 { close(fd) }
          rename(file, target)
        },
        save: { Self.confinedSave(target, folder: layout.allowed) })
      #expect(counts.succeeded + counts.failed > 10, "the race ran: \(counts)")
      #expect(NotebookFixture.checksum(layout.victim) == before)
      #expect(NotebookFixture.contents(layout.outside) == ["victim.md"])
      #expect(NotebookFixture.contents(layout.allowed) == ["race.md"], "no temporary file left inside")
    }
  }

  /// Finding 2: the folder `allowed/sub` swapped for a symbolic link to
  /// `../outside` while saves into it run: nothing is created outside, and
  /// no temporary file is left anywhere.
  @Test func aFolderSwappedForASymbolicLinkNeverLeadsOutside() throws {
    try NotebookFixture.withScratchFolder { root in
      let layout = try RaceLayout(root)
      let before = NotebookFixture.checksum(layout.victim)
      let sub = layout.allowed + "/sub"
      let parked = layout.staging + "/sub"
      try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
      let counts = Self.race(
        seconds: 1.5,
        swap: {
          guard rename(sub, parked) == 0 else { return }
          symlink("../outside", sub)
          usleep(50)
          unlink(sub)
          rename(parked, sub)
        },
        save: { Self.confinedSave(sub + "/race.md", folder: layout.allowed) })
      #expect(counts.succeeded + counts.failed > 10, "the race ran: \(counts)")
      #expect(NotebookFixture.checksum(layout.victim) == before)
      #expect(NotebookFixture.contents(layout.outside) == ["victim.md"], "nothing created outside")
      #expect(NotebookFixture.contents(layout.allowed) == ["sub"])
      #expect(Set(NotebookFixture.contents(sub)).isSubset(of: ["race.md"]), "no temporary file left inside")
    }
  }

  /// After the check a folder on the way is a symbolic link: the write is
  /// refused by name (deterministic form of the race above).
  @Test func aConfinedWriteRefusesASymbolicLinkOnTheWay() throws {
    try NotebookFixture.withScratchFolder { root in
      let layout = try RaceLayout(root)
      try FileManager.default.createDirectory(atPath: layout.allowed + "/sub", withIntermediateDirectories: false)
      var policy = FileAccessPolicy(mode: .safe(writableFolder: layout.allowed))
      let location = try policy.authorizeWrite(layout.allowed + "/sub/race.md", command: "save")
      #expect(location.confined)
      try FileManager.default.removeItem(atPath: layout.allowed + "/sub")
      try FileManager.default.createSymbolicLink(atPath: layout.allowed + "/sub", withDestinationPath: "../outside")
      #expect {
        try AtomicFile.write("x\n", to: location, displayPath: "sub/race.md")
      } throws: { error in
        (error as? FileError)?.problem.contains("/allowed/sub is a symbolic link") == true
      }
      #expect(NotebookFixture.contents(layout.outside) == ["victim.md"])
    }
  }

  /// Finding 1: a FIFO and a socket are refused by kind and stay what they
  /// were (the old code replaced them with regular files).
  @Test func aFIFOAndASocketAreRefusedAndLeftAsTheyWere() throws {
    try NotebookFixture.withScratchFolder { folder in
      let fifo = folder + "/pipe.md"
      #expect(mkfifo(fifo, 0o644) == 0)
      let socketPath = folder + "/socket.md"
      let socketDescriptor = try Self.bindSocket(at: socketPath)
      defer { close(socketDescriptor) }
      let session = NotebookFixture.session(["policy arms 3", "step"])
      for (path, kind, type) in [(fifo, "a FIFO (named pipe)", S_IFIFO), (socketPath, "a socket", S_IFSOCK)] {
        for line in ["save \(path)", "export csv \(path)"] {
          let cell = try #require(session.execute(line))
          #expect(
            cell.error?.message.contains(
              "'\(path)' is \(kind), not a regular file; EntropyLab replaces only regular files")
              == true, "\(cell.output)")
        }
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == type)
      }
      #expect(NotebookFixture.contents(folder) == ["pipe.md", "socket.md"], "no temporary file left")
    }
  }

  /// Finding 1: a character device is refused and is still that device
  /// afterwards. The device is a copy of /dev/null's node (`mknod`, char
  /// 1:3, encoded as (1 << 8) | 3) made in a scratch folder, never the real /dev/null: should the
  /// check ever break, only the scratch node is replaced. (Running a mutant
  /// that dropped the check against a test that used the real /dev/null
  /// replaced it once; it had to be re-made with mknod.) Needs root.
  @Test(.enabled(if: geteuid() == 0, "needs root to make a device node"))
  func aDeviceIsRefusedAndStaysADevice() throws {
    try NotebookFixture.withScratchFolder { folder in
      let device = folder + "/null"
      try #require(
        mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0, "mknod: \(String(cString: strerror(errno)))")
      var before = stat()
      try #require(lstat(device, &before) == 0 && before.st_mode & S_IFMT == S_IFCHR)
      let session = NotebookFixture.session(["policy arms 3", "step"])
      for line in ["export csv \(device)", "save \(device)"] {
        let cell = try #require(session.execute(line))
        #expect(cell.error?.message.contains("is a character device, not a regular file") == true, "\(cell.output)")
      }
      var after = stat()
      #expect(lstat(device, &after) == 0 && after.st_mode & S_IFMT == S_IFCHR && after.st_rdev == before.st_rdev)
      #expect(NotebookFixture.contents(folder) == ["null"], "no temporary file left")
    }
  }

  /// Finding 1: a dangling symbolic link (like `/dev/stdout` on a pipe,
  /// whose target cannot be resolved) is refused, not replaced.
  @Test func aLinkThatCannotBeResolvedIsRefusedNotReplaced() throws {
    try NotebookFixture.withScratchFolder { folder in
      try FileManager.default.createSymbolicLink(atPath: folder + "/out.csv", withDestinationPath: "pipe:[12345]")
      let session = NotebookFixture.session(["policy arms 3", "step"])
      let cell = try #require(session.execute("export csv \(folder)/out.csv"))
      #expect(cell.error?.message.contains("is a symbolic link") == true, "\(cell.output)")
      #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/out.csv") == "pipe:[12345]")
    }
  }

  /// Finding 8: an edit made to the notebook while `--accept` replays it
  /// (here by a trusted cell that saves over it) is kept, and the refusal
  /// names FILE:LINE. The old code overwrote it.
  @Test func acceptKeepsAnEditMadeWhileItReplayed() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/edited.md"
      try NotebookFixture.write("```lab\n> policy arms 3\nstale output\n> save \(path)\nstale\n```\n", to: path)
      let result = FileReplay.run(path, options: ReplayOptions(mode: .accept, access: .trusted))
      #expect(result.status == .failed)
      #expect(result.diagnostics.contains("\(path):1: was edited while it was replayed"), "\(result.diagnostics)")
      #expect(result.output.contains("not written"))
      let now = try NotebookFixture.read(path)
      #expect(now.hasPrefix("---\n") && !now.contains("stale"), "the edit (the cell's save) is kept")
      #expect(NotebookFixture.contents(folder) == ["edited.md"])
    }
  }

  /// Finding 8: `b.md`, a hard link to `a.md`, is the same notebook: the
  /// cycle is refused at a.md's own replay cell, not one level deeper.
  @Test func aHardLinkToAnOpenNotebookIsACycle() throws {
    try NotebookFixture.withScratchFolder { folder in
      try NotebookFixture.write("```lab\n> policy arms 2\n> replay \(folder)/b.md\n```\n", to: folder + "/a.md")
      #expect(link(folder + "/a.md", folder + "/b.md") == 0)
      let result = FileReplay.run(folder + "/a.md", options: ReplayOptions(mode: .run, access: .trusted))
      let outcome = try #require(result.outcome)
      #expect(outcome.refusals.count == 1)
      #expect(outcome.refusals.first?.location == "\(folder)/a.md:3", "\(outcome.refusals)")
      #expect(outcome.refusals.first?.reason.contains("already being replayed (a.md → b.md)") == true)
    }
  }

  /// Finding 6: a file with no cells is not a notebook (65), in `replay`
  /// from the command line and in the shell.
  @Test func aFileWithNoCellsIsNotANotebook() throws {
    try NotebookFixture.withScratchFolder { folder in
      let path = folder + "/LICENSE"
      try NotebookFixture.write("MIT License\n\nPermission is hereby granted…\n", to: path)
      for mode in [ReplayOptions.Mode.check, .run, .accept] {
        let result = FileReplay.run(path, options: ReplayOptions(mode: mode))
        #expect(result.status == .malformed)
        #expect(result.diagnostics.contains("\(path): has no cells: not a notebook"), "\(result.diagnostics)")
      }
      #expect(try NotebookFixture.read(path) == "MIT License\n\nPermission is hereby granted…\n")
      let cell = try #require(NotebookFixture.session([]).execute("replay \(path)"))
      #expect(cell.error?.message.contains("has no cells") == true)
    }
  }

  /// Finding 6: a `replay` cell whose notebook failed is a failed cell (so
  /// a script's exit status and `--bail` see it), and keeps what it ran.
  @Test func aReplayWhoseNotebookFailedIsAFailedCell() throws {
    try NotebookFixture.withScratchFolder { folder in
      try NotebookFixture.write("```lab\n> policy arms 5\n> bogus\n```\n", to: folder + "/bad.md")
      try NotebookFixture.write("```lab\n> policy arms 4\n```\n", to: folder + "/good.md")
      let session = NotebookFixture.session([])
      let bad = try #require(session.execute("replay \(folder)/bad.md"))
      #expect(bad.failed && bad.error == nil)
      #expect(session.state.policy.arms == 5, "its cells' effects stay")
      let good = try #require(session.execute("replay \(folder)/good.md"))
      #expect(!good.failed)
      let refused = try #require(session.execute("replay \(folder)/good.md --allow-writes /no/such/folder"))
      #expect(refused.failed && refused.error != nil)
    }
  }

  /// A UNIX socket bound at `path` (left open; the caller closes it).
  private static func bindSocket(at path: String) throws -> Int32 {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    try #require(descriptor >= 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    try #require(bytes.count < MemoryLayout.size(ofValue: address.sun_path))
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (i, byte) in bytes.enumerated() { buffer[i] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    try #require(bound == 0)
    return descriptor
  }
}
