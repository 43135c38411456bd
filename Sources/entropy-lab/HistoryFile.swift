#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The shell's command history on disk: one line per entry, newest last,
/// at most `limit` entries.
///
/// Location (the first that applies):
/// 1. `$ENTROPY_LAB_HISTORY`, a file path (set but empty turns history off);
/// 2. `$XDG_STATE_HOME/entropy-lab/history` when that is an absolute path;
/// 3. `$HOME/.local/state/entropy-lab/history` (XDG Base Directory 0.8).
///
/// Saving re-reads the file and appends this session's lines, so two
/// shells open at once both keep their lines; the result goes to a new
/// temporary file in the same folder (created `O_CREAT|O_EXCL|O_NOFOLLOW`,
/// so a planted file or symbolic link is never opened), is flushed to disk
/// (`fsync`), given the old file's permission bits (0600 for a new one),
/// and renamed over the old one; then the folder is flushed. A crash never
/// leaves half a history.
///
/// A history file that is a symbolic link, not a regular file, owned by
/// another user, or not valid UTF-8 text is left exactly as it is: one
/// warning, and this session's history is not saved.
struct HistoryFile {
  /// The file's path.
  let path: String
  /// The most entries kept.
  let limit: Int
  /// The write, flush and rename calls (the system's; a test records them).
  var operations = FileOperations.system

  /// The history file for `environment`, or nil when history is off (or
  /// there is no home folder to put it in).
  static func location(environment: [String: String]) -> String? {
    if let explicit = environment["ENTROPY_LAB_HISTORY"] {
      return explicit.isEmpty ? nil : explicit
    }
    if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
      return state + "/entropy-lab/history"
    }
    guard let home = environment["HOME"], !home.isEmpty else { return nil }
    return home + "/.local/state/entropy-lab/history"
  }

  /// The stored entries, oldest first; none if the file does not exist yet.
  ///
  /// - Throws: `HistoryError` when the file exists but cannot be read, or
  ///   may not be rewritten (see the type's notes).
  func load() throws(HistoryError) -> [String] {
    try read().entries
  }

  /// The entries and the permission bits of the file (nil: no file yet).
  private func read() throws(HistoryError) -> (entries: [String], mode: mode_t?) {
    let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else {
      // No file, or no folder for it, yet: an empty history. (Saving
      // reports a folder that cannot be made.)
      if errno == ENOENT || errno == ENOTDIR { return ([], nil) }
      if errno == ELOOP {
        throw HistoryError(
          path: path, action: "use",
          reason: "it is a symbolic link, which is not followed (point ENTROPY_LAB_HISTORY at the file itself)")
      }
      throw HistoryError(path: path, action: "read", code: errno)
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw HistoryError(path: path, action: "read", code: errno) }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw HistoryError(path: path, action: "use", reason: "it is not a regular file")
    }
    guard info.st_uid == geteuid() else {
      throw HistoryError(
        path: path, action: "use",
        reason: "it belongs to user \(info.st_uid), not to you (user \(geteuid())), and is left as it is")
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { buffer in
        buffer.baseAddress.map { Glibc.read(descriptor, $0, buffer.count) } ?? -1
      }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw HistoryError(path: path, action: "read", code: errno) }
      if n == 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
    }
    var entries: [String] = []
    for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
      guard !line.isEmpty else { continue }
      guard !line.contains(0), let entry = String(validating: line, as: UTF8.self) else {
        throw HistoryError(
          path: path, action: "use",
          reason: "line \(index + 1) is not UTF-8 text; the file is left as it is")
      }
      entries.append(entry)
    }
    return (Array(entries.suffix(limit)), info.st_mode & 0o777)
  }

  /// Appends `newEntries` to what the file holds now and writes the last
  /// `limit` entries back atomically, creating the folder if needed.
  ///
  /// - Throws: `HistoryError` naming the step that failed.
  func save(appending newEntries: [String]) throws(HistoryError) {
    guard !newEntries.isEmpty else { return }
    let folderPath = HistoryFile.folder(of: path)
    try HistoryFile.makeFolders(folderPath, for: path)
    let (old, mode) = try read()
    let text = (old + newEntries).suffix(limit).joined(separator: "\n") + "\n"
    let folder = open(folderPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard folder >= 0 else { throw HistoryError(path: path, action: "write", code: errno) }
    defer { close(folder) }
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let (descriptor, temporary) = try createTemporary(in: folder)
    func fail(_ code: Int32) -> HistoryError {
      unlinkat(folder, temporary, 0)
      return HistoryError(path: path, action: "write", code: code)
    }
    let written = Array(text.utf8).withUnsafeBytes { bytes in
      var offset = 0
      while offset < bytes.count {
        guard let start = bytes.baseAddress else { return false }
        let n = operations.write(descriptor, start + offset, bytes.count - offset)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
      }
      return true
    }
    var failure = written ? 0 : (errno == 0 ? EIO : errno)
    if failure == 0 && fchmod(descriptor, mode ?? 0o600) != 0 { failure = errno }
    // The data reaches the disk before the rename makes it the history: a
    // crash leaves the old file or the whole new one, never an empty one.
    if failure == 0 && operations.fsync(descriptor) != 0 { failure = errno }
    if close(descriptor) != 0 && failure == 0 { failure = errno }
    if failure != 0 { throw fail(failure) }
    if operations.rename(folder, temporary, folder, name) != 0 { throw fail(errno) }
    _ = operations.fsync(folder)
  }

  /// A new temporary file `.history-PID-XXXXXXXX.tmp` in `folder`, created
  /// with `O_CREAT|O_EXCL|O_NOFOLLOW` and mode 0600.
  private func createTemporary(in folder: Int32) throws(HistoryError) -> (Int32, String) {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<100 {
      let temporary = ".history-\(getpid())-\(String(generator.next(), radix: 16)).tmp"
      let descriptor = openat(folder, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
      if descriptor >= 0 { return (descriptor, temporary) }
      if errno != EEXIST { throw HistoryError(path: path, action: "write", code: errno) }
    }
    throw HistoryError(path: path, action: "write", code: EEXIST)
  }

  /// The folder part of `path` ("." for a bare file name).
  private static func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let folder = String(path[..<slash])
    return folder.isEmpty ? "/" : folder
  }

  /// `mkdir -p folder` with mode 0700 for the folders it creates.
  private static func makeFolders(_ folder: String, for path: String) throws(HistoryError) {
    var partial = folder.hasPrefix("/") ? "" : "."
    for component in folder.split(separator: "/") {
      partial += "/" + component
      guard mkdir(partial, 0o700) != 0 else { continue }
      guard errno == EEXIST else { throw HistoryError(path: path, action: "create the folder for", code: errno) }
      var info = stat()
      if stat(partial, &info) != 0 || info.st_mode & S_IFMT != S_IFDIR {
        throw HistoryError(path: path, action: "create the folder for", code: ENOTDIR)
      }
    }
  }
}

/// A history file that could not be read or written.
struct HistoryError: Error {
  /// The history file.
  var path: String
  /// What was being done: "read", "write", "create the folder for".
  var action: String
  /// The system's reason, e.g. "Permission denied".
  var reason: String

  init(path: String, action: String, code: Int32) {
    self.path = path
    self.action = action
    self.reason = code == 0 ? "unknown error" : String(cString: strerror(code))
  }

  init(path: String, action: String, reason: String) {
    self.path = path
    self.action = action
    self.reason = reason
  }

  /// The one warning line the shell prints.
  var message: String {
    "warning: cannot \(action) the history file \(path): \(reason); history is not saved"
  }
}
