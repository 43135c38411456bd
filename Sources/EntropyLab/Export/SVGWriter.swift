/// Builds SVG markup with every text and attribute escaped.
struct SVGWriter {
  /// The markup so far.
  private(set) var text = ""
  private var depth = 0

  /// Opens `<name …>` on its own line.
  mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
    text += indent + "<" + name + SVGWriter.attributes(attributes) + ">\n"
    depth += 1
  }

  /// Closes `</name>`.
  mutating func close(_ name: String) {
    depth -= 1
    text += indent + "</" + name + ">" + (depth == 0 ? "" : "\n")
  }

  /// An element with no content: `<name …/>`.
  mutating func empty(_ name: String, _ attributes: [(String, String)]) {
    text += indent + "<" + name + SVGWriter.attributes(attributes) + "/>\n"
  }

  /// An element holding escaped `text`.
  mutating func element(_ name: String, text content: String, _ attributes: [(String, String)] = []) {
    text += indent + "<" + name + SVGWriter.attributes(attributes) + ">" + XMLText.escape(content) + "</" + name + ">\n"
  }

  private var indent: String { String(repeating: " ", count: depth) }

  private static func attributes(_ pairs: [(String, String)]) -> String {
    pairs.map { " " + $0.0 + "=\"" + XMLText.attribute($0.1) + "\"" }.joined()
  }
}
