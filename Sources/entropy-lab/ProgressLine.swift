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
  func report(done: Int, total: Int) {
    guard done < total else { return }
    let now = ProgressLine.seconds()
    let draw = state.withLock { s -> Bool in
      guard now - s.started >= 0.5, now - s.lastDrawn >= 0.1 else { return false }
      s.lastDrawn = now
      s.visible = true
      return true
    }
    guard draw else { return }
    fputs("\r  step \(done) of \(total) — Ctrl-C stops\u{1B}[K", StandardStreams.output)
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
