import Foundation
import Testing

@testable import EntropyLab

/// Issue 7: a notebook of unknown origin replays without any effect outside
/// what the user allowed.
@Suite struct SafeReplayTests {
  /// A folder with `allowed/` (where the notebook lives), `outside/decoy.txt`,
  /// and `allowed/link` → `../outside`.
  private struct Layout {
    let root: String
    var allowed: String { root + "/allowed" }
    var outside: String { root + "/outside" }
    var decoy: String { outside + "/decoy.txt" }
    var notebook: String { allowed + "/hostile.md" }

    init(_ root: String) throws {
      self.root = root
      try FileManager.default.createDirectory(atPath: root + "/allowed", withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: root + "/outside", withIntermediateDirectories: true)
      try NotebookFixture.write("do not touch\n", to: root + "/outside/decoy.txt")
      try FileManager.default.createSymbolicLink(atPath: root + "/allowed/link", withDestinationPath: "../outside")
    }

    /// The hostile cells, in order, each with what it tries.
    var attacks: [String] {
      [
        "save \(decoy)",  // overwrite a file outside its folder
        "export csv \(outside)/exported.csv",  // export to an absolute path
        "load /etc/passwd",  // read a private file into its output
        "save \(allowed)/../../\(URL(fileURLWithPath: root).lastPathComponent)/outside/decoy.txt",  // ../.. traversal
        "save \(allowed)/link/decoy.txt",  // a symbolic link out of the folder
        "replay \(notebook)",  // itself, recursively
        "policy arms 1000000000000 states 1000000000",  // an absurd size
        "step 100000000",  // an absurd step count
      ]
    }

    /// A notebook whose benign cells were recorded by a real session, with
    /// the attacks in between (recorded as if they had succeeded).
    func writeHostileNotebook() throws -> (text: String, attackLines: [Int]) {
      let benign = NotebookFixture.session(["policy logits 2 1 0 -1", "rewards 1 0 0.5 0.2", "step 2", "status"])
      let outputs = benign.cells.map { Renderer.render($0.reports, error: $0.error, style: .notebook) }
      var lines = [
        "---", "entropy-lab: \(LabVersion.current)", "seed: 0", "---", "", "A friendly lesson.", "", "```lab",
      ]
      var attackLines: [Int] = []
      for (index, cell) in benign.cells.enumerated() {
        lines.append("> " + cell.input)
        lines.append(contentsOf: outputs[index].split(separator: "\n").map(String.init))
        if index == 2 {
          for attack in attacks {
            lines.append("> " + attack)
            attackLines.append(lines.count)
            lines.append("done")
          }
        }
      }
      lines.append("```")
      let text = lines.joined(separator: "\n") + "\n"
      try NotebookFixture.write(text, to: notebook)
      return (text, attackLines)
    }
  }

