import EntropyLab
import FlyingFox
import Foundation

/// The live classroom page's server: FlyingFox's `HTTPServer` with one
/// handler (`PageHandler`) around a `LabHub`, bound to 127.0.0.1 unless a
/// host is given.
///
/// It runs in its own task on Swift's concurrency pool; `serve` keeps the
/// readline shell on the main thread, and both reach the session only
/// through the hub (an actor), so lines run one at a time in arrival order.
public final class LabServer: Sendable {
  /// The shared session.
  public let hub: LabHub
  /// The token in the URL.
  public let token: AccessToken
  /// The address given with `--host`, nil for loopback.
  public let host: String?
  private let server: HTTPServer
  private let guardian = GuardSlot()

  /// A server for `hub` on `host` (nil: 127.0.0.1) and `port` (0: any free port).
  ///
  /// - Throws: `LabError` when `host` is not an IPv4 or IPv6 address.
  public init(hub: LabHub, host: String?, port: UInt16, token: AccessToken = AccessToken()) throws(LabError) {
    self.hub = hub
    self.token = token
    self.host = host
    let handler = PageHandler(hub: hub, guardian: guardian)
    // A long `run` from the page may take minutes: FlyingFox's default
    // 15 s per request would answer it with an error while it still ran.
    let timeout: TimeInterval = 24 * 3600
    do {
      if let host, host.contains(":") {
        server = HTTPServer(
          address: try .inet6(ip6: host, port: port), timeout: timeout, logger: .disabled, handler: handler)
      } else {
        server = HTTPServer(
          address: try .inet(ip4: host ?? "127.0.0.1", port: port), timeout: timeout, logger: .disabled,
          handler: handler)
      }
    } catch {
      throw LabError(
        command: "serve", word: host, problem: "is not an IP address (expected --host 0.0.0.0, 192.168.1.5 or ::)")
    }
  }

  /// Starts listening and returns the port. The server then runs until
  /// `stop()`.
  public func start() async throws -> Int {
    let server = self.server
    Task { try await server.run() }
    try await server.waitUntilListening(timeout: 10)
    let port: Int
    switch await server.listeningAddress {
    case .ip4(_, let p)?, .ip6(_, let p)?: port = Int(p)
    default: port = 0
    }
    guardian.set(RequestGuard(token: token, port: port, host: host))
    return port
  }

  /// Stops listening and closes every connection.
  public func stop() async {
    await server.stop(timeout: 1)
  }

  /// The URL to open: `http://127.0.0.1:PORT/?token=…` (with `--host`, that
  /// address, or 127.0.0.1 for a wildcard one).
  public func url(port: Int) -> String {
    var name = host ?? "127.0.0.1"
    if name == "0.0.0.0" || name == "::" { name = "127.0.0.1" }
    if name.contains(":") { name = "[\(name)]" }
    return "http://\(name):\(port)/?token=\(token.text)"
  }
}
