#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What file-touching commands may do, and what they were refused: held by
/// the `Session` (`session.fileAccess`) and consulted by every command that
/// reads or writes a file (`save`, `replay`/`load`, `export …`).
///
/// Rules:
/// - Lines the user types are **trusted**: any path, resolved against the
///   current folder.
/// - A replayed notebook's cells run in **safe mode** (the default of every
///   replay): commands that read or write files are refused with an error
///   cell that names the command and how to allow it.
/// - `--allow-writes DIR` lets the cells read and write inside DIR only.
///   A path is resolved with `realpath` of its folder (and of the file when
///   it is a symbolic link), so `..` and symbolic links that lead outside
///   DIR are refused. The check returns a confined `FileLocation`: the
///   command then reaches the resolved path again from `/` with
///   `O_NOFOLLOW` on every component and reads or writes relative to the
///   folder's descriptor, so a path swapped for a symbolic link after the
///   check fails instead of leading outside (no time-of-check race).
/// - `--trust` lifts the restrictions for a notebook the user vouches for.
/// - A nested replay never gets more than its parent had
///   (`restricting(_:)`), is at most `maxDepth` deep, never re-opens a
///   notebook already being replayed (a cycle: the same resolved path, or
///   the same device and inode, so a hard link counts), and one replay opens at most
///   `maxNotebooksPerReplay` notebooks in all.
/// - Every refusal is logged in `refusals`.
public struct FileAccessPolicy: Sendable, Equatable {
  /// How much the commands may touch.
  public enum Mode: Sendable, Equatable {
    /// Any file (the user's own lines, or `--trust`).
    case trusted
    /// No file at all (nil), or only files inside this folder, an
    /// absolute path without symbolic links.
    case safe(writableFolder: String?)
  }

  /// Whether a command reads or writes its file.
  public enum Access: Sendable {
    /// The command reads its file (`replay`).
    case read
    /// The command writes its file (`save`, `export`).
    case write
  }

  /// What the commands may do now.
  public var mode: Mode
  /// The notebooks being replayed, outermost first (resolved paths).
  public internal(set) var openNotebooks: [String] = []
  /// The device and inode of each open notebook (nil if it could not be
  /// read), so a hard link to an open notebook is a cycle too.
  var openIdentities: [FileIdentity?] = []
  /// Every refusal so far, oldest first.
  public internal(set) var refusals: [FileRefusal] = []
  /// Notebooks opened since the outermost replay began.
  var notebooksOpened = 0

  /// The most notebooks open at once (a replay inside a replay inside …).
  public static let maxDepth = 8
  /// The most notebooks one outermost replay may open in all.
  public static let maxNotebooksPerReplay = 64
  /// The largest notebook file read: 16 MiB.
  public static let maxNotebookBytes = 16 << 20
  /// The commands that touch files, by name, and how.
  public static let fileCommands: [String: Access] = ["save": .write, "export": .write, "replay": .read]
  /// The file commands whose handlers check every path with
  /// `authorizeWrite`/`authorizeRead`. Any other file command is refused in
  /// every safe mode, `--allow-writes` included: safe until proven checked.
  /// Add a command here once its handler asks the policy.
  public static let pathCheckingCommands: Set<String> = ["save", "replay"]

  /// Everything allowed: the policy of lines the user types.
  public static let trusted = FileAccessPolicy(mode: .trusted)

  /// A policy in `mode`, with nothing open or refused yet.
  public init(mode: Mode) {
    self.mode = mode
  }

  /// The mode a replay's flags ask for: `--trust`, `--allow-writes DIR`, or
  /// neither (safe mode, no files).
  ///
  /// - Throws: `LabError` when DIR is not an existing folder.
  public static func requestedMode(trust: Bool, allowWrites folder: String?, command: String) throws(LabError) -> Mode {
    if trust { return .trusted }
    guard let folder else { return .safe(writableFolder: nil) }
    guard let real = resolve(absolute(folder)), isFolder(real) else {
      throw LabError(command: command, word: folder, problem: "is not an existing folder (expected --allow-writes DIR)")
    }
    return .safe(writableFolder: real)
  }