  @Test func aHostileNotebookIsRefusedInSafeModeAndItsBenignCellsStillCheck() throws {
    try NotebookFixture.withScratchFolder { root in
      let layout = try Layout(root)
      let (_, attackLines) = try layout.writeHostileNotebook()
      let decoySum = NotebookFixture.checksum(layout.decoy)

      let result = FileReplay.run(layout.notebook, options: ReplayOptions(mode: .check))
      let outcome = try #require(result.outcome)
      #expect(result.status == .failed)
      // Every attack is refused or fails; only their cells mismatch.
      for line in attackLines {
        let cell = try #require(outcome.cells.first { $0.cell.line == line })
        #expect(cell.result?.error != nil, "line \(line): \(cell.output)")
      }
      #expect(Set(outcome.mismatches.map(\.line)).isSubset(of: Set(attackLines.map { $0 + 1 })))
      #expect(outcome.cells.filter { !attackLines.contains($0.cell.line) }.allSatisfy { $0.mismatches.isEmpty })
      // The file commands are refused by name, listed with their lines.
      // (`export` is refused once the export command exists; before, it is
      // an unknown command. Either way it writes nothing.)
      let hasExport = (try? CommandTable.standard.resolve("export"))?.name == "export"
      let fileAttacks = hasExport ? [0, 1, 2, 3, 4, 5] : [0, 2, 3, 4, 5]
      let refused = outcome.refusals
      #expect(
        refused.map(\.command) == (hasExport ? ["save", "export"] : ["save"]) + ["load", "save", "save", "replay"])
      #expect(refused.map(\.location) == fileAttacks.map { "\(layout.notebook):\(attackLines[$0])" })
      #expect(refused.allSatisfy { $0.reason.contains("--allow-writes DIR") && $0.reason.contains("--trust") })
      #expect(result.output.contains("refused \(fileAttacks.count) file commands (safe mode):"))
      // The guards of the shell refuse the absurd size and step count.
      #expect(outcome.cells.first { $0.cell.line == attackLines[6] }?.output.contains("of memory, more than") == true)
      #expect(outcome.cells.first { $0.cell.line == attackLines[7] }?.output.contains("is out of range") == true)
      // Nothing outside changed; nothing was created anywhere.
      #expect(NotebookFixture.checksum(layout.decoy) == decoySum)
      #expect(NotebookFixture.contents(layout.outside) == ["decoy.txt"])
      #expect(NotebookFixture.contents(layout.allowed) == ["hostile.md", "link"])

      // Accepting records the refusals; the notebook then checks clean.
      #expect(FileReplay.run(layout.notebook, options: ReplayOptions(mode: .accept)).status == .failed)
      let again = FileReplay.run(layout.notebook, options: ReplayOptions(mode: .check))
      #expect(again.status == .passed, "\(again.output)")
      #expect(NotebookFixture.checksum(layout.decoy) == decoySum)
    }
  }

  @Test func allowWritesKeepsEveryWriteAndReadInsideTheFolder() throws {
    try NotebookFixture.withScratchFolder { root in
      let layout = try Layout(root)
      _ = try layout.writeHostileNotebook()
      let decoySum = NotebookFixture.checksum(layout.decoy)
      let session = Session(isInterrupted: { false })
      session.execute("policy arms 3")
      let cell = try #require(session.execute("replay \(layout.notebook) --allow-writes \(layout.allowed)"))
      let text = cell.output
      #expect(text.contains("safe mode: files allowed only inside \(layout.allowed)"))
      #expect(text.contains("save: '\(layout.decoy)' refused: is outside the folder this replay may use"))
      #expect(
        text.contains("load: '/etc/passwd' refused: is outside")
          || text.contains("replay: '/etc/passwd' refused: is outside"))
      #expect(text.contains("/../../") && text.contains("refused: resolves to \(layout.decoy), outside"))
      #expect(text.contains("link/decoy.txt' refused: resolves to \(layout.decoy), outside"))
      #expect(text.contains("refused: this notebook is already being replayed (hostile.md → hostile.md)"))
      #expect(!text.contains("root:x:0:0"))
      // A file command that does not check its own paths is refused outright.
      if (try? CommandTable.standard.resolve("export"))?.name == "export"
        && !FileAccessPolicy.pathCheckingCommands.contains("export")
      {
        #expect(text.contains("export: refused: this command does not check its paths against --allow-writes yet"))
      }
      #expect(!FileManager.default.fileExists(atPath: layout.outside + "/exported.csv"))
      #expect(NotebookFixture.checksum(layout.decoy) == decoySum)
      #expect(NotebookFixture.contents(layout.outside) == ["decoy.txt"])
      // The session is trusted again afterwards, and nothing stays open.
      #expect(session.fileAccess.mode == .trusted)
      #expect(session.fileAccess.openNotebooks.isEmpty)
    }
  }

  @Test func allowWritesLetsANotebookWriteInsideTheFolder() throws {
    try NotebookFixture.withScratchFolder { root in
      let layout = try Layout(root)
      let path = layout.allowed + "/writer.md"
      try NotebookFixture.write(
        "```lab\n> policy arms 3\n> save \(layout.allowed)/sub/../copy.md\n> save \(layout.allowed)/link/../allowed/copy2.md\n```\n",
        to: path)
      let access = try FileAccessPolicy.requestedMode(trust: false, allowWrites: layout.allowed, command: "replay")
      let result = FileReplay.run(path, options: ReplayOptions(mode: .run, access: access))
      let outcome = try #require(result.outcome)
      // 'sub' does not exist, so its '..' cannot be resolved: an error, not a write.
      #expect(outcome.cells[1].output.contains("its folder does not exist"))
      // link/../allowed resolves inside the folder: allowed.
      #expect(outcome.cells[2].result?.error == nil, "\(outcome.cells[2].output)")
      #expect(FileManager.default.fileExists(atPath: layout.allowed + "/copy2.md"))
    }
  }

  @Test func anAllowedFolderMustExist() {
    #expect(throws: LabError.self) {
      try FileAccessPolicy.requestedMode(trust: false, allowWrites: "/no/such/folder", command: "replay")
    }
  }

  @Test func nestedReplaysNeverGetMoreThanTheirParent() throws {
    try NotebookFixture.withScratchFolder { root in
      let layout = try Layout(root)
      let inner = layout.allowed + "/inner.md"
      try NotebookFixture.write("```lab\n> save \(layout.decoy)\n> save \(layout.allowed)/ok.md\n```\n", to: inner)
      let outer = layout.allowed + "/outer.md"
      try NotebookFixture.write("```lab\n> replay \(inner) --trust\n```\n", to: outer)
      let access = try FileAccessPolicy.requestedMode(trust: false, allowWrites: layout.allowed, command: "replay")
      let decoySum = NotebookFixture.checksum(layout.decoy)
      let result = FileReplay.run(outer, options: ReplayOptions(mode: .run, access: access))
      let outcome = try #require(result.outcome)
      #expect(outcome.refusals.count == 1)
      #expect(outcome.refusals.first?.location == "\(inner):2")
      #expect(outcome.cells[0].output.contains("refused: is outside the folder"))
      #expect(NotebookFixture.checksum(layout.decoy) == decoySum)
      #expect(FileManager.default.fileExists(atPath: layout.allowed + "/ok.md"))
    }
  }

  @Test func cyclesAreRefusedEvenWhenTrusted() throws {
    try NotebookFixture.withScratchFolder { folder in
      try NotebookFixture.write("```lab\n> policy arms 2\n> replay \(folder)/b.md\n```\n", to: folder + "/a.md")
      try NotebookFixture.write("```lab\n> policy arms 3\n> replay \(folder)/a.md\n```\n", to: folder + "/b.md")
      let result = FileReplay.run(folder + "/a.md", options: ReplayOptions(mode: .run, access: .trusted))
      let outcome = try #require(result.outcome)
      #expect(outcome.refusals.count == 1)
      #expect(
        outcome.refusals.first?.reason.contains("already being replayed (a.md → b.md → a.md)") == true,
        "\(outcome.refusals)")
      #expect(outcome.cells[1].output.contains("policy: 1 state × 3 arms"))
    }
  }

  @Test func nestingIsBoundedInDepth() throws {
    try NotebookFixture.withScratchFolder { folder in
      let count = FileAccessPolicy.maxDepth + 3
      for i in 0..<count {
        try NotebookFixture.write(
          "```lab\n> policy arms \(i + 1)\n> replay \(folder)/n\(i + 1).md\n```\n", to: folder + "/n\(i).md")
      }
      let result = FileReplay.run(folder + "/n0.md", options: ReplayOptions(mode: .run, access: .trusted))
      let outcome = try #require(result.outcome)
      #expect(outcome.refusals.count == 1)
      #expect(outcome.refusals.first?.reason.contains("nested more than \(FileAccessPolicy.maxDepth) deep") == true)
      #expect(outcome.refusals.first?.location == "\(folder)/n\(FileAccessPolicy.maxDepth - 1).md:3")
    }
  }

  @Test func aNotebookQuittingEndsTheReplayNotTheShell() throws {
    try NotebookFixture.withScratchFolder { folder in
      try NotebookFixture.write("```lab\n> policy arms 2\n> quit\n> policy arms 5\n```\n", to: folder + "/q.md")
      let session = NotebookFixture.session(["policy arms 3"])
      let cell = try #require(session.execute("load \(folder)/q.md"))
      #expect(!cell.quit)
      #expect(!session.quitRequested)
      #expect(cell.output.contains("the notebook quit at \(folder)/q.md:3; 1 cell not run"))
      #expect(session.state.policy.arms == 2)
    }
  }

  @Test func modesOnlyEverNarrow() {
    let a = "/data/course"
    let policy = FileAccessPolicy(mode: .safe(writableFolder: a))
    #expect(policy.restricting(.trusted) == .safe(writableFolder: a))
    #expect(policy.restricting(.safe(writableFolder: a + "/week1")) == .safe(writableFolder: a + "/week1"))
    #expect(policy.restricting(.safe(writableFolder: "/data")) == .safe(writableFolder: a))
    #expect(policy.restricting(.safe(writableFolder: "/home")) == .safe(writableFolder: nil))
    #expect(policy.restricting(.safe(writableFolder: nil)) == .safe(writableFolder: nil))
    #expect(FileAccessPolicy.trusted.restricting(.safe(writableFolder: a)) == .safe(writableFolder: a))
    #expect(FileAccessPolicy(mode: .safe(writableFolder: nil)).restricting(.trusted) == .safe(writableFolder: nil))
  }

  /// `--allow-writes /x/out` admits `/x/out/f` and nothing in the sibling
  /// `/x/out2` (a prefix test without the separator would).
  @Test func theAllowedFolderIsMatchedByWholePathComponents() throws {
    try NotebookFixture.withScratchFolder { root in
      let (out, sibling) = (root + "/out", root + "/out2")
      for folder in [out, sibling] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      }
      let session = NotebookFixture.session(["policy arms 3"])
      session.fileAccess = FileAccessPolicy(mode: .safe(writableFolder: out))
      let refused = try #require(session.execute("save \(sibling)/f.md"))
      #expect(refused.error?.message.contains("outside the folder") == true, "\(refused.error?.message ?? "no error")")
      #expect(!FileManager.default.fileExists(atPath: sibling + "/f.md"))
      #expect(session.execute("save \(out)/f.md")?.error == nil)
      #expect(FileManager.default.fileExists(atPath: out + "/f.md"))
      // Nor the folder itself (a refusal, logged, not a write error) …
      let refusals = session.fileAccess.refusals.count
      let itself = try #require(session.execute("save \(out)"))
      #expect(itself.error?.message.contains("outside the folder") == true, "\(itself.error?.message ?? "no error")")
      #expect(session.fileAccess.refusals.count == refusals + 1)
      // … nor a symbolic link inside it whose target is outside.
      try NotebookFixture.write("do not touch\n", to: sibling + "/decoy.md")
      try FileManager.default.createSymbolicLink(atPath: out + "/link.md", withDestinationPath: sibling + "/decoy.md")
      let viaLink = try #require(session.execute("save \(out)/link.md"))
      #expect(viaLink.error?.message.contains("resolves to \(sibling)/decoy.md") == true, "\(viaLink.output)")
      #expect(try NotebookFixture.read(sibling + "/decoy.md") == "do not touch\n")
      // A nested replay may not widen /x/out to its sibling either.
      #expect(session.fileAccess.restricting(.safe(writableFolder: sibling)) == .safe(writableFolder: nil))
      #expect(
        session.fileAccess.restricting(.safe(writableFolder: out + "/sub")) == .safe(writableFolder: out + "/sub"))
    }
  }

  @Test func aSavedSessionNeedsNoTrustToCheck() throws {
    try NotebookFixture.withScratchFolder { folder in
      let session = NotebookFixture.session(["policy arms 3", "step"])
      session.execute("save \(folder)/first.md")
      session.execute("replay \(folder)/first.md")
      session.execute("save \(folder)/second.md")
      let result = FileReplay.run(folder + "/second.md", options: ReplayOptions(mode: .check))
      #expect(result.status == .passed, "\(result.output)")
      #expect(result.outcome?.refusals.isEmpty == true)
    }
  }
}
