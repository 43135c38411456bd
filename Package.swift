// swift-tools-version: 6.0
// EntropyLab: an interactive simulator of the entropy mechanism of RL for
// reasoning language models (Cui et al., 2025).

import PackageDescription

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
    .target(name: "EntropyCore"),
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
