#!/usr/bin/env bash
# Builds the three libFuzzer targets (FuzzCommands, FuzzNotebook,
# FuzzNotebookStructure) with coverage and AddressSanitizer, as run.sh and
# check-coverage.sh use them: release (-O) with -enable-testing (the harness
# uses @testable), `--sanitize=fuzzer` so SwiftPM links libFuzzer's main,
# and `-Xswiftc -sanitize=fuzzer,address` so every Swift target, the
# libraries included, is instrumented for coverage (issue 11).
#   Fuzz/build.sh            # release, into Fuzz/.build/release/
#   FUZZ_CONFIG=debug Fuzz/build.sh
#   Fuzz/build.sh -j 1       # extra arguments go to swift build
# .ci/run calls it before `swift test`: ShellTests' FuzzSmokeTests runs
# check-coverage.sh against this build. The log is Fuzz/.build/fuzz-build.log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
config="${FUZZ_CONFIG:-release}"
mkdir -p "$here/.build"
log="$here/.build/fuzz-build.log"
if ! (cd "$here" && swift build -c "$config" --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address \
  -Xswiftc -enable-testing "$@" >"$log" 2>&1); then
  # ld.gold's "Cannot export local symbol" warnings about ASan's helpers are noise.
  grep -v "Cannot export local symbol" "$log" | grep -E "error" | head -20 >&2
  echo "Fuzz/build.sh: the fuzz build failed (log: $log)" >&2
  exit 1
fi
tail -1 "$log"
