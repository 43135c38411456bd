import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A deliberately plain HTTP and WebSocket client over a blocking socket,
/// so the tests choose every header themselves (a wrong Host or Origin, no
/// token) and see the server's raw answers. Every read times out after 10 s,
/// so a server that never answers fails the test instead of hanging it.
final class RawClient: @unchecked Sendable {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  private let fd: Int32
  private var buffer: [UInt8] = []

  /// A connection to 127.0.0.1:`port`.
  init(port: Int) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw Failure(description: "socket() failed") }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(fd)
      throw Failure(description: "cannot connect to port \(port)")
    }
  }

  deinit { close(fd) }

  func send(_ bytes: [UInt8]) throws {
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { throw Failure(description: "write failed") }
      sent += n
    }
  }

  /// Reads more bytes into the buffer; false at the end of the stream.
  private func fill() throws -> Bool {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n < 0 { throw Failure(description: "read failed or timed out (errno \(errno))") }
    if n == 0 { return false }
    buffer += chunk[0..<n]
    return true
  }

  private func take(_ count: Int) throws -> [UInt8] {
    while buffer.count < count {
      guard try fill() else { throw Failure(description: "the connection closed early") }
    }
    defer { buffer.removeFirst(count) }
    return Array(buffer[0..<count])
  }

  /// The status line and headers of a response (up to the blank line).
  func readHead() throws -> (status: Int, head: String) {
    let end: [UInt8] = Array("\r\n\r\n".utf8)
    while true {
      if let range = buffer.firstRange(of: end) {
        let head = String(decoding: buffer[..<range.lowerBound], as: UTF8.self)
        buffer.removeFirst(range.upperBound)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, head)
      }
      guard try fill() else { throw Failure(description: "the connection closed before the headers ended") }
    }
  }

  /// One HTTP/1.1 request with `Connection: close`; the answer's status, headers and body.
  static func http(
    port: Int, method: String = "GET", target: String, host: String? = nil, origin: String? = nil,
    body: String = "", extra: [String] = []
  ) throws -> (status: Int, head: String, body: String) {
    let client = try RawClient(port: port)
    var lines = ["\(method) \(target) HTTP/1.1", "Host: \(host ?? "127.0.0.1:\(port)")", "Connection: close"]
    if let origin { lines.append("Origin: \(origin)") }
    lines += extra
    if method == "POST" { lines += ["Content-Type: text/plain", "Content-Length: \(body.utf8.count)"] }
    try client.send(Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8))
    let (status, head) = try client.readHead()
    while try client.fill() {}
    return (status, head, String(decoding: client.buffer, as: UTF8.self))
  }

  // MARK: WebSocket

  /// Opens a WebSocket at `/ws?token=…`; returns the handshake's status.
  func openWebSocket(port: Int, token: String?, host: String? = nil, origin: String?) throws -> Int {
    var lines = [
      "GET /ws\(token.map { "?token=\($0)" } ?? "") HTTP/1.1", "Host: \(host ?? "127.0.0.1:\(port)")",
      "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
    ]
    if let origin { lines.append("Origin: \(origin)") }
    try send(Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8))
    return try readHead().status
  }

  /// Sends one masked text frame (clients must mask, RFC 6455 §5.3).
  func sendText(_ text: String) throws {
    let payload = Array(text.utf8)
    var frame: [UInt8] = [0x81]
    if payload.count < 126 {
      frame.append(0x80 | UInt8(payload.count))
    } else {
      frame.append(0x80 | 126)
      frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    }
    let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
    frame += mask
    frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    try send(frame)
  }

  /// The next whole text message (continuation frames joined).
  func receiveText() throws -> String {
    var message: [UInt8] = []
    while true {
      let head = try take(2)
      var length = Int(head[1] & 0x7F)
      if length == 126 {
        let b = try take(2)
        length = Int(b[0]) << 8 | Int(b[1])
      } else if length == 127 {
        length = try take(8).reduce(0) { $0 << 8 | Int($1) }
      }
      let payload = try take(length)
      let opcode = head[0] & 0x0F
      if opcode == 0x8 { throw Failure(description: "the server closed the WebSocket") }
      if opcode == 0x9 || opcode == 0xA { continue }
      message += payload
      if head[0] & 0x80 != 0 { return String(decoding: message, as: UTF8.self) }
    }
  }

  /// Messages until one satisfies `done` (at most `limit`): its JSON text.
  func receive(until done: ([String: Any]) -> Bool, limit: Int = 50) throws -> String {
    for _ in 0..<limit {
      let text = try receiveText()
      if let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], done(object) {
        return text
      }
    }
    throw Failure(description: "no matching message in \(limit)")
  }
}

/// Runs blocking socket work on its own thread, off Swift's concurrency
/// pool, which the server under test needs.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    Thread { continuation.resume(with: Result { try body() }) }.start()
  }
}
