import Foundation

/// A JSON value, written by `JSONValue.serialized` with keys in the order
/// given (so transcripts diff cleanly).
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int)
  /// A whole number beyond `Int` (a seed up to 2⁶⁴ − 1), written exactly.
  case unsigned(UInt64)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    lhs.serialized == rhs.serialized
  }

  /// Compact JSON text. Non-finite numbers become `null` (JSON has none);
  /// finite ones are written with 17 significant digits, enough to round-trip.
  public var serialized: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .unsigned(let u): return String(u)
    case .number(let x):
      guard x.isFinite else { return "null" }
      if x == x.rounded() && abs(x) < 1e15 { return String(format: "%.1f", x) }
      return String(format: "%.17g", x)
    case .string(let s): return JSONValue.quote(s)
    case .array(let items): return "[" + items.map(\.serialized).joined(separator: ",") + "]"
    case .object(let pairs):
      return "{" + pairs.map { JSONValue.quote($0.0) + ":" + $0.1.serialized }.joined(separator: ",") + "}"
    }
  }

  /// A JSON string literal with the required escapes.
  static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
