#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file as it was read: its size, modification time and content hash,
/// so `replay --accept` can tell whether someone edited the notebook while
/// it was being replayed, and refuse to overwrite the edit.
public struct FileSnapshot: Sendable, Equatable {
  /// The size in bytes.
  public var size: Int
  /// The modification time, seconds and nanoseconds since 1970.
  public var modified: (seconds: Int, nanoseconds: Int)
  /// The FNV-1a 64-bit hash of the content (not cryptographic: it detects
  /// edits, not attackers, who could change the file after the rename anyway).
  public var hash: UInt64
  /// The content read, to name the first changed line.
  var bytes: [UInt8]

  /// The snapshot of `bytes` read from a file whose `fstat` was `info`.
  init(bytes: [UInt8], info: stat) {
    self.bytes = bytes
    size = bytes.count
    modified = FileSnapshot.modificationTime(info)
    hash = FileSnapshot.fnv1a(bytes)
  }

  public static func == (a: FileSnapshot, b: FileSnapshot) -> Bool {
    a.size == b.size && a.modified == b.modified && a.hash == b.hash
  }

  /// How the file now (`bytes`, `info`) differs from the snapshot: nil when
  /// it is the same, else the first line that differs (1-based; the line
  /// after the last when the file only grew) and what changed.
  func change(now bytes: [UInt8], info: stat) -> (line: Int, what: String)? {
    let now = FileSnapshot(bytes: bytes, info: info)
    guard now != self else { return nil }
    var what: [String] = []
    if now.size != size { what.append("its size (\(size) → \(now.size) bytes)") }
    if now.modified != modified { what.append("its modification time") }
    if now.hash != hash { what.append("its content") }
    var line = 1
    for (a, b) in zip(self.bytes, bytes) {
      if a != b { break }
      if a == UInt8(ascii: "\n") { line += 1 }
    }
    return (line, what.joined(separator: ", "))
  }

  /// FNV-1a, 64 bits.
  static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01b3
    }
    return hash
  }

  private static func modificationTime(_ info: stat) -> (seconds: Int, nanoseconds: Int) {
    #if canImport(Darwin)
      return (Int(info.st_mtimespec.tv_sec), Int(info.st_mtimespec.tv_nsec))
    #else
      return (Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec))
    #endif
  }
}
