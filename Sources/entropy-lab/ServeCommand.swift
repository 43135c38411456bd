import ArgumentParser
import EntropyLab
import EntropyLabServe

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `entropy-lab serve [--port P] [--host H] [--allow-writes DIR] [FILE.md]`:
/// the live classroom page, sharing one session with the terminal.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve a live classroom page that shows and drives this session (127.0.0.1 only by default).",
    discussion: """
      Prints the page's URL, http://127.0.0.1:PORT/?token=…, with a random token that every \
      request must carry (401 without it, 403 with a wrong one); requests whose Host or Origin is \
      not this server's address are refused (403), so another web site cannot reach the session. \
      The page shows the policy of one state as bars (π per arm, and each arm's share of the \
      covariance, coloured by its sign), the entropy and reward curves, the last step's \
      predictions against the actual ΔH and the cells; it runs any shell command, step, run N \
      and undo, and has sliders for η and for one arm's logit and reward.

      At a terminal the readline shell stays open: the terminal and the page type into the same \
      session, one line at a time; what the page runs is printed above the prompt. Ctrl-D or \
      'quit' at the terminal stops the server. Without a terminal (input from a pipe or a file), \
      it serves until interrupted (Ctrl-C, SIGTERM).

      With FILE.md the page opens at that lesson, seeded from its header: Next runs its next \
      cell, Back returns to the state before the last one (as 'entropy-lab present' does).

      Commands from the page may not read or write files (save, export, replay) unless \
      --allow-writes DIR is given: then files inside DIR only, checked as a replay checks them. \
      The terminal's own commands are trusted, as in the shell. --host serves on another \
      address (e.g. 0.0.0.0 for a classroom network): anyone who can reach it and has the \
      URL can drive the session, over plain HTTP.
      """)

  @Option(help: "The port (0: any free one).")
  var port: UInt16 = 8765

  @Option(
    help: ArgumentHelp(
      "Serve on this IP address instead of 127.0.0.1 (e.g. 0.0.0.0); prints a warning.", valueName: "address"))
  var host: String?

  @Option(
    name: .customLong("allow-writes"),
    help: ArgumentHelp("Let commands from the page read and write files inside DIR only.", valueName: "DIR"))
  var allowWrites: String?

  @Option(help: "Seed of the session's random generator (a lesson's header seed wins).")
  var seed: UInt64 = 0

  @Flag(name: .customLong("no-color"), help: "Never colour the output (NO_COLOR does the same).")
  var noColor = false

  @Argument(help: "A notebook to open as a lesson on the page.", completion: .file(extensions: ["md"]))
  var file: String?

  func run() throws {
    Interrupt.ignoreBrokenPipe()
    let pageMode: FileAccessPolicy.Mode
    do {
      pageMode = try FileAccessPolicy.requestedMode(trust: false, allowWrites: allowWrites, command: "serve")
    } catch {
      throw ValidationError(TerminalText.visible(error.message))
    }
    var notebook: Notebook?
    if let file {
      do {
        notebook = try NotebookFile.load(FileAccessPolicy.absolute(file), displayPath: file)
      } catch {
        StandardOutput.warn(Renderer.render([], error: error.labError(command: "serve"), style: .plain))
        throw ExitCode(error.kind == .malformed ? 65 : 66)
      }
    }
    let environment = TerminalTraits.environment()
    let interactive = isatty(STDIN_FILENO) != 0
    let traits = TerminalTraits.current(noColorFlag: noColor, environment: environment)
    let widths = TerminalWidth(fixed: nil, wide: false, environment: environment)
    let style = OutputStyle(
      json: false, color: interactive && traits.color, unicode: interactive && traits.unicode, width: widths.current())
    let hub = LabHub(seed: seed, style: style, lesson: notebook, path: file, pageMode: pageMode)
    let server: LabServer
    do {
      server = try LabServer(hub: hub, host: host, port: port)
    } catch {
      throw ValidationError(TerminalText.visible(error.message))
    }
    let listening: Int
    do {
      listening = try Blocking.waitThrowing { try await server.start() }
    } catch {
      StandardOutput.warn("serve: cannot listen on \(host ?? "127.0.0.1") port \(port): \(error)")
      throw ExitCode(69)  // EX_UNAVAILABLE
    }
    if let host {
      StandardOutput.warn(
        "warning: serving on \(host), not only this machine: anyone who can reach it and has the URL "
          + "(with its token) can drive this session, and plain HTTP is not encrypted")
    }
    var out = StandardOutput()
    out.writeLine("entropy-lab serve: open the live page at")
    out.writeLine("  " + server.url(port: listening))
    if let file { out.writeLine("lesson: \(file) (Next and Back on the page)") }
    if interactive {
      let source = ReadlineLineSource(table: .standard, historyPath: HistoryFile.location(environment: environment))
      var shell = ServeShell(hub: hub, source: source, width: widths)
      shell.run()
      Blocking.wait { await server.stop() }
    } else {
      out.writeLine("serving until interrupted (Ctrl-C)")
      let signalNumber = Self.waitForEndSignal()
      Blocking.wait { await server.stop() }
      // Die of the signal, so the parent sees the usual status.
      signal(signalNumber, SIG_DFL)
      var set = sigset_t()
      sigemptyset(&set)
      sigaddset(&set, signalNumber)
      pthread_sigmask(SIG_UNBLOCK, &set, nil)
      raise(signalNumber)
    }
  }

  /// Waits for SIGINT, SIGTERM or SIGHUP and returns which. `sigwait`
  /// takes the signal even when the parent started this process with those
  /// signals blocked (a test harness's thread may), where `pause()` would
  /// never wake.
  static func waitForEndSignal() -> Int32 {
    var set = sigset_t()
    sigemptyset(&set)
    for signalNumber in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signalNumber) }
    pthread_sigmask(SIG_BLOCK, &set, nil)
    var received: Int32 = 0
    while sigwait(&set, &received) != 0 {}
    return received
  }
}
