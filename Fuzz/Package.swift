// swift-tools-version: 6.0
// libFuzzer targets for EntropyLab, kept out of the main package so that
// `swift build` and `swift test` there are unaffected. Build and run them
// with `Fuzz/run.sh`: it passes `--sanitize=fuzzer` (so SwiftPM links
// libFuzzer's main) and `-Xswiftc -sanitize=fuzzer,address`, one combined
// flag that reaches every Swift target. (`--sanitize=fuzzer
// --sanitize=address` alone left the library objects with AddressSanitizer
// but without coverage: libFuzzer saw no new inputs, issue 11.)

import PackageDescription

let package = Package(
  name: "EntropyLabFuzz",
  platforms: [.macOS(.v13)],
  dependencies: [.package(name: "EntropyLab", path: "..")],
  targets: [
    // The shared harness: line guards, time budget, the two entry points.
    .target(
      name: "FuzzSupport",
      dependencies: [
        .product(name: "EntropyLab", package: "EntropyLab"), .product(name: "EntropyCore", package: "EntropyLab"),
      ]),
    // Bytes → lines → a live Session (file commands stripped).
    .executableTarget(
      name: "FuzzCommands", dependencies: ["FuzzSupport"],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    // Bytes → NotebookParser → Replayer (check mode, safe mode).
    .executableTarget(
      name: "FuzzNotebook", dependencies: ["FuzzSupport"],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    // Bytes → NotebookGenerator (structure-aware: cells, long outputs,
    // nested replays, odd paths) → NotebookParser → Replayer.
    .executableTarget(
      name: "FuzzNotebookStructure", dependencies: ["FuzzSupport"],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
  ]
)
