// swift-tools-version: 6.0
// EntropyLab: an interactive simulator of the entropy mechanism of RL for
// reasoning language models (Cui et al., 2025).

import PackageDescription

// The numerical core's release build on x86-64 Linux is compiled for the
// building machine's CPU (AVX2/AVX-512 and FMA; the row kernels are written
// with SIMD16<Double>, and without these the baseline SSE2 code is 3–4×
// slower: see Benchmarks/README.md), and ENTROPY_FMA lets VectorMath use
// fused multiply–adds. Debug builds (`swift test`) keep the portable
// defaults. A release binary is for the machine kind it was built on.
#if arch(x86_64) && os(Linux)
  let coreSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "native"], .when(platforms: [.linux], configuration: .release)),
    .define("ENTROPY_FMA", .when(platforms: [.linux], configuration: .release)),
  ]
#else
  let coreSwiftSettings: [SwiftSetting] = []
#endif

let package = Package(
  name: "EntropyLab",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "entropy-lab", targets: ["entropy-lab"]),
    .library(name: "EntropyCore", targets: ["EntropyCore"]),
    .library(name: "EntropyLab", targets: ["EntropyLab"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // The mathematics: policy, bandit, updates, entropy dynamics. No I/O.
    .target(name: "EntropyCore", swiftSettings: coreSwiftSettings),
    // The notebook shell: session, command table, renderers, notebooks.
    .target(name: "EntropyLab", dependencies: ["EntropyCore"]),
    // GNU readline, used only by the executable's line source.
    .systemLibrary(
      name: "CReadline",
      pkgConfig: "readline",
      providers: [.apt(["libreadline-dev"])]
    ),
    .executableTarget(
      name: "entropy-lab",
      dependencies: [
        "EntropyLab", "CReadline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "EntropyCoreTests", dependencies: ["EntropyCore"]),
    .testTarget(name: "EntropyLabTests", dependencies: ["EntropyLab"]),
    .testTarget(name: "ShellTests", dependencies: ["entropy-lab"]),
  ]
)
