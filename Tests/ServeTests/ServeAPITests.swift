import EntropyLab
import Foundation
import Testing

@testable import EntropyLabServe

/// A server on an ephemeral port around a fresh hub, stopped by `stop()`.
struct RunningServer {
  let server: LabServer
  let port: Int
  var hub: LabHub { server.hub }
  var token: String { server.token.text }
  var origin: String { "http://127.0.0.1:\(port)" }

  static func start(
    pageMode: FileAccessPolicy.Mode = .safe(writableFolder: nil), lesson: String? = nil
  ) async throws -> RunningServer {
    let notebook = try lesson.map { try NotebookParser.parse($0, path: "lesson.md") }
    let hub = LabHub(seed: 0, style: .plain, lesson: notebook, path: "lesson.md", pageMode: pageMode)
    let server = try LabServer(hub: hub, host: nil, port: 0)
    return RunningServer(server: server, port: try await server.start())
  }

  func stop() async { await server.stop() }

  /// GET or POST `target` with the right Host, this origin unless given.
  func http(
    _ method: String = "GET", _ target: String, body: String = "", host: String? = nil, origin: String?? = nil
  ) async throws -> (status: Int, head: String, body: String) {
    let port = self.port
    let origin = origin ?? (method == "POST" ? self.origin : nil)
    return try await offPool {
      try RawClient.http(port: port, method: method, target: target, host: host, origin: origin, body: body)
    }
  }

  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }
}

/// The HTTP and WebSocket API of `entropy-lab serve`, over real sockets on
/// an ephemeral loopback port: the guard (token, Host, Origin), commands,
/// streamed views, the page's file policy, the lesson's Next and Back.
@Suite(.serialized) struct ServeAPITests {
  @Test func thePageNeedsTheToken() async throws {
    let s = try await RunningServer.start()
    defer { Task { await s.stop() } }
    #expect(try await s.http("GET", "/").status == 401)
    #expect(try await s.http("GET", "/?token=").status == 401)
    #expect(try await s.http("GET", "/?token=0123").status == 403)
    let wrong = String(s.token.dropLast()) + (s.token.hasSuffix("0") ? "1" : "0")
    #expect(try await s.http("GET", "/?token=\(wrong)").status == 403)
    #expect(try await s.http("GET", "/api/state").status == 401)
    #expect(try await s.http("POST", "/api/command", body: "step").status == 401)
    #expect(try await s.http("GET", "/nowhere").status == 401)
    let page = try await s.http("GET", "/?token=\(s.token)")
    #expect(page.status == 200)
    #expect(page.body.contains("EntropyLab — live"))
    #expect(page.head.lowercased().contains("content-security-policy"))
    // The token also works as a header.
    let port = s.port
    let token = s.token
    let viaHeader = try await offPool {
      try RawClient.http(port: port, target: "/api/state", extra: ["Authorization: token \(token)"])
    }
    #expect(viaHeader.status == 200)
    #expect(await s.hub.view().contains("\"steps\":0"))
  }

  @Test func aForeignHostIsRefused() async throws {
    let s = try await RunningServer.start()
    defer { Task { await s.stop() } }
    // DNS rebinding: a name the attacker controls, resolving to 127.0.0.1.
    let rebound = try await s.http("GET", "/api/state?token=\(s.token)", host: "evil.example:\(s.port)")
    #expect(rebound.status == 403)
    #expect(rebound.body.contains("Host"))
    #expect(try await s.http("GET", "/?token=\(s.token)", host: "127.0.0.1:1").status == 403)
    #expect(try await s.http("GET", "/?token=\(s.token)", host: "localhost:\(s.port)").status == 200)
    let command = try await s.http(
      "POST", "/api/command?token=\(s.token)", body: "step", host: "evil.example:\(s.port)")
    #expect(command.status == 403)
    #expect(await s.hub.view().contains("\"cells\":[]"))
  }

