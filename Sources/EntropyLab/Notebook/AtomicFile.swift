#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a file so that it is either entirely the old content or entirely
/// the new: the text goes to a temporary file in the same folder, is
/// flushed to disk (`fsync`), and is then renamed over the destination.
///
/// Properties:
/// - Never leaves a half-written destination: `rename` is atomic on POSIX.
/// - On any failure the destination is untouched and the temporary file is
///   removed.
/// - An existing destination keeps its permission bits; a new one gets 0644.
/// - A destination that is a symbolic link is resolved, so the link's target
///   is replaced and the link kept.
///
/// Edge cases: a destination that is a folder, or in a folder that does not
/// exist, fails before anything is written.
public enum AtomicFile {
  /// Replaces (or creates) the file at `path` with `text` in UTF-8.
  ///
  /// - Throws: `FileError` of kind `.unwritable` naming the step that failed.
  public static func write(_ text: String, to path: String) throws(FileError) {
    try write(text, to: path, beforeRename: {})
  }

  /// `write(_:to:)` with a hook run after the temporary file is complete and
  /// before the rename; a throwing hook simulates an interruption (tests).
  static func write(_ text: String, to path: String, beforeRename: () throws -> Void) throws(FileError) {
    func failure(_ action: String, _ code: Int32) -> FileError {
      FileError(.unwritable, path: path, problem: "cannot \(action): \(String(cString: strerror(code)))")
    }
    guard !path.isEmpty else { throw FileError(.unwritable, path: path, problem: "needs a file name") }
    var destination = path
    var info = stat()
    if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK, let target = realpath(path, nil) {
      destination = String(cString: target)
      free(target)
    }
    var mode: mode_t = 0o644
    if stat(destination, &info) == 0 {
      if (info.st_mode & S_IFMT) == S_IFDIR {
        throw FileError(.unwritable, path: path, problem: "is a folder, not a file")
      }
      mode = info.st_mode & 0o7777
    }
    let folder = AtomicFile.folder(of: destination)
    let name = destination.split(separator: "/").last.map(String.init) ?? destination
    var template = Array((folder + "/." + name + ".tmp-XXXXXX").utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress.map { mkstemp($0) } ?? -1
    }
    guard descriptor >= 0 else { throw failure("create a file in \(folder)", errno) }
    let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
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
      do { try beforeRename() } catch { throw FileError(.unwritable, path: path, problem: "interrupted: \(error)") }
      guard rename(temporary, destination) == 0 else { throw failure("replace the file", errno) }
    } catch {
      unlink(temporary)
      throw error
    }
    // Make the rename itself durable; a failure here leaves a complete file.
    let directory = open(folder, O_RDONLY)
    if directory >= 0 {
      fsync(directory)
      close(directory)
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

  /// The folder part of `path` ("." for a bare file name).
  static func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let folder = String(path[..<slash])
    return folder.isEmpty ? "/" : folder
  }
}

/// POSIX `write`, named apart from `AtomicFile.write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
