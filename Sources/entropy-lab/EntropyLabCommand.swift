import ArgumentParser
import EntropyLab

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
  static func main() {
    StandardStreams.installExitCheck()
    main(nil)
  }
}
