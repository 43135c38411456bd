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
/// shells open at once both keep their lines; the result goes to a
/// temporary file in the same folder that is then renamed over the old
/// one, so a crash never leaves half a history.
struct HistoryFile {
  /// The file's path.
  let path: String
  /// The most entries kept.
  let limit: Int

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
  /// - Throws: `HistoryError` when the file exists but cannot be read.
  func load() throws(HistoryError) -> [String] {
    guard let file = fopen(path, "r") else {
      // No file, or no folder for it, yet: an empty history. (Saving
      // reports a folder that cannot be made.)
      if errno == ENOENT || errno == ENOTDIR { return [] }
      throw HistoryError(path: path, action: "read", code: errno)
    }
    defer { fclose(file) }
    var entries: [String] = []
    var buffer: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(buffer) }
    while true {
      let length = getline(&buffer, &capacity, file)
      guard length >= 0, let buffer else { break }
      var bytes = UnsafeRawBufferPointer(start: buffer, count: length)[...]
      if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
      if !bytes.isEmpty { entries.append(String(decoding: bytes, as: UTF8.self)) }
    }
    if ferror(file) != 0 { throw HistoryError(path: path, action: "read", code: errno) }
    return Array(entries.suffix(limit))
  }

  /// Appends `newEntries` to what the file holds now and writes the last
  /// `limit` entries back atomically, creating the folder if needed.
  ///
  /// - Throws: `HistoryError` naming the step that failed.
  func save(appending newEntries: [String]) throws(HistoryError) {
    guard !newEntries.isEmpty else { return }
    let folder = HistoryFile.folder(of: path)
    try HistoryFile.makeFolders(folder, for: path)
    let entries = ((try? load()) ?? []) + newEntries
    let text = entries.suffix(limit).joined(separator: "\n") + "\n"
    let temporary = folder + "/.history-\(getpid()).tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { throw HistoryError(path: path, action: "write", code: errno) }
    let written = Array(text.utf8).withUnsafeBytes { bytes in
      var offset = 0
      while offset < bytes.count {
        let n = write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
      }
      return true
    }
    let failure = errno
    if close(descriptor) != 0 || !written {
      unlink(temporary)
      throw HistoryError(path: path, action: "write", code: written ? errno : failure)
    }
    if rename(temporary, path) != 0 {
      let failure = errno
      unlink(temporary)
      throw HistoryError(path: path, action: "write", code: failure)
    }
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

  /// The one warning line the shell prints.
  var message: String {
    "warning: cannot \(action) the history file \(path): \(reason); history is not saved"
  }
}
