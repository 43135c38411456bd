#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a notebook file with the guards a file of unknown origin needs.
///
/// - Only regular files are read (not folders, devices or pipes, which
///   could block or never end).
/// - At most `FileAccessPolicy.maxNotebookBytes` (16 MiB) are read; a larger
///   file is refused before its content is read.
/// - Binary data (a NUL byte) and invalid UTF-8 are refused with the line
///   they are on. A leading byte-order mark is allowed.
public enum NotebookFile {
  /// The text of the file at `path`.
  ///
  /// - Parameters:
  ///   - path: the file to open.
  ///   - displayPath: the name used in messages (default: `path`).
  ///   - limit: the largest size read, in bytes.
  /// - Throws: `FileError`: `.unreadable` when the file cannot be read or is
  ///   too large, `.malformed` for binary data or invalid UTF-8.
  public static func read(
    _ path: String, displayPath: String? = nil, limit: Int = FileAccessPolicy.maxNotebookBytes
  ) throws(FileError) -> String {
    try read(FileLocation(path: path, confined: false), displayPath: displayPath ?? path, limit: limit).text
  }

  /// The text of the file at `location` and its snapshot (size, time, hash).
  static func read(
    _ location: FileLocation, displayPath: String, limit: Int = FileAccessPolicy.maxNotebookBytes
  ) throws(FileError) -> (text: String, snapshot: FileSnapshot) {
    let descriptor = try location.openForReading(display: displayPath)
    defer { close(descriptor) }
    let (bytes, info) = try readAll(descriptor, name: displayPath, limit: limit)
    return (try decode(bytes, path: displayPath), FileSnapshot(bytes: bytes, info: info))
  }

  /// Every byte of the regular file open at `descriptor`, at most `limit`.
  ///
  /// - Throws: `FileError` `.unreadable` for a folder, device, FIFO or
  ///   socket, a file over `limit` bytes, or a read error.
  static func readAll(_ descriptor: Int32, name: String, limit: Int) throws(FileError) -> ([UInt8], stat) {
    func unreadable(_ problem: String) -> FileError { FileError(.unreadable, path: name, problem: problem) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw unreadable("cannot be read: " + String(cString: strerror(errno))) }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw unreadable(
        (info.st_mode & S_IFMT) == S_IFDIR
          ? "is a folder, not a notebook" : "is \(FileLocation.kind(of: info.st_mode)), not a regular file")
    }
    guard Int(info.st_size) <= limit else {
      throw unreadable("is \(info.st_size) bytes, more than the \(limit) bytes a notebook may have")
    }
    // Read up to one byte past the limit: some files report size 0.
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while bytes.count <= limit {
      let n = chunk.withUnsafeMutableBytes { buffer in
        buffer.baseAddress.map { systemRead(descriptor, $0, buffer.count) } ?? -1
      }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw unreadable("cannot be read: " + String(cString: strerror(errno))) }
      if n == 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
    }
    guard bytes.count <= limit else { throw unreadable("is more than the \(limit) bytes a notebook may have") }
    return (bytes, info)
  }

  /// Reads and parses the notebook at `path`.
  ///
  /// - Throws: `FileError` from reading or parsing.
  public static func load(_ path: String, displayPath: String? = nil) throws(FileError) -> Notebook {
    try load(FileLocation(path: path, confined: false), displayPath: displayPath ?? path).notebook
  }

  /// Reads and parses the notebook at `location`, with the snapshot of the
  /// file as read (for `--accept`'s check that nobody edited it meanwhile).
  ///
  /// - Throws: `FileError` from reading or parsing.
  public static func load(_ location: FileLocation, displayPath: String) throws(FileError)
    -> (notebook: Notebook, snapshot: FileSnapshot)
  {
    let (text, snapshot) = try read(location, displayPath: displayPath)
    return (try NotebookParser.parse(text, path: displayPath), snapshot)
  }

  /// The error for a file that parses but has no cells (no `lab` block
  /// with a command): not a notebook, so nothing would be checked.
  public static func noCellsError(_ path: String) -> FileError {
    FileError(
      .malformed, path: path,
      problem: "has no cells: not a notebook (expected a ```lab block with '[1]> command' lines)")
  }

  /// `bytes` as text, or the line of the first NUL byte or invalid UTF-8.
  static func decode(_ bytes: [UInt8], path: String) throws(FileError) -> String {
    if let nul = bytes.firstIndex(of: 0) {
      throw FileError(
        .malformed, path: path, line: lineNumber(bytes, at: nul),
        problem: "is binary, not a notebook (a NUL byte on this line)")
    }
    let text = String(decoding: bytes, as: UTF8.self)
    // Invalid sequences decode to U+FFFD, which changes the bytes.
    if text.utf8.elementsEqual(bytes) { return text }
    var iterator = bytes.makeIterator()
    var codec = UTF8()
    var offset = 0
    var line = 1
    while true {
      switch codec.decode(&iterator) {
      case .scalarValue(let scalar):
        offset += UTF8.width(scalar)
        if scalar == "\n" { line += 1 }
      case .emptyInput:
        return text
      case .error:
        throw FileError(
          .malformed, path: path, line: line,
          problem: "is not valid UTF-8 text (bad bytes on this line, near byte \(offset + 1))")
      }
    }
  }

  private static func lineNumber(_ bytes: [UInt8], at index: Int) -> Int {
    bytes[..<index].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
  }
}

/// POSIX `read`, named apart from `NotebookFile.read`.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(descriptor, buffer, count)
}