  /// The mode a nested replay gets when it asks for `requested`: never more
  /// than the current mode allows.
  public func restricting(_ requested: Mode) -> Mode {
    switch (mode, requested) {
    case (.trusted, _): return requested
    case (_, .trusted): return mode
    case (.safe(let a?), .safe(let b?)):
      if FileAccessPolicy.isInside(b, a) { return .safe(writableFolder: b) }
      if FileAccessPolicy.isInside(a, b) { return .safe(writableFolder: a) }
      return .safe(writableFolder: nil)
    default: return .safe(writableFolder: nil)
    }
  }

  /// One line for a replay's heading: what its cells may touch.
  public var modeDescription: String {
    switch mode {
    case .trusted: return "trusted: file commands allowed"
    case .safe(nil): return "safe mode: file commands refused"
    case .safe(let folder?): return "safe mode: files allowed only inside \(folder)"
    }
  }

  // MARK: Checks

  /// Where `command` may write `path`: in safe mode a resolved path inside
  /// the allowed folder, to be reached without symbolic links
  /// (`FileLocation.confined`), so a path swapped after this check fails
  /// instead of leading outside.
  ///
  /// - Throws: `LabError` naming the command and how to allow the write; a
  ///   refusal is also logged.
  public mutating func authorizeWrite(_ path: String, command: String) throws(LabError) -> FileLocation {
    try authorize(path, access: .write, command: command)
  }

  /// Where `command` may read `path` (confined in safe mode, as for writes).
  ///
  /// - Throws: `LabError` naming the command and how to allow the read; a
  ///   refusal is also logged.
  public mutating func authorizeRead(_ path: String, command: String) throws(LabError) -> FileLocation {
    try authorize(path, access: .read, command: command)
  }

  /// The refusal of a file command before it runs (nil for any other
  /// command, or when it may run and check its own paths). Replays ask this
  /// for every cell, so a file command is refused even if its handler does
  /// not ask the policy: in safe mode with no folder, every file command;
  /// with `--allow-writes`, those not in `pathCheckingCommands`.
  ///
  /// - Parameters:
  ///   - commandName: the command's full name, e.g. `replay`.
  ///   - typed: the name to report, e.g. the alias `load` as typed.
  public mutating func refusalBeforeRunning(_ commandName: String, as typed: String? = nil) -> LabError? {
    guard case .safe(let folder) = mode, let access = FileAccessPolicy.fileCommands[commandName] else { return nil }
    if folder == nil {
      return refuse(command: typed ?? commandName, path: nil, problem: FileAccessPolicy.safeModeProblem(access))
    }
    guard !FileAccessPolicy.pathCheckingCommands.contains(commandName) else { return nil }
    return refuse(
      command: typed ?? commandName, path: nil,
      problem: "refused: this command does not check its paths against --allow-writes yet; "
        + "replay with --trust if you trust the notebook")
  }

  private mutating func authorize(_ path: String, access: Access, command: String) throws(LabError) -> FileLocation {
    guard !path.isEmpty else { throw LabError(command: command, problem: "needs a file name") }
    let absolute = FileAccessPolicy.absolute(path)
    switch mode {
    case .trusted:
      return FileLocation.trusted(absolute)
    case .safe(nil):
      throw refuse(command: command, path: path, problem: FileAccessPolicy.safeModeProblem(access))
    case .safe(let folder?):
      let resolved = try resolveInside(absolute, asTyped: path, access: access, command: command)
      guard FileAccessPolicy.isInside(resolved, folder) && resolved != folder else {
        let via = resolved == absolute ? "is" : "resolves to \(resolved),"
        throw refuse(
          command: command, path: path,
          problem: "refused: \(via) outside the folder this replay may use (\(folder)); "
            + "replay with --allow-writes DIR for another folder, or with --trust")
      }
      return FileLocation(path: resolved, confined: true)
    }
  }

