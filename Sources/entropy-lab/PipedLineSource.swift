#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lines from standard input that is not a terminal, or from a script
/// file: no prompt, no echo, no editing.
struct PipedLineSource: LineSource {
  /// The stream read; closed by `finish()` when this source opened it.
  private let file: UnsafeMutablePointer<FILE>
  private let ownsFile: Bool
  private(set) var lineNumber = 0
  /// The `errno` of a failed read (nil at a clean end of the input).
  private(set) var readFailure: Int32?

  /// Reads standard input.
  init() {
    file = StandardStreams.input
    ownsFile = false
  }

  /// Reads the script at `path`.
  ///
  /// - Throws: `ScriptOpenError` with the system's reason, or for a folder
  ///   (which `fopen` opens, and which then reads as empty).
  init(path: String) throws(ScriptOpenError) {
    guard let opened = fopen(path, "r") else {
      throw ScriptOpenError(path: path, reason: String(cString: strerror(errno)))
    }
    var info = stat()
    if fstat(fileno(opened), &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
      fclose(opened)
      throw ScriptOpenError(path: path, reason: "it is a folder, not a script")
    }
    file = opened
    ownsFile = true
  }

  mutating func nextLine(prompt: String) -> String? {
    var buffer: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(buffer) }
    errno = 0
    let length = getline(&buffer, &capacity, file)
    guard length >= 0, let buffer else {
      if ferror(file) != 0 { readFailure = errno == 0 ? EIO : errno }
      return nil
    }
    lineNumber += 1
    var bytes = UnsafeRawBufferPointer(start: buffer, count: length)[...]
    // Drop the line end byte-wise: as Characters, "\r\n" is one grapheme.
    if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
    if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
    return String(decoding: bytes, as: UTF8.self)
  }

  mutating func finish() {
    if ownsFile { fclose(file) }
  }
}

/// A script file that could not be opened.
struct ScriptOpenError: Error {
  /// The path as given.
  var path: String
  /// The system's reason, e.g. "No such file or directory".
  var reason: String
}
