import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `entropy-lab serve` as a process: it prints the page's URL with its
/// token, serves the page only with that token, and refuses bad flags.
/// (The HTTP and WebSocket API itself is tested in ServeTests.)
@Suite(.serialized) struct ServeCommandTests {
  /// Starts `entropy-lab serve ARGS` with no terminal, waits for its URL.
  func start(_ arguments: [String]) throws -> (Process, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try ShellBinary.path())
    process.arguments = ["serve"] + arguments
    process.environment = ShellBinary.environment([:])
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    var text = ""
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
      let data = out.fileHandleForReading.availableData
      if data.isEmpty { break }
      text += String(decoding: data, as: UTF8.self)
      if let line = text.split(separator: "\n").first(where: { $0.contains("?token=") }) {
        return (process, line.trimmingCharacters(in: .whitespaces))
      }
    }
    process.terminate()
    throw ServeStartFailure(output: text)
  }

  struct ServeStartFailure: Error { var output: String }

  /// The status of `GET target` at 127.0.0.1:`port`.
  func status(port: Int, _ target: String) throws -> Int {
    let head = try request(port: port, "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
    return Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
  }

  /// The whole answer to `raw`, sent to 127.0.0.1:`port` over a plain
  /// socket (a 10 s read timeout, so a silent server fails the test).
  func request(port: Int, _ raw: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
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
    try #require(connected == 0)
    let bytes = Array(raw.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      answer += buffer[0..<n]
    }
    return String(decoding: answer, as: UTF8.self)
  }

  @Test func theTerminalAndThePageShareOneSession() throws {
    let home = try TemporaryFolder()
    defer { home.remove() }
    let inputrc = try home.write("inputrc", "")
    let environment = ShellBinary.environment([
      "HOME": home.path, "XDG_STATE_HOME": home.path + "/state", "TERM": "xterm", "INPUTRC": inputrc,
    ])
    let shell = try PseudoTerminal(
      executable: try ShellBinary.path(), arguments: ["serve", "--port", "0"], environment: environment)
    let banner = try shell.expect("[1]> ")
    let match = try #require(banner.firstMatch(of: /127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})/), "\(banner)")
    let port = try #require(Int(match.1))
    let token = String(match.2)
    shell.type("rewards 1 0 0 0" + PseudoTerminal.enter)
    try shell.expect("[2]> ")
    // A step from the page, while the terminal waits at its prompt.
    let body = "step"
    let answer = try request(
      port: port,
      "POST /api/command?token=\(token) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: http://127.0.0.1:\(port)\r\n"
        + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    #expect(answer.hasPrefix("HTTP/1.1 200"))
    #expect(answer.contains("\"cell\":2"))
    // The terminal prints it above its prompt, which moves on to cell 3.
    try shell.expect("[2]> step   (from the page)")
    try shell.expect("[3]> ")
    // The terminal's next line sees the page's step.
    shell.type("history" + PseudoTerminal.enter)
    try shell.expect("[4]> ")
    let history = try request(
      port: port, "GET /api/state?token=\(token) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
    #expect(history.contains("\"command\":\"history\""))
    #expect(history.contains("\"steps\":1"))
    shell.type("quit" + PseudoTerminal.enter)
    #expect(try shell.waitForExit() == 0)
  }

  @Test func printsTheURLAndChecksItsToken() throws {
    let (process, url) = try start(["--port", "0"])
    defer {
      process.terminate()
      process.waitUntilExit()
    }
    let match = url.wholeMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})/)
    let found = try #require(match, "\(url)")
    let port = try #require(Int(found.1))
    let token = String(found.2)
    #expect(try status(port: port, "/?token=\(token)") == 200)
    #expect(try status(port: port, "/") == 401)
    #expect(try status(port: port, "/?token=" + String(repeating: "0", count: 64)) == 403)
  }

  @Test func badFlagsAreRefused() throws {
    for arguments in [
      ["--allow-writes", "/nonexistent-folder-for-serve"], ["--host", "not-an-address", "--port", "0"],
    ] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: try ShellBinary.path())
      process.arguments = ["serve"] + arguments
      process.standardOutput = FileHandle.nullDevice
      let errors = Pipe()
      process.standardError = errors
      process.standardInput = FileHandle.nullDevice
      try process.run()
      let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 64, "\(arguments): \(message)")
      #expect(message.contains(arguments[1]))
    }
  }
}
