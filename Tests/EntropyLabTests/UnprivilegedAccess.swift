import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a test's file operations as the unprivileged user `nobody` (65534)
/// when the tests run as root, as they do on this machine and in CI: root
/// ignores permission bits, so a read-only folder would not be read-only.
///
/// It changes the calling thread's filesystem user and group ids
/// (setfsuid/setfsgid, Linux): the kernel then checks file access as that
/// user and clears the thread's filesystem capabilities (CAP_DAC_OVERRIDE,
/// CAP_FOWNER, …) until the ids are set back to 0. Only this thread is
/// affected, so tests running in parallel keep root's access; `body` must
/// be synchronous (it cannot hop threads). For another user nothing changes:
/// permission bits already apply.
enum UnprivilegedAccess {
  /// The uid and gid `body` runs with when the tests run as root.
  static let nobody: UInt32 = 65534

  /// Runs `body` with file access checked as `nobody` when running as root.
  ///
  /// - Throws: `Unavailable` if the ids could not be changed (then the test
  ///   fails rather than passing as root), or what `body` throws.
  static func run<T>(_ body: () throws -> T) throws -> T {
    guard geteuid() == 0 else { return try body() }
    #if os(Linux)
      guard let setfsuid = function("setfsuid"), let setfsgid = function("setfsgid") else { throw Unavailable() }
      _ = setfsgid(nobody)
      _ = setfsuid(nobody)
      defer {
        _ = setfsuid(0)
        _ = setfsgid(0)
      }
      // setfsuid returns the previous id: an invalid id (−1) changes
      // nothing and so reads the current one back.
      guard setfsuid(UInt32.max) == Int32(bitPattern: nobody), setfsgid(UInt32.max) == Int32(bitPattern: nobody)
      else { throw Unavailable() }
      return try body()
    #else
      throw Unavailable()
    #endif
  }

  /// The ids could not be dropped.
  struct Unavailable: Error, CustomStringConvertible {
    var description: String { "could not switch file access to uid/gid \(UnprivilegedAccess.nobody)" }
  }

  #if os(Linux)
    /// `setfsuid`/`setfsgid` from the C library (not in Swift's Glibc module).
    private static func function(_ name: String) -> (@convention(c) (UInt32) -> Int32)? {
      guard let symbol = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
      return unsafeBitCast(symbol, to: (@convention(c) (UInt32) -> Int32).self)
    }
  #endif
}
