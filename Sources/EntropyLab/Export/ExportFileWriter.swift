import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes an export atomically: the text goes to a temporary file in the
/// destination's folder, is flushed to disk, then renamed over the
/// destination. A reader sees the old file or the new one, never half of
/// one, and a failed write leaves the old file as it was.
///
/// NOTE: a stop-gap for the export commands. The notebook side is adding
/// `AtomicFile` (Sources/EntropyLab/Notebook/AtomicFile.swift) for `save`
/// and `replay --accept`; once it lands, this type should go and
/// `ExportCommands` should call `AtomicFile` instead, so the project has
/// one atomic writer.
///
/// Properties:
/// - the temporary file is created with `O_EXCL` next to the destination
///   (a rename is atomic only within one file system) and removed on
///   every failure path;
/// - an existing destination keeps its permission bits.
///
/// Edge cases: a destination that is a folder, or in a folder that does
/// not exist or cannot be written, is refused with the system's reason.
enum ExportFileWriter {
  /// Writes `text` as UTF-8 to `path`, replacing any file there.
  ///
  /// - Throws: `LabError` whose problem gives the system's reason.
  static func write(_ text: String, to path: String) throws(LabError) {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
      throw LabError(problem: "is a folder, not a file")
    }
    var existing = stat()
    let exists = stat(path, &existing) == 0
    let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    let temporary = folder + "/." + url.lastPathComponent + ".\(getpid()).\(suffix).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw failure("cannot create a file in \(folder)") }
    var done = false
    defer {
      if !done { unlink(temporary) }
    }
    if exists { _ = fchmod(fd, existing.st_mode & 0o7777) }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { buffer -> Int in
        guard let base = buffer.baseAddress else { return 0 }
        return systemWrite(fd, base + written, bytes.count - written)
      }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else {
        let reason = failure("cannot write")
        close(fd)
        throw reason
      }
      written += n
    }
    guard fsync(fd) == 0 else {
      let reason = failure("cannot flush to disk")
      close(fd)
      throw reason
    }
    guard close(fd) == 0 else { throw failure("cannot close") }
    guard rename(temporary, path) == 0 else { throw failure("cannot replace") }
    done = true
  }

  /// POSIX `write`, named apart from this type's `write`.
  private static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
      return Glibc.write(fd, buffer, count)
    #else
      return Darwin.write(fd, buffer, count)
    #endif
  }

  /// An error naming what failed and the system's reason (`errno`).
  private static func failure(_ what: String) -> LabError {
    let reason = String(cString: strerror(errno)).lowercased()
    return LabError(problem: "\(what): \(reason)")
  }
}
