import ArgumentParser
import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `entropy-lab` executable: a thin layer of flags over the EntropyLab
/// library. With no subcommand it opens the notebook shell.
@main
struct EntropyLabCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "entropy-lab",
    abstract: "An interactive simulator of the entropy mechanism of RL for reasoning language models.",
    version: "entropy-lab \(LabVersion.current)",
    subcommands: [
      ShellCommand.self, BenchCommand.self, ReplayCommand.self, ExportCommand.self, PresentCommand.self,
      SweepFileCommand.self, MergeCommand.self, ServeCommand.self, DiffCommand.self,
    ],
    defaultSubcommand: ShellCommand.self
  )

  /// Runs the command line, with the check that a failed write to
  /// standard output ends with status 74 (`StandardStreams.installExitCheck`).
  ///
  /// ArgumentParser's own `main` prints its errors as they are, and they
  /// quote what was typed (`Unknown option '--\e]0;TITLE\a'`): here every
  /// error message goes through `TerminalText.visible` first, so a bad flag
  /// or value cannot drive the terminal. Help, `--version` and completion
  /// scripts (our own text, on stdout) are printed as ArgumentParser would.
  static func main() {
    StandardStreams.installExitCheck()
    do {
      var command = try parseAsRoot(nil)
      try command.run()
    } catch {
      exitVisibly(withError: error)
    }
  }

  /// `exit(withError:)` with the message's control characters made visible.
  static func exitVisibly(withError error: any Error) -> Never {
    let code = exitCode(for: error)
    let text = fullMessage(for: error)
    if !text.isEmpty {
      if code.isSuccess {
        print(text)
      } else {
        StandardStreams.writeError(errorText(text))
      }
    }
    endProcess(code.rawValue)
  }

  /// A message for standard error: its control characters made visible,
  /// ending with one newline.
  static func errorText(_ message: String) -> String {
    TerminalText.visible(message) + "\n"
  }
}

/// `exit(3)`: the atexit check of standard output still runs. (Inside the
/// command type, `exit` names ArgumentParser's `exit(withError:)`.)
private func endProcess(_ status: Int32) -> Never {
  exit(status)
}
