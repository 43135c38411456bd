#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The system calls `HistoryFile.save` makes to put a new file in place —
/// write, flush to disk, rename — as values, so that a test can record
/// their order around the real calls (`HistoryFileSafetyTests`: the data
/// is flushed before the rename, the folder after it). The program always
/// uses `system`.
struct FileOperations: Sendable {
  /// `write(2)`: descriptor, bytes, count; the bytes written or -1.
  var write: @Sendable (Int32, UnsafeRawPointer, Int) -> Int
  /// `fsync(2)`: 0 or -1.
  var fsync: @Sendable (Int32) -> Int32
  /// `renameat(2)`: old folder, old name, new folder, new name; 0 or -1.
  var rename: @Sendable (Int32, String, Int32, String) -> Int32

  /// The C library's calls.
  static let system = FileOperations(
    write: { descriptor, bytes, count in
      #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
      #else
        Darwin.write(descriptor, bytes, count)
      #endif
    },
    fsync: { descriptor in
      #if canImport(Glibc)
        Glibc.fsync(descriptor)
      #else
        Darwin.fsync(descriptor)
      #endif
    },
    rename: { fromFolder, fromName, toFolder, toName in renameat(fromFolder, fromName, toFolder, toName) })
}
