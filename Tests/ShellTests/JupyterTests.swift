import Foundation
import Testing

/// The Jupyter half of issue 17, tested by its Python test suite
/// (`python/tests`) run with the virtual environment that
/// `python/setup-venv.sh` creates (`.ci/run` calls it before `swift test`),
/// against the `entropy-lab` built for these tests: the converters both
/// ways, the kernelspec installer, every lesson through the kernel under
/// nbclient with its outputs checked by `entropy-lab diff`, a failing cell
/// and an interrupt, and the `%%lab` magic in the python3 kernel.
///
/// The venv: `$ENTROPYLAB_JUPYTER_VENV`, else `.build/jupyter-venv` in the
/// package. Without it each test fails, saying how to create it.
@Suite(.serialized) struct JupyterTests {
  /// The package's root folder, found from this file's path.
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  /// The venv's Python, or a failure that says how to make it.
  static func python() throws -> String {
    let venv =
      ProcessInfo.processInfo.environment["ENTROPYLAB_JUPYTER_VENV"] ?? root + "/.build/jupyter-venv"
    let python = venv + "/bin/python"
    guard FileManager.default.isExecutableFile(atPath: python) else {
      Issue.record(
        """
        the Jupyter tests need the Python virtual environment \(venv), which is missing: create it with \
        'python/setup-venv.sh' (needs python3 with venv, Debian's python3-venv, and PyPI the first time; \
        .ci/run does this), or point $ENTROPYLAB_JUPYTER_VENV at one made by that script
        """)
      throw CancellationError()
    }
    return python
  }

  /// Runs one module of `python/tests` with unittest; records its output on failure.
  func runPython(_ module: String, timeout: Double) throws {
    let python = try Self.python()
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let outPath = try folder.write("out.txt", "")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-m", "unittest", "-v", module]
    process.currentDirectoryURL = URL(fileURLWithPath: Self.root + "/python/tests")
    var environment = ShellBinary.environment([
      "ENTROPYLAB_BIN": try ShellBinary.path(),
      "PYTHONPATH": Self.root + "/python",
      "PYTHONDONTWRITEBYTECODE": "1",
      // Jupyter's runtime files (connection files) in the test's own folder.
      "JUPYTER_RUNTIME_DIR": folder.path + "/runtime",
    ])
    environment["JUPYTER_PATH"] = nil
    environment["JUPYTER_CONFIG_DIR"] = folder.path + "/config"
    process.environment = environment
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardOutput = out
    process.standardError = out
    process.standardInput = FileHandle.nullDevice
    try process.run()
    try PipedRun.waitForExit(process, timeout: timeout)
    let text = try String(contentsOfFile: outPath, encoding: .utf8)
    #expect(
      process.terminationStatus == 0,
      "python -m unittest \(module) failed (status \(process.terminationStatus)):\n\(String(text.suffix(6000)))")
  }

  @Test func convertersAgreeAndRoundTripEveryLesson() throws {
    try runPython("test_convert", timeout: 600)
  }

  @Test func kernelspecInstallerAndBinaryLookup() throws {
    try runPython("test_install", timeout: 300)
  }

  @Test func everyLessonRunsThroughTheKernelAsRecorded() throws {
    try runPython("test_kernel", timeout: 1800)
  }

  @Test func labMagicRunsInThePython3Kernel() throws {
    try runPython("test_magic", timeout: 600)
  }
}
