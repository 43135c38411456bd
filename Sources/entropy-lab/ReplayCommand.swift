import ArgumentParser
import EntropyLab

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `entropy-lab replay [--check | --accept] [--bail] [--allow-writes DIR] [--trust] FILE…`:
/// re-runs notebooks, checks their recorded outputs, or records new ones.
///
/// A thin layer over `FileReplay`: flags in, one replay per file, the worst
/// status out as the exit code.
struct ReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Replay notebooks; check their recorded outputs (--check) or record new ones (--accept).",
    discussion: """
      Each FILE runs in a fresh session seeded from its header. Without a flag the regenerated \
      notebook is printed on standard output and a summary on standard error. --check prints each \
      mismatch as FILE:LINE with the expected and regenerated lines (words must match exactly, \
      numbers to the precision printed or the notebook's tolerance), then a pass/fail count per \
      file. --accept rewrites the recorded outputs in place, atomically, and says how many cells \
      changed.

      Safe mode: a notebook's commands that write or read files (save, export, replay/load) are \
      refused and listed at the end, unless --allow-writes DIR (files inside DIR only; paths are \
      resolved, and '..' or symbolic links leading outside DIR are refused) or --trust is given.

      Exit status: 0 every file passed; 1 a mismatch, a refused or failing cell, or a failed \
      write; 65 a file is not a valid notebook or has no cells (nothing was run from it); 66 a \
      file could not be read; 64 a usage error; 74 standard output or error could not be \
      written (a full disk, > /dev/full). With several files the worst status wins \
      (74 > 66 > 65 > 1 > 0). Text from a notebook is shown with its control characters \
      made visible (\\e, \\x07).
      """)

  @Flag(help: "Compare every regenerated output with the recorded one; exit 1 on any mismatch.")
  var check = false

  @Flag(help: "Rewrite the recorded outputs in place (atomically): record a new baseline.")
  var accept = false

  @Flag(help: "Stop at the first failing cell (and skip the remaining files).")
  var bail = false

  @Option(
    name: .customLong("allow-writes"),
    help: ArgumentHelp("Let the notebooks read and write files inside DIR only.", valueName: "DIR"))
  var allowWrites: String?

  @Flag(help: "Trust the notebooks: let their file commands run without limits.")
  var trust = false

  @Argument(help: "The notebooks (Markdown files) to replay.")
  var files: [String]

  func validate() throws {
    if check && accept { throw ValidationError("--check and --accept cannot be used together") }
    if trust && allowWrites != nil { throw ValidationError("--trust and --allow-writes cannot be used together") }
    if files.isEmpty { throw ValidationError("name at least one notebook FILE") }
  }

  func run() throws {
    let access: FileAccessPolicy.Mode
    do {
      access = try FileAccessPolicy.requestedMode(trust: trust, allowWrites: allowWrites, command: "replay")
    } catch {
      throw ValidationError(TerminalText.visible(error.message))
    }
    let options = ReplayOptions(mode: check ? .check : accept ? .accept : .run, bail: bail, access: access)
    var worst = FileReplay.Status.passed
    var out = StandardOutput()
    for file in files {
      let result = FileReplay.run(file, options: options)
      if !result.output.isEmpty { out.write(result.output + (result.output.hasSuffix("\n") ? "" : "\n")) }
      if let status = out.reportFailure() { throw ExitCode(status) }
      if !result.diagnostics.isEmpty && !StandardStreams.writeError(result.diagnostics + "\n") {
        throw ExitCode(StandardStreams.ioErrorStatus)
      }
      worst = max(worst, result.status)
      if bail && result.status != .passed { break }
    }
    switch worst {
    case .passed: return
    case .failed: throw ExitCode(1)
    case .malformed: throw ExitCode(65)  // EX_DATAERR
    case .unreadable: throw ExitCode(66)  // EX_NOINPUT
    }
  }
}
