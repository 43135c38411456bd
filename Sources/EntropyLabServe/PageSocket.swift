import EntropyLab
import FlyingFox
import Foundation

/// The page's WebSocket (`/ws`): views stream down after every change of
/// the shared session, whoever made it; the page's buttons come up as
/// small JSON objects, each mapped to one hub call:
///
/// - `{"op": "command", "line": "step"}`: runs the line (as from the page)
///   and answers `{"type": "result", …}` (`PageView.result`);
/// - `{"op": "next"}`, `{"op": "back"}`: the lesson's next cell, or back
///   to before its last one; `{"op": "undo"}`: before the last line;
/// - `{"op": "state", "state": s}`: show state s's bars on this page;
/// - `{"op": "stop"}`: interrupts a long command between steps, as Ctrl-C
///   at the terminal does, and the commands sent before it that have not
///   started (a run among them takes one step).
///
/// Anything else is answered with `{"type": "error", …}` and runs nothing.
struct PageSocket: WSMessageHandler {
  let hub: LabHub

  func makeMessages(for client: AsyncStream<WSMessage>) async throws -> AsyncStream<WSMessage> {
    let (stream, continuation) = AsyncStream<WSMessage>.makeStream(bufferingPolicy: .bufferingNewest(64))
    let hub = self.hub
    let id = await hub.subscribe { text in continuation.yield(.text(text)) }
    // Messages run in order, one at a time, by a worker; Stop is handled
    // as it arrives, so it reaches a long run that the worker waits for.
    // Each message carries the hub's Stop count at its arrival, so a Stop
    // also halts the commands sent before it that still wait their turn.
    let (work, queue) = AsyncStream<(text: String, stopsSeen: Int)>.makeStream()
    Task {
      for await (text, stopsSeen) in work {
        if let answer = await PageSocket.handle(text, hub: hub, subscriber: id, stopsSeen: stopsSeen) {
          continuation.yield(.text(answer))
        }
      }
      await hub.unsubscribe(id)
      continuation.finish()
    }
    Task {
      for await message in client {
        guard case .text(let text) = message else { continue }
        if PageSocket.isStop(text) {
          hub.interrupt()
        } else {
          queue.yield((text, hub.stopCount))
        }
      }
      queue.finish()
    }
    return stream
  }

  /// Whether `text` is the Stop message.
  static func isStop(_ text: String) -> Bool {
    guard let data = text.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return false }
    return object["op"] as? String == "stop"
  }

  /// Carries out one message from the page; returns the answer to send
  /// back to it alone (views go to every page through the hub).
  static func handle(_ text: String, hub: LabHub, subscriber id: Int, stopsSeen: Int? = nil) async -> String? {
    guard let data = text.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let op = object["op"] as? String
    else { return error("expected a JSON object with \"op\"") }
    switch op {
    case "command":
      guard let line = object["line"] as? String else { return error("\"command\" needs a \"line\" string") }
      guard let (cell, recorded) = await hub.execute(line, from: .page, stopsSeen: stopsSeen) else { return nil }
      return PageView.result(cell, recorded: recorded).serialized
    case "next":
      guard let (cell, recorded) = await hub.next() else { return error("the lesson has no next cell") }
      return PageView.result(cell, recorded: recorded).serialized
    case "back":
      return await hub.back() ? nil : error("nothing to go back to: no lesson cell has run")
    case "undo":
      return await hub.undo() ? nil : error("nothing to undo")
    case "state":
      guard let state = object["state"] as? Int else { return error("\"state\" needs a whole number") }
      await hub.choose(state: state, for: id)
      return nil
    case "stop":
      hub.interrupt()
      return nil
    default:
      return error("unknown op '\(op)' (command, next, back, undo, state, stop)")
    }
  }

  static func error(_ message: String) -> String {
    JSONValue.object([("type", .string("error")), ("error", .string(message))]).serialized
  }
}
