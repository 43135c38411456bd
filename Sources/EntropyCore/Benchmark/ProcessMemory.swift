import Foundation

/// The process's memory use, from /proc/self/status (Linux).
package enum ProcessMemory {
  /// Peak resident set size (VmHWM) in bytes, or nil where /proc is absent.
  package static var peakResidentBytes: Double? { field("VmHWM") }

  /// Current resident set size (VmRSS) in bytes, or nil.
  package static var residentBytes: Double? { field("VmRSS") }

  /// Resets the peak (VmHWM) to the current resident size by writing 5 to
  /// /proc/self/clear_refs (Linux 4.0 and later); false where that fails.
  package static func resetPeak() -> Bool {
    guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
    defer { try? handle.close() }
    do {
      try handle.write(contentsOf: Data("5".utf8))
      return true
    } catch {
      return false
    }
  }

  /// A "Name:   123 kB" line of /proc/self/status, in bytes.
  static func field(_ name: String) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
      let parts = line.split(separator: " ", omittingEmptySubsequences: true)
      guard parts.count >= 2, let kb = Double(parts[1]) else { return nil }
      return kb * 1024
    }
    return nil
  }
}
