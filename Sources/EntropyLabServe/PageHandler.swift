import EntropyLab
import FlyingFox
import Foundation
import Synchronization

/// Every request the server gets, whatever its path, comes here first and
/// passes the `RequestGuard` (Host, Origin, token) before it is routed.
/// The routes:
///
/// | route | does |
/// | --- | --- |
/// | `GET /` | the page (read-only) |
/// | `GET /api/state?state=s` | the current view as JSON (read-only) |
/// | `POST /api/command` | runs the body (one line) as from the page |
/// | `POST /api/next`, `/api/back`, `/api/undo` | the lesson's and Undo buttons |
/// | `GET /ws` | the WebSocket (`PageSocket`) |
///
/// Nothing else runs anything: every other path is 404.
struct PageHandler: HTTPHandler {
  let hub: LabHub
  /// The guard, set once the server listens (its port is known only then).
  let guardian: GuardSlot

  func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
    guard let requestGuard = guardian.current else { return text(.serviceUnavailable, "starting up") }
    let token = request.query["token"] ?? Self.authorizationToken(request.headers[.authorization])
    switch requestGuard.check(host: request.headers[.host], origin: request.headers[HTTPHeader("Origin")], token: token)
    {
    case .missingToken:
      return text(.unauthorized, "a token is needed: open the URL that 'entropy-lab serve' printed (…/?token=…)")
    case .forbidden(let reason):
      return text(.forbidden, "forbidden: \(reason)")
    case .allowed:
      break
    }
    switch (request.method, request.path) {
    case (.GET, "/"), (.GET, "/index.html"):
      return HTTPResponse(statusCode: .ok, headers: PageHandler.pageHeaders, body: Data(PageResource.html.utf8))
    case (.GET, "/api/state"):
      return json(await hub.view(state: request.query["state"].flatMap { Int($0) } ?? 0))
    case (.POST, "/api/command"):
      let line = String(decoding: try await request.bodyData, as: UTF8.self)
      guard let (cell, recorded) = await hub.execute(line, from: .page) else {
        return json(JSONValue.object([("type", .string("result")), ("cell", .null)]).serialized)
      }
      return json(PageView.result(cell, recorded: recorded).serialized)
    case (.POST, "/api/next"):
      guard let (cell, recorded) = await hub.next() else {
        return json(PageSocket.error("the lesson has no next cell"))
      }
      return json(PageView.result(cell, recorded: recorded).serialized)
    case (.POST, "/api/back"):
      return json(await hub.back() ? await hub.view() : PageSocket.error("nothing to go back to"))
    case (.POST, "/api/undo"):
      return json(await hub.undo() ? await hub.view() : PageSocket.error("nothing to undo"))
    case (.GET, "/ws"):
      return try await WebSocketHTTPHandler(handler: MessageFrameWSHandler(handler: PageSocket(hub: hub)))
        .handleRequest(request)
    default:
      return text(.notFound, "not found")
    }
  }

  /// `Authorization: token T` → T.
  static func authorizationToken(_ header: String?) -> String? {
    guard let header, header.lowercased().hasPrefix("token ") else { return nil }
    return String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)
  }

  /// The page's headers: never cached, never framed by another site, its
  /// URL (with the token) never sent as a referrer, scripts only its own.
  static let pageHeaders: HTTPHeaders = [
    .contentType: "text/html; charset=utf-8",
    .cacheControl: "no-store",
    HTTPHeader("Referrer-Policy"): "no-referrer",
    HTTPHeader("X-Frame-Options"): "DENY",
    HTTPHeader("X-Content-Type-Options"): "nosniff",
    HTTPHeader("Content-Security-Policy"):
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
      + "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  ]

  private func json(_ body: String) -> HTTPResponse {
    HTTPResponse(
      statusCode: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: Data(body.utf8))
  }

  private func text(_ status: HTTPStatusCode, _ body: String) -> HTTPResponse {
    HTTPResponse(
      statusCode: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
      body: Data((body + "\n").utf8))
  }
}

/// Holds the `RequestGuard` once the port is known (set once, read by every request).
final class GuardSlot: Sendable {
  private let slot = Mutex<RequestGuard?>(nil)

  var current: RequestGuard? { slot.withLock { $0 } }

  func set(_ value: RequestGuard) { slot.withLock { $0 = value } }
}
