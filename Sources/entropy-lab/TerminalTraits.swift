#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What the shell may assume about where its output goes.
struct TerminalTraits {
  /// ANSI colour: stdout is a terminal, `NO_COLOR` is unset or empty,
  /// `TERM` is not `dumb`, and `--no-color` was not given (no-color.org,
  /// clig.dev).
  var color: Bool
  /// Unicode plots: stdout is a terminal and the locale is UTF-8.
  var unicode: Bool
  /// Whether stdout is a terminal (progress lines are drawn only then).
  var stdoutIsTerminal: Bool

  /// The traits of this process's stdout under `environment`.
  static func current(noColorFlag: Bool, environment: [String: String]) -> TerminalTraits {
    let terminal = isatty(STDOUT_FILENO) != 0
    let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
    let dumb = environment["TERM"] == "dumb"
    let locale =
      [environment["LC_ALL"], environment["LC_CTYPE"], environment["LANG"]]
      .compactMap { $0 }.first { !$0.isEmpty } ?? ""
    let utf8 = locale.lowercased().contains("utf-8") || locale.lowercased().contains("utf8")
    return TerminalTraits(
      color: terminal && !noColor && !dumb && !noColorFlag,
      unicode: terminal && !dumb && utf8,
      stdoutIsTerminal: terminal)
  }

  /// This process's environment variables.
  static func environment() -> [String: String] {
    var result: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
      let pair = String(cString: pointer)
      if let equals = pair.firstIndex(of: "=") {
        result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
      }
      entry += 1
    }
    return result
  }
}