  @Test func aForeignOriginIsRefused() async throws {
    let s = try await RunningServer.start()
    defer { Task { await s.stop() } }
    let post = try await s.http("POST", "/api/command?token=\(s.token)", body: "lr 0.5", origin: "http://evil.example")
    #expect(post.status == 403)
    #expect(post.body.contains("Origin"))
    #expect(try await s.http("POST", "/api/command?token=\(s.token)", body: "lr 0.5", origin: "null").status == 403)
    #expect(await s.hub.view().contains("\"lr\":0.10000000000000001"))
    let port = s.port
    let token = s.token
    let socketStatus = try await offPool {
      try RawClient(port: port).openWebSocket(port: port, token: token, origin: "http://evil.example")
    }
    #expect(socketStatus == 403)
    let noToken = try await offPool {
      try RawClient(port: port).openWebSocket(port: port, token: nil, origin: "http://127.0.0.1:\(port)")
    }
    #expect(noToken == 401)
  }

  @Test func aCommandRunsAndChangesTheState() async throws {
    let s = try await RunningServer.start()
    defer { Task { await s.stop() } }
    for line in ["policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "lr 0.1"] {
      let answer = try await s.http("POST", "/api/command?token=\(s.token)", body: line)
      #expect(answer.status == 200)
      #expect(try s.json(answer.body)["failed"] as? Bool == false)
    }
    let step = try s.json(try await s.http("POST", "/api/command?token=\(s.token)", body: "step").body)
    #expect(step["cell"] as? Int == 4)
    // The cell's results as --json prints them: the spec's check vector.
    let records = try #require(step["json"] as? [[String: Any]])
    let change = try #require(records.first?["entropy_change"] as? Double)
    #expect(abs(change - -4.08127399e-03) < 1e-11)  // printed to 9 significant digits in the README
    let view = try s.json(try await s.http("GET", "/api/state?token=\(s.token)").body)
    let status = try #require(view["status"] as? [String: Any])
    #expect(status["steps"] as? Int == 1)
    let last = try #require(view["last"] as? [String: Any])
    #expect(abs((last["first_order"] as? Double ?? 0) - -4.05510317e-03) < 1e-11)
    let bars = try #require((view["policy"] as? [String: Any])?["bars"] as? [[String: Any]])
    #expect(bars.map { $0["arm"] as? Int } == [0, 3, 1, 2])  // sorted by π, largest first
    let shares = bars.compactMap { $0["share"] as? Double }
    let firstOrder = try #require((view["policy"] as? [String: Any])?["first_order"] as? Double)
    // The shares sum to Cov(log π, Δz) = −(first-order ΔH); README's
    // `show` after one step: ΔH ≈ -4.06702209e-03.
    #expect(abs(shares.reduce(0, +) + firstOrder) < 1e-15)
    #expect(abs(firstOrder - -4.06702209e-03) < 1e-11)
    // Undo returns to before the step.
    #expect(try await s.http("POST", "/api/undo?token=\(s.token)").status == 200)
    #expect(await s.hub.view().contains("\"steps\":0"))
  }

