/// The checks every request and WebSocket handshake passes before anything
/// else looks at it (`PageHandler`):
///
/// - **Host** must name this server: `127.0.0.1`, `localhost` or `[::1]`
///   with the server's port (or, after `--host H`, `H` or any IP literal
///   with the port). A name that a DNS-rebinding attacker controls
///   (`evil.example:8123` resolving to 127.0.0.1) is refused: 403.
/// - **Origin**, when the browser sends one (it always does for a
///   WebSocket and a POST), must be `http://` + the request's own Host: a
///   page of another site cannot drive this one. Else 403.
/// - **token** (`?token=…`, or the header `Authorization: token …`) must be
///   the server's `AccessToken`: missing, 401; wrong, 403.
public struct RequestGuard: Sendable {
  /// The outcome of the checks.
  public enum Verdict: Sendable, Equatable {
    case allowed
    /// 401: no token was given.
    case missingToken
    /// 403, with the reason shown in the answer's body.
    case forbidden(String)
  }

  /// The server's token.
  let token: AccessToken
  /// The port the server listens on.
  let port: Int
  /// The address given with `--host`, nil when bound to loopback.
  let host: String?

  public init(token: AccessToken, port: Int, host: String?) {
    self.token = token
    self.port = port
    self.host = host
  }

  /// The verdict for a request with these headers and query token.
  public func check(host hostHeader: String?, origin: String?, token given: String?) -> Verdict {
    guard let hostHeader, isAllowedHost(hostHeader) else {
      return .forbidden("Host header '\(hostHeader ?? "")' is not this server's address (DNS rebinding?)")
    }
    if let origin, origin.lowercased() != "http://" + hostHeader.lowercased() {
      return .forbidden("Origin '\(origin)' is not this page's origin")
    }
    guard let given, !given.isEmpty else { return .missingToken }
    return token.matches(given) ? .allowed : .forbidden("wrong token")
  }

  /// Whether `value` (`host:port`) names this server.
  func isAllowedHost(_ value: String) -> Bool {
    let lowered = value.lowercased()
    guard let colon = lowered.lastIndex(of: ":"), lowered[lowered.index(after: colon)...] == String(port) else {
      return false
    }
    let name = String(lowered[..<colon])
    if ["127.0.0.1", "localhost", "[::1]"].contains(name) { return true }
    guard let host else { return false }
    return name == host.lowercased() || RequestGuard.isIPLiteral(name)
  }

  /// Whether `name` is a dotted IPv4 address or a bracketed IPv6 one: no
  /// DNS name, so nothing an attacker's DNS can point here.
  static func isIPLiteral(_ name: String) -> Bool {
    if name.hasPrefix("[") && name.hasSuffix("]") {
      return name.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4
      && parts.allSatisfy { part in
        !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) < 256
      }
  }
}
