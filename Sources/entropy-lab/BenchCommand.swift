import ArgumentParser

/// `entropy-lab bench …`: performance benchmarks (placeholder).
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "bench", abstract: "Run a benchmark.")
  func run() throws { print("bench: not yet") }
}
