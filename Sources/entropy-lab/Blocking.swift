import Dispatch
import Synchronization

/// Waits on the main thread for async work on Swift's concurrency pool:
/// how `serve`'s readline shell (synchronous, on the main thread) reaches
/// the `LabHub` actor that owns the shared session. The main thread is not
/// one of the pool's threads, so blocking it never starves the server.
enum Blocking {
  /// The value of `body`, waited for.
  static func waitThrowing<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
      do {
        box.set(.success(try await body()))
      } catch {
        box.set(.failure(error))
      }
      done.signal()
    }
    done.wait()
    return try box.get()
  }

  /// The value of `body`, which cannot throw, waited for.
  static func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
      box.set(.success(await body()))
      done.signal()
    }
    done.wait()
    // Only `.success` was stored: this cannot throw.
    return (try? box.get()) ?? { preconditionFailure("Blocking.wait lost its result") }()
  }
}

/// One result handed from a task to the waiting thread.
private final class ResultBox<T: Sendable>: Sendable {
  private let slot = Mutex<Result<T, any Error>?>(nil)

  func set(_ result: Result<T, any Error>) { slot.withLock { $0 = result } }

  func get() throws -> T {
    guard let result = slot.withLock({ $0 }) else { preconditionFailure("Blocking.wait read before the task ended") }
    return try result.get()
  }
}
