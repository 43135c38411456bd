#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a file so that it is either entirely the old content or entirely
/// the new, and only ever replaces a regular file.
///
/// Steps, all relative to the descriptor of the destination's folder
/// (`FileLocation.openFolder`, which in safe mode reaches the folder
/// without symbolic links):
/// 1. the destination, if it exists, must be a regular file (`fstatat`
///    without following links): a folder, device, FIFO, socket or symbolic
///    link is refused, and so is this program's own standard output or
///    error, so `export csv /dev/stdout` can neither turn a device into a
///    file nor replace the transcript it is redirected to;
/// 2. the text goes to a new temporary file created with
///    `O_CREAT|O_EXCL|O_NOFOLLOW` (never an existing file or link), which is
///    written, given the destination's permission bits (0644 for a new
///    file) and flushed to disk (`fsync`);
/// 3. the destination is checked again (and, for `--accept`, compared with
///    the snapshot taken when it was read), then `renameat` replaces it and
///    the folder is flushed.
///
/// On any failure the destination is untouched and the temporary file is
/// removed.
public enum AtomicFile {
  /// Replaces (or creates) the file at `path` (a trusted path: a final
  /// symbolic link is resolved, so its target is replaced and the link
  /// kept) with `text` in UTF-8.
  ///
  /// - Throws: `FileError` of kind `.unwritable` naming the step that failed.
  public static func write(_ text: String, to path: String) throws(FileError) {
    guard !path.isEmpty else { throw FileError(.unwritable, path: path, problem: "needs a file name") }
    try write(text, to: FileLocation.trusted(path), displayPath: path, beforeRename: {})
  }

  /// Replaces (or creates) the file at `location` with `text` in UTF-8.
  ///
  /// - Parameters:
  ///   - displayPath: the file's name in errors (default: the location's path).
  ///   - unchangedSince: when given, the write is refused if the file no
  ///     longer matches this snapshot (an edit made meanwhile is kept).
  /// - Throws: `FileError` of kind `.unwritable` naming the step that failed.
  public static func write(
    _ text: String, to location: FileLocation, displayPath: String? = nil, unchangedSince: FileSnapshot? = nil
  ) throws(FileError) {
    try write(text, to: location, displayPath: displayPath, unchangedSince: unchangedSince, beforeRename: {})
  }

  /// `write(_:to:)` with a hook run after the temporary file is complete and
  /// before the rename; a throwing hook simulates an interruption (tests).
  static func write(_ text: String, to path: String, beforeRename: () throws -> Void) throws(FileError) {
    try write(text, to: FileLocation.trusted(path), displayPath: path, beforeRename: beforeRename)
  }

  static func write(
    _ text: String, to location: FileLocation, displayPath: String?, unchangedSince: FileSnapshot? = nil,
    beforeRename: () throws -> Void
  ) throws(FileError) {
    let display = displayPath ?? location.path
    func failure(_ action: String, _ code: Int32) -> FileError {
      FileError(.unwritable, path: display, problem: "cannot \(action): \(String(cString: strerror(code)))")
    }
    let folder = try location.openFolder(.unwritable, display: display)
    let name = location.name
    let mode = try replaceableMode(of: name, in: folder, display: display)
    let (descriptor, temporary) = try createTemporary(for: name, in: folder, failure: failure)
    var closed = false
    defer {
      if !closed { close(descriptor) }
    }
    do throws(FileError) {
      try writeAll(Array(text.utf8), to: descriptor, failure: failure)
      guard fchmod(descriptor, mode) == 0 else { throw failure("set the permissions of the new file", errno) }
      guard fsync(descriptor) == 0 else { throw failure("flush the new file to disk", errno) }
      closed = true
      guard close(descriptor) == 0 else { throw failure("close the new file", errno) }
      do { try beforeRename() } catch { throw FileError(.unwritable, path: display, problem: "interrupted: \(error)") }
      if let unchangedSince { try checkUnchanged(name, in: folder, since: unchangedSince, display: display) }
      _ = try replaceableMode(of: name, in: folder, display: display)
      guard renameat(folder.descriptor, temporary, folder.descriptor, name) == 0 else {
        throw failure("replace the file", errno)
      }
    } catch {
      unlinkat(folder.descriptor, temporary, 0)
      throw error
    }
    // Make the rename itself durable; a failure here leaves a complete file.
    folder.sync()
  }

