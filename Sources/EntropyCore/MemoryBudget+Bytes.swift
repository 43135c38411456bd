extension MemoryBudget {
  /// Throws unless `bytes` more, besides `held` bytes already in use, fit
  /// in the budget (e.g. a sweep's trajectories and working states).
  package static func check(bytes: Double, held: Double = 0) throws(CoreError) {
    let available = limit
    let needed = bytes + held
    guard needed <= available, !needed.isNaN else { throw .tooLarge(bytesNeeded: needed, bytesAvailable: available) }
  }

  /// A size such as `512M`, `2G`, `1.5GiB`, `100000` (bytes): K, M, G, T
  /// (and kB/MB/GB/TB) are powers of 1000, KiB/MiB/GiB/TiB (and k, m, g, t
  /// with an `i`) powers of 1024. Nil for anything else or a size below
  /// 1 MiB or beyond `Int.max`.
  package static func parseSize(_ text: String) -> Int? {
    let lower = text.lowercased()
    let digits = lower.prefix { $0.isNumber || $0 == "." }
    guard !digits.isEmpty, let value = Double(digits), value.isFinite else { return nil }
    let unit = lower.dropFirst(digits.count)
    let factors: [String: Double] = [
      "": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
      "ki": 1024, "kib": 1024, "mi": 1_048_576, "mib": 1_048_576, "gi": 1_073_741_824, "gib": 1_073_741_824,
      "ti": 1_099_511_627_776,
      "tib": 1_099_511_627_776,
    ]
    guard let factor = factors[String(unit)] else { return nil }
    let bytes = value * factor
    guard bytes >= Double(1 << 20), bytes < Double(Int.max) else { return nil }
    return Int(bytes)
  }
}