  /// `absolute` with its folder (and a final symbolic link) resolved.
  private mutating func resolveInside(
    _ absolute: String, asTyped path: String, access: Access, command: String
  ) throws(LabError) -> String {
    let (parent, name) = FileAccessPolicy.split(absolute)
    guard !name.isEmpty, name != ".", name != ".." else {
      throw LabError(command: command, word: path, problem: "is not a file name")
    }
    guard let realParent = FileAccessPolicy.resolve(parent) else {
      throw LabError(command: command, word: path, problem: "cannot be used: its folder does not exist")
    }
    let candidate = realParent == "/" ? "/" + name : realParent + "/" + name
    var info = stat()
    guard lstat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return candidate }
    guard let target = FileAccessPolicy.resolve(candidate) else {
      throw refuse(
        command: command, path: path,
        problem: "refused: is a symbolic link to a missing file; a replay may not follow it")
    }
    return target
  }

  // MARK: Nested replays

  /// Records that the notebook at `path` is being replayed.
  ///
  /// - Throws: `LabError` (logged as a refusal) for a cycle, a replay nested
  ///   deeper than `maxDepth`, or more than `maxNotebooksPerReplay` in all.
  public mutating func enterNotebook(_ path: String, asTyped typed: String, command: String) throws(LabError) {
    let resolved = FileAccessPolicy.resolve(path) ?? path
    let identity = FileIdentity(path: resolved)
    let sameFile = openIdentities.firstIndex { $0 != nil && $0 == identity }
    if let first = openNotebooks.firstIndex(of: resolved) ?? sameFile {
      let chain = (openNotebooks[first...] + [resolved]).map { FileAccessPolicy.split($0).name }
      throw refuse(
        command: command, path: typed,
        problem: "refused: this notebook is already being replayed (\(chain.joined(separator: " → "))); "
          + "a notebook may not replay itself")
    }
    guard openNotebooks.count < FileAccessPolicy.maxDepth else {
      throw refuse(
        command: command, path: typed,
        problem: "refused: replays nested more than \(FileAccessPolicy.maxDepth) deep")
    }
    if openNotebooks.isEmpty { notebooksOpened = 0 }
    guard notebooksOpened < FileAccessPolicy.maxNotebooksPerReplay else {
      throw refuse(
        command: command, path: typed,
        problem: "refused: one replay may open at most \(FileAccessPolicy.maxNotebooksPerReplay) notebooks")
    }
    notebooksOpened += 1
    openNotebooks.append(resolved)
    openIdentities.append(identity)
  }

  /// Records that the innermost notebook's replay has ended.
  public mutating func leaveNotebook() {
    if !openNotebooks.isEmpty { openNotebooks.removeLast() }
    if !openIdentities.isEmpty { openIdentities.removeLast() }
  }

  /// Gives every refusal from `index` on that has no location yet the
  /// location `location` (the cell that caused it).
  mutating func locateRefusals(from index: Int, at location: String) {
    for i in refusals.indices where i >= index && refusals[i].location == nil {
      refusals[i].location = location
    }
  }

  /// Logs a refusal and returns its error.
  private mutating func refuse(command: String, path: String?, problem: String) -> LabError {
    let error = LabError(command: command, word: path, problem: problem)
    refusals.append(FileRefusal(command: command, path: path, reason: error.message))
    return error
  }

  private static func safeModeProblem(_ access: Access) -> String {
    let verb = access == .write ? "write" : "read"
    return "refused: a replayed notebook may not \(verb) files (safe mode); "
      + "replay it with --allow-writes DIR to allow files inside DIR only, or with --trust"
  }

  // MARK: Paths

  /// `path` made absolute against the current folder (not resolved).
  public static func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    guard let cwd = getcwd(nil, 0) else { return path }
    defer { free(cwd) }
    let folder = String(cString: cwd)
    return (folder == "/" ? "" : folder) + "/" + path
  }

  /// `realpath(path)`: absolute, no `.`, `..` or symbolic links; nil if it does not exist.
  static func resolve(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// Whether `path` is `folder` or inside it (both resolved).
  static func isInside(_ path: String, _ folder: String) -> Bool {
    folder == "/" || path == folder || path.hasPrefix(folder + "/")
  }

  static func isFolder(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  /// The folder and the last component of an absolute path.
  static func split(_ path: String) -> (folder: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let folder = path[..<slash]
    return (folder.isEmpty ? "/" : String(folder), String(path[path.index(after: slash)...]))
  }
}

/// A file's device and inode: the same file under any name (a hard link
/// included).
struct FileIdentity: Sendable, Equatable {
  var device: UInt64
  var inode: UInt64

  /// The identity of the file at `path` (links followed), nil if it cannot be `stat`ed.
  init?(path: String) {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    device = UInt64(info.st_dev)
    inode = UInt64(info.st_ino)
  }
}