  /// The permission bits the new file gets: those of the regular file it
  /// replaces, else 0644.
  ///
  /// - Throws: `FileError` when `name` exists and is not a regular file, or
  ///   is this program's standard output or error.
  private static func replaceableMode(of name: String, in folder: FolderHandle, display: String) throws(FileError)
    -> mode_t
  {
    let existing: stat?
    switch folder.entry(name) {
    case .success(let info): existing = info
    case .failure(let error):
      throw FileError(
        .unwritable, path: display, problem: "cannot be checked: \(String(cString: strerror(error.code)))")
    }
    guard let info = existing else { return 0o644 }
    let type = info.st_mode & S_IFMT
    if type == S_IFDIR { throw FileError(.unwritable, path: display, problem: "is a folder, not a file") }
    guard type == S_IFREG else {
      let detail =
        type == S_IFLNK
        ? " (a link that cannot be resolved, or a standard stream such as /dev/stdout)" : ""
      throw FileError(
        .unwritable, path: display,
        problem: "is \(FileLocation.kind(of: info.st_mode))\(detail), not a regular file; "
          + "EntropyLab replaces only regular files: give the name of a regular file")
    }
    for stream in [STDOUT_FILENO, STDERR_FILENO] {
      var open = stat()
      if fstat(stream, &open) == 0 && open.st_dev == info.st_dev && open.st_ino == info.st_ino {
        throw FileError(
          .unwritable, path: display,
          problem: "is where this program's standard \(stream == STDOUT_FILENO ? "output" : "error") goes; "
            + "replacing it would lose what was written there: choose another file")
      }
    }
    return info.st_mode & 0o777
  }

  /// A new temporary file next to `name`: `.NAME.tmp-XXXXXX`, created with
  /// `O_CREAT|O_EXCL|O_NOFOLLOW` (mode 0600 until it is complete).
  private static func createTemporary(
    for name: String, in folder: FolderHandle, failure: (String, Int32) -> FileError
  ) throws(FileError) -> (descriptor: Int32, name: String) {
    let stem = String(decoding: Array(name.utf8.prefix(64)), as: UTF8.self)
    let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<100 {
      let suffix = String((0..<8).map { _ in letters[Int(generator.next(upperBound: UInt64(letters.count)))] })
      let temporary = "." + stem + ".tmp-" + suffix
      let descriptor = openat(
        folder.descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
      if descriptor >= 0 { return (descriptor, temporary) }
      if errno != EEXIST { throw failure("create a file in \(folder.path)", errno) }
    }
    throw failure("create a file in \(folder.path)", EEXIST)
  }

  /// Refuses the rename when the file no longer matches `snapshot`.
  private static func checkUnchanged(
    _ name: String, in folder: FolderHandle, since snapshot: FileSnapshot, display: String
  ) throws(FileError) {
    let descriptor = openat(folder.descriptor, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw FileError(
        .unwritable, path: display,
        problem: "changed while it was replayed (it cannot be opened now: \(String(cString: strerror(errno)))); "
          + "not overwritten")
    }
    defer { close(descriptor) }
    let (bytes, info) = try NotebookFile.readAll(descriptor, name: display, limit: FileAccessPolicy.maxNotebookBytes)
    if let change = snapshot.change(now: bytes, info: info) {
      throw FileError(
        .unwritable, path: display, line: change.line,
        problem: "was edited while it was replayed (\(change.what) changed; first difference on this line); "
          + "not overwritten, so the edit is kept: run --accept again")
    }
  }

  /// Writes every byte, retrying after signals and short writes.
  private static func writeAll(
    _ bytes: [UInt8], to descriptor: Int32, failure: (String, Int32) -> FileError
  ) throws(FileError) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { buffer in
        buffer.baseAddress.map { systemWrite(descriptor, $0 + offset, bytes.count - offset) } ?? -1
      }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw failure("write the new file", n < 0 ? errno : EIO) }
      offset += n
    }
  }
}

/// POSIX `write`, named apart from `AtomicFile.write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
