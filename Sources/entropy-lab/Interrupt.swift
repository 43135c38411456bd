import EntropyLab

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
enum Interrupt {
  /// Installs the flag-setting SIGINT handler. `SA_RESTART` keeps a Ctrl-C
  /// from failing a write to the terminal with EINTR; readline's `poll`
  /// is never restarted, so the prompt still wakes up.
  static func installHandler() {
    // Touch the flag once so its lazy initialisation never runs inside
    // the handler.
    Interruption.reset()
    var action = sigaction()
    action.__sigaction_handler.sa_handler = onInterrupt
    action.sa_flags = SA_RESTART
    sigemptyset(&action.sa_mask)
    sigaction(SIGINT, &action, nil)
  }

  /// Ignores SIGPIPE, so a closed reader (`entropy-lab < script | head -1`)
  /// shows up as an EPIPE write error that `StandardOutput` turns into a
  /// quiet stop, instead of killing the process.
  static func ignoreBrokenPipe() {
    signal(SIGPIPE, SIG_IGN)
  }
}

/// The SIGINT handler: records the request and returns.
private func onInterrupt(_ signal: Int32) {
  Interruption.request()
}
