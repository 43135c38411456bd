#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  @preconcurrency import Darwin
#endif

/// The C standard streams. The C library exports them as mutable globals,
/// which Swift 6 counts as shared mutable state; the shell reads and writes
/// them from its one thread only, so this is the one place that says so.
enum StandardStreams {
  /// `stdin`.
  static var input: UnsafeMutablePointer<FILE> { stdin }
  /// `stdout`.
  static var output: UnsafeMutablePointer<FILE> { stdout }
  /// `stderr`.
  static var error: UnsafeMutablePointer<FILE> { stderr }
}
