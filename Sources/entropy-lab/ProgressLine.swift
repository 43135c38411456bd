import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The "step 1234 of 100000 — Ctrl-C stops" line a long command shows on a
/// terminal: drawn after half a second, redrawn at most ten times a
/// second, erased before the command's output.
final class ProgressLine: Sendable {
  private struct State {
    var started: Double = 0
    var lastDrawn: Double = 0
    var visible = false
  }

  private let state = Mutex(State())

  /// Starts timing a new command.
  func start() {
    let now = ProgressLine.seconds()
    state.withLock { $0 = State(started: now, lastDrawn: 0, visible: false) }
  }

  /// Told after each step (done of total); draws when it is time to.
  /// A sweep's line says "run", with the time so far and an estimate of
  /// the time left.
  func report(done: Int, total: Int, unit: String = "step") {
    guard done < total else { return }
    let now = ProgressLine.seconds()
    let started = state.withLock { s -> Double? in
      guard now - s.started >= 0.5, now - s.lastDrawn >= 0.1 else { return nil }
      s.lastDrawn = now
      s.visible = true
      return s.started
    }
    guard let started else { return }
    var text = "  \(unit) \(done) of \(total)"
    if unit == "run" {
      let elapsed = now - started
      text += ", " + String(format: "%.1f", elapsed) + " s"
      if done > 0 {
        text +=
          ", about " + String(format: "%.0f", (elapsed / Double(done) * Double(total - done)).rounded(.up)) + " s left"
      }
    }
    fputs("\r\(text) — Ctrl-C stops\u{1B}[K", StandardStreams.output)
    fflush(StandardStreams.output)
  }

  /// Erases the line if it was drawn.
  func clear() {
    let visible = state.withLock { s -> Bool in
      defer { s.visible = false }
      return s.visible
    }
    guard visible else { return }
    fputs("\r\u{1B}[K", StandardStreams.output)
    fflush(StandardStreams.output)
  }

  private static func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
  }
}
