// swift-tools-version: 6.0
// EntropyLab: an interactive simulator of the entropy mechanism of RL for
// reasoning language models (Cui et al., 2025).

import PackageDescription

// Portable by default: a package that depends on EntropyLab by version
// builds (SwiftPM refuses unsafe flags in a dependency), and the binary runs
// on any CPU of its architecture (no AVX-512 on x86-64).
//
// The native switch: `ENTROPYLAB_NATIVE=1 swift build -c release` compiles
// the numerical core's release build for the building machine's CPU
// (AVX2/AVX-512 and FMA; the row kernels are written with SIMD16<Double>,
// and the baseline SSE2 code is slower: see Benchmarks/README.md), and
// defines ENTROPY_FMA so that VectorMath uses fused multiply–adds. Such a
// binary is for the machine kind it was built on, and the switch is for
// building EntropyLab itself (as the root package): set in a consumer's
// build it makes that build refuse EntropyLab's unsafe flag.
// Benchmarks/compare-numpy.sh sets it. Debug builds (`swift test`) are
// always portable.
let native = Context.environment["ENTROPYLAB_NATIVE"] == "1"
let coreSwiftSettings: [SwiftSetting] =
  native
  ? [
    .unsafeFlags(["-target-cpu", "native"], .when(configuration: .release)),
    .define("ENTROPY_FMA", .when(configuration: .release)),
  ] : []

let package = Package(
  name: "EntropyLab",
  // macOS 15: the sweep engine's Synchronization.Atomic.
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "entropy-lab", targets: ["entropy-lab"]),
    .library(name: "EntropyCore", targets: ["EntropyCore"]),
    .library(name: "EntropyLab", targets: ["EntropyLab"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // `swift package generate-documentation` (the DocC catalogs).
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    // The live classroom page (`entropy-lab serve`): HTTP and WebSocket on
    // Swift concurrency, no transitive dependencies. Linked into
    // EntropyLabServe only, never into EntropyCore or EntropyLab.
    .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
  ],
  targets: [
    // The mathematics: policy, bandit, updates, entropy dynamics. No I/O.
    .target(name: "EntropyCore", swiftSettings: coreSwiftSettings),
    // The notebook shell: session, command table, renderers, notebooks.
    .target(name: "EntropyLab", dependencies: ["EntropyCore"]),
    // The live classroom page: a FlyingFox server around one shared Session,
    // and the page itself, embedded in the code (no bundle to find at run
    // time, so the installed binary serves it too).
    .target(
      name: "EntropyLabServe",
      dependencies: ["EntropyLab", .product(name: "FlyingFox", package: "FlyingFox")],
      resources: [.embedInCode("Resources/serve.html")]
    ),
    // GNU readline, used only by the executable's line source.
    .systemLibrary(
      name: "CReadline",
      pkgConfig: "readline",
      providers: [.apt(["libreadline-dev"])]
    ),
    .executableTarget(
      name: "entropy-lab",
      dependencies: [
        "EntropyLab", "EntropyLabServe", "CReadline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "EntropyCoreTests", dependencies: ["EntropyCore"]),
    .testTarget(name: "EntropyLabTests", dependencies: ["EntropyLab"]),
    .testTarget(name: "ShellTests", dependencies: ["entropy-lab"]),
    .testTarget(name: "ServeTests", dependencies: ["EntropyLabServe", "EntropyLab"]),
  ]
)
