import ArgumentParser

/// `entropy-lab [shell]`: the interactive notebook shell (placeholder).
struct ShellCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "shell", abstract: "Open the notebook shell (default).")
  func run() throws { print("shell: not yet") }
}
