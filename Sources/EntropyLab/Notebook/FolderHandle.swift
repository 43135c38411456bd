#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An open folder: the descriptor every confined check, read and write is
/// made relative to (`openat`, `fstatat`, `renameat`), so a path checked once
/// cannot be swapped for a symbolic link before it is used.
///
/// Closed when the last reference goes away.
final class FolderHandle {
  /// The folder's descriptor (`O_DIRECTORY`).
  let descriptor: Int32
  /// The folder's path, for messages.
  let path: String

  private init(descriptor: Int32, path: String) {
    self.descriptor = descriptor
    self.path = path
  }

  deinit { close(descriptor) }

  /// Opens the folder at `path`. With `noLinks`, `path` must be absolute
  /// and every component is opened from `/` with `O_NOFOLLOW`: a component
  /// that is (now) a symbolic link or not a folder fails with `ELOOP` or
  /// `ENOTDIR`. Without it the system resolves links as usual.
  ///
  /// - Returns: the handle, or the `errno` of the first step that failed.
  static func open(_ path: String, noLinks: Bool) -> Result<FolderHandle, FolderOpenError> {
    let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC
    guard noLinks else {
      let descriptor = systemOpen(path.isEmpty ? "." : path, flags)
      guard descriptor >= 0 else { return .failure(FolderOpenError(component: path, code: errno)) }
      return .success(FolderHandle(descriptor: descriptor, path: path))
    }
    guard path.hasPrefix("/") else { return .failure(FolderOpenError(component: path, code: EINVAL)) }
    let root = systemOpen("/", flags)
    guard root >= 0 else { return .failure(FolderOpenError(component: "/", code: errno)) }
    var current = FolderHandle(descriptor: root, path: "/")
    for component in path.split(separator: "/") {
      switch current.folder(String(component)) {
      case .success(let next): current = next
      case .failure(let error): return .failure(error)
      }
    }
    return .success(current)
  }

  /// The folder `name` inside this one, never through a symbolic link.
  func folder(_ name: String) -> Result<FolderHandle, FolderOpenError> {
    let child = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    let joined = path == "/" ? "/" + name : path + "/" + name
    guard child >= 0 else {
      // Linux reports a symbolic link opened O_DIRECTORY|O_NOFOLLOW as
      // ENOTDIR: name it as the link it is.
      var code = errno
      var info = stat()
      if code == ENOTDIR && fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0
        && info.st_mode & S_IFMT == S_IFLNK
      {
        code = ELOOP
      }
      return .failure(FolderOpenError(component: joined, code: code))
    }
    return .success(FolderHandle(descriptor: child, path: joined))
  }

  /// `fstatat(name, AT_SYMLINK_NOFOLLOW)`: what `name` is now, nil if absent.
  ///
  /// - Returns: nil when nothing is there (`ENOENT`); the error code for
  ///   any other failure.
  func entry(_ name: String) -> Result<stat?, FolderOpenError> {
    var info = stat()
    if fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 { return .success(info) }
    return errno == ENOENT ? .success(nil) : .failure(FolderOpenError(component: name, code: errno))
  }

  /// Flushes the folder itself (a rename in it) to disk; best effort.
  func sync() {
    fsync(descriptor)
  }
}

/// A folder on the way to a file that could not be opened.
struct FolderOpenError: Error {
  /// The path up to and including the component that failed.
  var component: String
  /// The system's error code.
  var code: Int32

  /// Why, in words: a symbolic link or a file where a folder should be is
  /// named as such (the usual sign of a swapped path).
  var reason: String {
    switch code {
    case ELOOP: return "\(component) is a symbolic link; the path may not go through one here"
    case ENOTDIR: return "\(component) is not a folder"
    default: return "cannot open the folder \(component): \(String(cString: strerror(code)))"
    }
  }
}

/// POSIX `open` with a mode-less signature, named apart from `FolderHandle.open`.
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
  open(path, flags)
}
