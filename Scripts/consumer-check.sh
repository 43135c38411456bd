#!/usr/bin/env bash
# A package that depends on EntropyLab BY VERSION builds and runs a step.
#
# SwiftPM refuses a dependency whose targets carry unsafe flags, so this is
# the check that the default (portable) manifest stays usable as a library.
# It copies this working tree's tracked files into a temporary git
# repository tagged 0.1.0, writes a consumer package that depends on it with
# `.package(url: "file://…", from: "0.1.0")`, builds it (debug) and runs one
# exact PG step through EntropyCore's public API, checking the entropy change
# against the first-order prediction and that a wrong-sized vector throws.
# Then it checks the converse: with ENTROPYLAB_NATIVE=1 (the native-CPU
# switch) the same consumer is refused for unsafe flags, so the check can
# fail. Works offline where the dependencies resolve from a local mirror.
#
# usage: Scripts/consumer-check.sh        (exit 0: both held)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/entropylab-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The dependency: this tree's tracked files (uncommitted edits included).
mkdir "$work/EntropyLab"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work/EntropyLab"
(
  cd "$work/EntropyLab"
  git init -q
  git add -A
  git -c user.name=check -c user.email=check@localhost commit -q -m "EntropyLab under test"
  git tag 0.1.0
)

mkdir -p "$work/Consumer/Sources/Consumer"
cat >"$work/Consumer/Package.swift" <<MANIFEST
// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "Consumer",
  platforms: [.macOS(.v15)],
  dependencies: [.package(url: "file://$work/EntropyLab", from: "0.1.0")],
  targets: [
    .executableTarget(
      name: "Consumer",
      dependencies: [.product(name: "EntropyCore", package: "EntropyLab")]
    )
  ]
)
MANIFEST
cat >"$work/Consumer/Sources/Consumer/main.swift" <<'SWIFT'
import EntropyCore

// Two states, four arms; one exact PG step at a small learning rate.
var policy = try Policy(states: 2, arms: 4, logits: [0, 0.5, 1, -1, 2, 0, 0, 0])
var bandit = Bandit(states: 2, arms: 4)
try bandit.setRewards([1, 0, 0, 0], state: 0)
try bandit.setRewards([0, 0, 0, 1], state: 1)
let advantages = bandit.advantages(under: policy)
let step = try UpdateRule.pg.step(policy: policy, advantages: advantages, learningRate: 1e-3)
let predicted = try EntropyDynamics.predict(policy: policy, change: step.delta).mean.firstOrder
let before = policy.meanEntropy
try policy.apply(step.delta)
let actual = policy.meanEntropy - before
// First order at η = 1e-3: the error is O(η²) ≈ 1e-6 relative to O(η).
let relative = abs(actual - predicted) / abs(predicted)
print("consumer: H \(before) -> \(policy.meanEntropy), dH \(actual), predicted \(predicted), relative \(relative)")
guard relative < 1e-2 else { fatalError("first-order prediction off by \(relative)") }
do {
  _ = try EntropyDynamics.predict(policy: policy, change: [1, 2, 3])
  fatalError("a wrong-sized change did not throw")
} catch {
  print("consumer: wrong size refused: \(error)")
}
SWIFT

cd "$work/Consumer"
echo "== consumer builds against EntropyLab 0.1.0 (portable default)"
start=$(date +%s)
nice -n 10 swift build --scratch-path "$work/build" 2>&1 | grep -v "^\[" | tail -5
"$(swift build --scratch-path "$work/build" --show-bin-path)/Consumer"
echo "consumer build and run: $(($(date +%s) - start)) s"

echo "== with ENTROPYLAB_NATIVE=1 the same consumer must be refused (unsafe flags)"
rm -rf "$work/build"
if out=$(ENTROPYLAB_NATIVE=1 swift package --scratch-path "$work/build" resolve 2>&1 && ENTROPYLAB_NATIVE=1 swift build --scratch-path "$work/build" 2>&1); then
  echo "$out" | tail -3
  echo "FAIL: the native switch did not make the dependency unusable: the check cannot tell" >&2
  exit 1
fi
echo "$out" | grep -m1 -i "unsafe" || { echo "$out" | tail -5; echo "FAIL: refused, but not for unsafe flags" >&2; exit 1; }
echo "consumer-check: passed"
