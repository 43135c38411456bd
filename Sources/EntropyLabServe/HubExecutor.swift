import Dispatch

/// The hub's own serial executor: a private dispatch queue, off Swift's
/// cooperative thread pool. A `run 10000000` from the page holds the hub
/// for as long as it runs; on the cooperative pool (one thread per core)
/// it held one of its threads, so on a one-core machine, or with another
/// long run beside it, the server could not read the Stop that would end
/// it. On its own queue it holds only that queue's thread, and the
/// sockets, the page and Stop keep the pool.
final class HubExecutor: SerialExecutor {
  private let queue = DispatchQueue(label: "entropy-lab.serve.hub")

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let executor = asUnownedSerialExecutor()
    queue.async { job.runSynchronously(on: executor) }
  }

  func asUnownedSerialExecutor() -> UnownedSerialExecutor {
    UnownedSerialExecutor(ordinary: self)
  }
}