  @Test func viewsStreamOverTheWebSocket() async throws {
    let s = try await RunningServer.start()
    defer { Task { await s.stop() } }
    let port = s.port
    let token = s.token
    let hub = s.hub
    let client = try await offPool { () -> RawClient in
      let client = try RawClient(port: port)
      let status = try client.openWebSocket(port: port, token: token, origin: "http://127.0.0.1:\(port)")
      guard status == 101 else { throw RawClient.Failure(description: "handshake answered \(status)") }
      return client
    }
    let socket = client
    let first = try await offPool { try socket.receive { $0["type"] as? String == "view" } }
    #expect(first.contains("steps"))
    // A command from the page: its result, and a view with the step.
    let result = try await offPool { () -> String in
      try socket.sendText(#"{"op":"command","line":"rewards 1 0 0 0"}"#)
      try socket.sendText(#"{"op":"command","line":"step"}"#)
      return try socket.receive { $0["type"] as? String == "result" && $0["command"] as? String == "step" }
    }
    #expect(result.contains("entropy_change"))
    // A line typed at the terminal reaches the page too.
    _ = await hub.execute("lr 0.25", from: .terminal)
    let streamed = try s.json(
      try await offPool { try socket.receive { (($0["status"] as? [String: Any])?["lr"] as? Double) == 0.25 } })
    let cells = try #require(streamed["cells"] as? [[String: Any]])
    #expect(cells.map { $0["command"] as? String } == ["rewards 1 0 0 0", "step", "lr 0.25"])
    // Bad messages run nothing.
    let bad = try s.json(
      try await offPool { () -> String in
        try socket.sendText(#"{"op":"shell","line":"step"}"#)
        return try socket.receive { $0["type"] as? String == "error" }
      })
    #expect((bad["error"] as? String)?.contains("unknown op") == true)
    #expect(await hub.view().contains("\"steps\":1"))
  }

  /// Stop sent half a second after the run (it is running, unless the
  /// machine is busy) and at once (it is still queued behind `rewards`):
  /// either way the run stops.
  @Test(arguments: [0.5, 0])
  func stopInterruptsALongRunFromThePage(after delay: Double) async throws {
    let s = try await RunningServer.start()
    defer { Task { await s.stop() } }
    let port = s.port
    let token = s.token
    let started = Date()
    let result = try s.json(
      try await offPool { () -> String in
        let socket = try RawClient(port: port)
        guard try socket.openWebSocket(port: port, token: token, origin: "http://127.0.0.1:\(port)") == 101 else {
          throw RawClient.Failure(description: "no WebSocket")
        }
        _ = try socket.receiveText()  // the first view
        try socket.sendText(#"{"op":"command","line":"rewards 1 0 0 0"}"#)
        try socket.sendText(#"{"op":"command","line":"step 10000000"}"#)  // the longest run step accepts
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        try socket.sendText(#"{"op":"stop"}"#)
        return try socket.receive {
          $0["type"] as? String == "result" && ($0["command"] as? String)?.hasPrefix("step") == true
        }
      })
    #expect((result["output"] as? String)?.contains("interrupted after") == true, "\(result)")
    #expect(Date().timeIntervalSince(started) < 60)
    // A Stop while nothing runs leaves no request behind for the next line.
    s.hub.interrupt()
    #expect(!s.hub.isStopPending)
  }

  @Test func fileCommandsFromThePageNeedAllowWrites() async throws {
    let folder = FileManager.default.temporaryDirectory.path + "/serve-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let target = folder + "/lesson.md"
    let s = try await RunningServer.start()
    for line in ["save \(target)", "sav \(target)", "export csv \(folder)/t.csv", "replay \(target)", "quit"] {
      let answer = try s.json(try await s.http("POST", "/api/command?token=\(s.token)", body: line).body)
      #expect(answer["failed"] as? Bool == true, "\(line)")
      #expect(answer["recorded"] as? Bool == false)
    }
    #expect(!FileManager.default.fileExists(atPath: target))
    // The terminal's own lines are trusted.
    let typed = await s.hub.execute("save \(folder)/typed.md", from: .terminal)
    #expect(typed?.cell.failed == false)
    #expect(FileManager.default.fileExists(atPath: folder + "/typed.md"))
    await s.stop()

    // With --allow-writes DIR: inside DIR only.
    let allowed = try await RunningServer.start(
      pageMode: try FileAccessPolicy.requestedMode(
        trust: false, allowWrites: folder, command: "serve"))
    defer { Task { await allowed.stop() } }
    let inside = try allowed.json(
      try await allowed.http("POST", "/api/command?token=\(allowed.token)", body: "save \(target)").body)
    #expect(inside["failed"] as? Bool == false)
    #expect(FileManager.default.fileExists(atPath: target))
    let outside = try allowed.json(
      try await allowed.http("POST", "/api/command?token=\(allowed.token)", body: "save \(folder)/../escape.md").body)
    #expect(outside["failed"] as? Bool == true)
    #expect(!FileManager.default.fileExists(atPath: folder + "/../escape.md"))
  }

  @Test func aLessonStepsForwardAndBack() async throws {
    let lesson = """
      # A lesson

      Set a policy.

      ```lab
      [1]> policy logits 1 0 -1 0.5
      ```

      Then reward two arms and step.

      ```lab
      [2]> rewards 1 0 0 1
      [3]> step
      ```
      """
    let s = try await RunningServer.start(lesson: lesson)
    defer { Task { await s.stop() } }
    let before = try s.json(await s.hub.view())
    #expect((before["lesson"] as? [String: Any])?["next"] as? String == "policy logits 1 0 -1 0.5")
    for _ in 0..<3 { #expect(try await s.http("POST", "/api/next?token=\(s.token)").status == 200) }
    let done = try s.json(await s.hub.view())
    #expect((done["lesson"] as? [String: Any])?["position"] as? Int == 3)
    #expect((done["status"] as? [String: Any])?["steps"] as? Int == 1)
    // A command typed between, then Back: both undone, as present's 'b'.
    _ = await s.hub.execute("lr 0.5", from: .page)
    #expect(try await s.http("POST", "/api/back?token=\(s.token)").status == 200)
    let back = try s.json(await s.hub.view())
    #expect((back["lesson"] as? [String: Any])?["position"] as? Int == 2)
    #expect((back["status"] as? [String: Any])?["steps"] as? Int == 0)
    #expect((back["status"] as? [String: Any])?["lr"] as? Double == 0.1)
    #expect((back["cells"] as? [Any])?.count == 2)
  }
}

@Suite struct UndoTests {
  @Test func undoGoesBackLineByLineAsFarAsItsDepth() async throws {
    let hub = LabHub(seed: 0, style: .plain, lesson: nil, path: nil, pageMode: .safe(writableFolder: nil))
    _ = await hub.execute("rewards 1 0 0 0", from: .terminal)
    for _ in 0..<(LabHub.undoDepth + 4) { _ = await hub.execute("step", from: .page) }
    #expect(await hub.view().contains("\"steps\":\(LabHub.undoDepth + 4)"))
    for _ in 0..<LabHub.undoDepth { #expect(await hub.undo()) }
    #expect(await hub.view().contains("\"steps\":4"))
    #expect(await !hub.undo())  // the oldest lines were dropped
  }
}

@Suite struct AccessTokenTests {
  @Test func tokensAreRandomAndCompared() {
    let a = AccessToken()
    let b = AccessToken()
    #expect(a.text.count == 64)
    let hex = a.text.allSatisfy { $0.isHexDigit }
    #expect(hex)
    #expect(a != b)
    #expect(a.matches(a.text))
    #expect(!a.matches(b.text))
    #expect(!a.matches(String(a.text.dropLast())))
    #expect(!a.matches(a.text + "0"))
    #expect(!a.matches(""))
  }

  @Test func hostsAreCheckedAgainstRebinding() {
    let local = RequestGuard(token: AccessToken(text: "t"), port: 8765, host: nil)
    #expect(local.check(host: "127.0.0.1:8765", origin: nil, token: "t") == .allowed)
    #expect(local.check(host: "[::1]:8765", origin: "http://[::1]:8765", token: "t") == .allowed)
    #expect(local.check(host: "LOCALHOST:8765", origin: nil, token: "t") == .allowed)
    #expect(local.check(host: "127.0.0.1:8765", origin: nil, token: nil) == .missingToken)
    #expect(local.check(host: "192.168.1.5:8765", origin: nil, token: "t") != .allowed)
    #expect(local.check(host: "attacker.example:8765", origin: nil, token: "t") != .allowed)
    #expect(local.check(host: nil, origin: nil, token: "t") != .allowed)
    #expect(local.check(host: "127.0.0.1:8765", origin: "http://127.0.0.1:8766", token: "t") != .allowed)
    let lan = RequestGuard(token: AccessToken(text: "t"), port: 8765, host: "0.0.0.0")
    #expect(lan.check(host: "192.168.1.5:8765", origin: "http://192.168.1.5:8765", token: "t") == .allowed)
    #expect(lan.check(host: "attacker.example:8765", origin: nil, token: "t") != .allowed)
    #expect(lan.check(host: "1.2.3.400:8765", origin: nil, token: "t") != .allowed)
  }
}
