import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Ends `--kernel` mode when its driver dies. A driver that exits closes
/// the kernel's input and ends it at the next line; one that is killed
/// (SIGKILL: a Jupyter kernel restart, an out-of-memory kill) while a long
/// command runs would leave the command running for nobody. A thread checks
/// every quarter second whether the process has been handed to another
/// parent, and if so raises SIGHUP on the process (which ends it, as a
/// terminal's hang-up does). Portable: no `prctl(PR_SET_PDEATHSIG)`, which
/// is Linux-only and variadic in C.
enum ParentWatch {
  /// Starts watching the current parent.
  static func start() {
    let parent = getppid()
    Thread.detachNewThread {
      while true {
        usleep(250_000)
        if getppid() != parent {
          signal(SIGHUP, SIG_DFL)
          raise(SIGHUP)
          _exit(129)
        }
      }
    }
  }
}
