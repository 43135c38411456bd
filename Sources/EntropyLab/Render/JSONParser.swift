/// Reads JSON text back into a `JSONValue`, keeping the order of keys, so
/// that `JSONValue.serialized` of what it reads gives back text written by
/// `serialized`, byte for byte: a number without `.`, `e` or `E` is `.int`,
/// any other `.number` (17 significant digits read back exactly).
public enum JSONParser {
  /// Why text is not JSON: the problem and the byte offset.
  public struct Failure: Error, Equatable, Sendable {
    public var problem: String
    public var offset: Int
  }

  /// The value of `text` (one JSON value, surrounding white space allowed).
  public static func parse(_ text: String) throws(Failure) -> JSONValue {
    var reader = Reader(bytes: Array(text.utf8))
    let value = try reader.value(depth: 0)
    reader.skipSpace()
    guard reader.at == reader.bytes.count else { throw Failure(problem: "text after the value", offset: reader.at) }
    return value
  }

  struct Reader {
    let bytes: [UInt8]
    var at = 0

    mutating func skipSpace() {
      while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
    }

    func fail(_ problem: String) -> Failure { Failure(problem: problem, offset: at) }

    mutating func expect(_ word: String) throws(Failure) {
      for b in word.utf8 {
        guard at < bytes.count, bytes[at] == b else { throw fail("expected '\(word)'") }
        at += 1
      }
    }

    mutating func value(depth: Int) throws(Failure) -> JSONValue {
      guard depth < 64 else { throw fail("nested too deeply") }
      skipSpace()
      guard at < bytes.count else { throw fail("unexpected end") }
      switch bytes[at] {
      case UInt8(ascii: "{"):
        at += 1
        var pairs: [(String, JSONValue)] = []
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
          at += 1
          return .object(pairs)
        }
        while true {
          skipSpace()
          let key = try string()
          skipSpace()
          try expect(":")
          pairs.append((key, try value(depth: depth + 1)))
          skipSpace()
          guard at < bytes.count else { throw fail("unexpected end in an object") }
          if bytes[at] == UInt8(ascii: ",") {
            at += 1
            continue
          }
          try expect("}")
          return .object(pairs)
        }
      case UInt8(ascii: "["):
        at += 1
        var items: [JSONValue] = []
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
          at += 1
          return .array(items)
        }
        while true {
          items.append(try value(depth: depth + 1))
          skipSpace()
          guard at < bytes.count else { throw fail("unexpected end in an array") }
          if bytes[at] == UInt8(ascii: ",") {
            at += 1
            continue
          }
          try expect("]")
          return .array(items)
        }
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"):
        try expect("true")
        return .bool(true)
      case UInt8(ascii: "f"):
        try expect("false")
        return .bool(false)
      case UInt8(ascii: "n"):
        try expect("null")
        return .null
      default: return try number()
      }
    }

    mutating func number() throws(Failure) -> JSONValue {
      let start = at
      var fractional = false
      while at < bytes.count {
        let b = bytes[at]
        if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
          fractional = true
        } else if !(b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || (b >= 0x30 && b <= 0x39)) {
          break
        }
        at += 1
      }
      let text = String(decoding: bytes[start..<at], as: UTF8.self)
      if !fractional, let i = Int(text) { return .int(i) }
      if !fractional, let u = UInt64(text) { return .unsigned(u) }
      guard !text.isEmpty, let x = Double(text), x.isFinite else {
        at = start
        throw fail("not a JSON value")
      }
      return .number(x)
    }

    mutating func string() throws(Failure) -> String {
      try expect("\"")
      var out: [UInt8] = []
      while at < bytes.count {
        let b = bytes[at]
        at += 1
        if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
        guard b == UInt8(ascii: "\\") else {
          out.append(b)
          continue
        }
        guard at < bytes.count else { break }
        let e = bytes[at]
        at += 1
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
          guard at + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16)
          else { throw fail("bad \\u escape") }
          at += 4
          out.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
        default: out.append(e)
        }
      }
      throw fail("unterminated string")
    }
  }
}

extension JSONValue {
  /// The value under `key` of an object (nil otherwise).
  public subscript(key: String) -> JSONValue? {
    guard case .object(let pairs) = self else { return nil }
    return pairs.first { $0.0 == key }?.1
  }

  /// A number or whole number as Double; `null` as NaN.
  public var doubleValue: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .unsigned(let u): return Double(u)
    case .number(let x): return x
    case .null: return .nan
    default: return nil
    }
  }
}
