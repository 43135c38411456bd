import EntropyLab
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process's signal dispositions for the shell.
///
/// Ctrl-C never kills an interactive session. The SIGINT handler does one
/// thing — an atomic store into `Interruption` — which is async-signal-safe.
/// Long commands poll that flag between steps; at the prompt, GNU readline
/// catches the signal itself and the line source finishes the job outside
/// signal context (see `ReadlineLineSource`).
///
/// SIGHUP (the terminal window closed) and SIGTERM end the session the same
/// way: their handler records the signal and stops a running command; the
/// shell then leaves the loop, saves the history and dies of the same
/// signal (`endBySignal()`), so its parent sees the usual status.
enum Interrupt {
  /// The SIGHUP or SIGTERM that asked the shell to end, 0 if none did.
  private static let ending = Atomic<Int32>(0)

  /// Whether SIGHUP or SIGTERM asked the shell to end.
  static var isEnding: Bool { ending.load(ordering: .relaxed) != 0 }

  /// Installs the flag-setting handlers. `SA_RESTART` keeps a Ctrl-C from
  /// failing a write to the terminal with EINTR; readline's `poll` is never
  /// restarted, so the prompt still wakes up.
  static func installHandlers() {
    // Touch both flags once so their lazy initialisation never runs inside
    // a handler.
    Interruption.reset()
    ending.store(0, ordering: .relaxed)
    install(onInterrupt, for: SIGINT)
    install(onEnd, for: SIGHUP)
    install(onEnd, for: SIGTERM)
  }

  /// Installs the SIGINT handler only (`entropy-lab --kernel`): SIGTERM and
  /// SIGHUP keep their default and end the process at once, even while it
  /// waits for a line (there is no history to save, and the driver that
  /// sends them wants it gone).
  /// The three signals are also unblocked: a child inherits its parent's
  /// signal mask, and a driver that started it from a thread blocking them
  /// (a test harness's worker thread does) would otherwise leave every
  /// interrupt pending, never delivered, and SIGTERM unable to end it.
  static func installInterruptHandler() {
    Interruption.reset()
    install(onInterrupt, for: SIGINT)
    var set = sigset_t()
    sigemptyset(&set)
    for signalNumber in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signalNumber) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  /// Ignores SIGPIPE, so a closed reader (`entropy-lab < script | head -1`)
  /// shows up as an EPIPE write error that `StandardOutput` turns into a
  /// quiet stop, instead of killing the process.
  static func ignoreBrokenPipe() {
    signal(SIGPIPE, SIG_IGN)
  }

  /// If SIGHUP or SIGTERM ended the session, dies of it now that the
  /// history is saved; otherwise returns.
  static func endBySignal() {
    let signalNumber = ending.load(ordering: .relaxed)
    guard signalNumber != 0 else { return }
    signal(signalNumber, SIG_DFL)
    raise(signalNumber)
  }

  private static func install(_ handler: @convention(c) (Int32) -> Void, for signalNumber: Int32) {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = handler
    action.sa_flags = SA_RESTART
    sigemptyset(&action.sa_mask)
    sigaction(signalNumber, &action, nil)
  }

  /// The SIGHUP/SIGTERM handler's work: two atomic stores.
  fileprivate static func requestEnd(_ signalNumber: Int32) {
    ending.store(signalNumber, ordering: .relaxed)
    Interruption.request()
  }
}

/// The SIGINT handler: records the request and returns.
private func onInterrupt(_ signalNumber: Int32) {
  Interruption.request()
}

/// The SIGHUP and SIGTERM handler: records which signal and stops a
/// running command.
private func onEnd(_ signalNumber: Int32) {
  Interrupt.requestEnd(signalNumber)
}
