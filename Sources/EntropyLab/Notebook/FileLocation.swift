#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a file command reads or writes: an absolute path, and whether its
/// folders must be reached without symbolic links.
///
/// - A **trusted** location (a line the user typed, `--trust`) is reached as
///   the system resolves it; a final symbolic link is resolved when the
///   location is made, so a write replaces the link's target and keeps the
///   link.
/// - A **confined** location (safe mode, `--allow-writes DIR`) is a path the
///   `FileAccessPolicy` resolved and found inside DIR. It is reached by
///   opening `/` and then each component with `O_NOFOLLOW`, and the file is
///   read, created and renamed relative to its folder's descriptor: a folder
///   or file swapped for a symbolic link after the check makes the command
///   fail instead of leaving DIR (`FolderHandle`).
public struct FileLocation: Sendable, Equatable {
  /// The file's absolute path.
  public var path: String
  /// Whether every component must be reached without a symbolic link.
  public var confined: Bool

  /// A location from its parts.
  public init(path: String, confined: Bool) {
    self.path = path
    self.confined = confined
  }

  /// The location of `path` (made absolute) as a trusted line means it:
  /// a final symbolic link is resolved, so writing replaces its target.
  /// A link that cannot be resolved (dangling, or a standard stream such as
  /// `/dev/stdout` on a pipe) is kept, and a write then refuses it.
  public static func trusted(_ path: String) -> FileLocation {
    let absolute = FileAccessPolicy.absolute(path)
    var info = stat()
    if lstat(absolute, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK, let target = realpath(absolute, nil) {
      defer { free(target) }
      return FileLocation(path: String(cString: target), confined: false)
    }
    return FileLocation(path: absolute, confined: false)
  }

  /// The folder part of the path.
  var folder: String { FileAccessPolicy.split(path).folder }
  /// The last component of the path.
  var name: String { FileAccessPolicy.split(path).name }

  /// Opens the file's folder.
  ///
  /// - Parameters:
  ///   - kind: the error kind for a failure (`.unreadable`, `.unwritable`).
  ///   - display: the file's name in messages.
  func openFolder(_ kind: FileError.Kind, display: String) throws(FileError) -> FolderHandle {
    guard !name.isEmpty, name != ".", name != ".." else {
      throw FileError(kind, path: display, problem: "needs a file name")
    }
    switch FolderHandle.open(folder, noLinks: confined) {
    case .success(let handle):
      return handle
    case .failure(let error):
      if confined && (error.code == ELOOP || error.code == ENOTDIR) {
        throw FileError(kind, path: display, problem: "refused: \(error.reason) (was it replaced after the check?)")
      }
      let verb = kind == .unwritable ? "create a file in" : "open the folder"
      throw FileError(
        kind, path: display, problem: "cannot \(verb) \(folder): \(String(cString: strerror(error.code)))")
    }
  }

  /// Opens the file for reading (`O_NONBLOCK`, so a FIFO cannot block; a
  /// confined location also `O_NOFOLLOW`).
  ///
  /// - Returns: the descriptor, which the caller closes.
  func openForReading(display: String) throws(FileError) -> Int32 {
    let flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC
    let descriptor: Int32
    if confined {
      let folder = try openFolder(.unreadable, display: display)
      descriptor = openat(folder.descriptor, name, flags | O_NOFOLLOW)
      if descriptor < 0 && errno == ELOOP {
        throw FileError(.unreadable, path: display, problem: "refused: is a symbolic link; a replay may not follow it")
      }
    } else {
      descriptor = systemOpen(path, flags)
    }
    guard descriptor >= 0 else {
      throw FileError(.unreadable, path: display, problem: "cannot be read: " + String(cString: strerror(errno)))
    }
    return descriptor
  }

  /// What kind of thing a file mode is, in words: "a character device", ….
  static func kind(of mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a regular file"
    case S_IFDIR: return "a folder"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFSOCK: return "a socket"
    case S_IFLNK: return "a symbolic link"
    default: return "not a regular file"
    }
  }
}

/// POSIX `open` without a mode, named apart from the methods called `open`.
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
  open(path, flags)
}
