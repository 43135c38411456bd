/// JSON laid out one member per line, as Jupyter writes `.ipynb` files
/// (so an exported notebook diffs line by line in version control).
extension JSONValue {
  /// The value as indented JSON text: each array item and object member on
  /// its own line, nested `indent` spaces deeper; empty arrays and objects
  /// as `[]` and `{}`. Strings and numbers are written as `serialized` does.
  public func pretty(indent: Int = 1) -> String {
    var out = ""
    write(to: &out, depth: 0, indent: indent)
    return out
  }

  private func write(to out: inout String, depth: Int, indent: Int) {
    let inner = String(repeating: " ", count: (depth + 1) * indent)
    let outer = String(repeating: " ", count: depth * indent)
    switch self {
    case .array(let items) where !items.isEmpty:
      out += "[\n"
      for (index, item) in items.enumerated() {
        out += inner
        item.write(to: &out, depth: depth + 1, indent: indent)
        out += index + 1 < items.count ? ",\n" : "\n"
      }
      out += outer + "]"
    case .object(let pairs) where !pairs.isEmpty:
      out += "{\n"
      for (index, (key, value)) in pairs.enumerated() {
        out += inner + JSONValue.quote(key) + ": "
        value.write(to: &out, depth: depth + 1, indent: indent)
        out += index + 1 < pairs.count ? ",\n" : "\n"
      }
      out += outer + "}"
    default:
      out += serialized
    }
  }
}
