#!/usr/bin/env bash
# Builds the libFuzzer targets and runs one of them for a given time.
#
#   Fuzz/run.sh commands 1800    # the command interpreter, 30 minutes
#   Fuzz/run.sh notebook 1800    # the notebook parser + replayer (raw bytes)
#   Fuzz/run.sh structure 1800   # structure-aware notebooks (NotebookGenerator)
#   Fuzz/run.sh commands 0 Fuzz/artifacts/crash-…   # re-run one input
#
# The build instruments every Swift target for coverage: `--sanitize=fuzzer`
# lets SwiftPM link libFuzzer's main, and `-Xswiftc -sanitize=fuzzer,address`
# (one combined flag) reaches the library targets too. With only
# `--sanitize=fuzzer --sanitize=address` the libraries carried ASan but no
# coverage and libFuzzer explored nothing (issue 11). Release (-O) with
# -enable-testing (the harness uses @testable): ~10× the executions of debug.
#
# Crashes, hangs (> 30 s per input: a 151,936-arm table renders for seconds under ASan) and sanitizer reports go to
# Fuzz/artifacts/<target>/ (gitignored); the evolving corpus to
# Fuzz/artifacts/<target>/corpus, seeded from Fuzz/corpus/<target>/ (and
# Scenarios/ and the tests, see seed.sh). One process, one worker (no
# -jobs/-fork): the machine is shared. Each round's log is
# artifacts/<target>/run-<time>-round-N.log. FUZZ_CONFIG=debug builds debug.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:?usage: run.sh commands|notebook|structure SECONDS [input…]}"
seconds="${2:-60}"
shift 2 || true
inputs=()
for input in "$@"; do inputs+=("$(realpath "$input")"); done
# max_len: a command script up to 64 KiB; a raw notebook up to 1 MiB (long
# cells, the 1 MiB line limit); the generator amplifies small inputs.
case "$target" in
  commands) binary=FuzzCommands; maxlen=65536 ;;
  notebook) binary=FuzzNotebook; maxlen=1048576 ;;
  structure) binary=FuzzNotebookStructure; maxlen=8192 ;;
  *) echo "unknown target '$target' (commands, notebook or structure)" >&2; exit 2 ;;
esac
config="${FUZZ_CONFIG:-release}"
cd "$here"
mkdir -p "$here/.build"
"$here/seed.sh" >/dev/null
# Never fuzz a stale binary: stop if the build fails. (ld.gold's
# "Cannot export local symbol" warnings about ASan's helpers are noise.)
# FUZZ_NO_BUILD=1 runs the binary already built (e.g. while the sources
# are being edited: a build that sees a file change midway fails).
if [ -z "${FUZZ_NO_BUILD:-}" ] && ! "$here/build.sh" --product "$binary"; then
  echo "build of $binary failed" >&2
  exit 1
fi
exe="$here/.build/$config/$binary"
[ -x "$exe" ] || { echo "no fuzz build at $exe: run Fuzz/build.sh" >&2; exit 1; }
out="$here/artifacts/$target"
mkdir -p "$out/corpus" "$out/work"
# Run inside a scratch folder: should a file command ever slip through the
# guards, whatever it writes lands here (and shows up in `ls`).
cd "$out/work"
# Swift's own backtracer reads memory ASan flags as "unknown-crash": off,
# so a Swift runtime failure is reported as itself.
export SWIFT_BACKTRACE=enable=no
# FUZZ_TIMEOUT: seconds of wall clock per input before libFuzzer calls it
# a hang (default 30). The clock is wall time: at nice 15 on a machine at
# load 15 a 5 MB notebook that needs 13 s of CPU under ASan takes 98 s.
flags=(-timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len="$maxlen" -print_final_stats=1)
if [ "${#inputs[@]}" -gt 0 ]; then
  exec "$exe" "${flags[@]}" "${inputs[@]}"
fi
# libFuzzer stops at its first finding; keep going with the time left so
# one run spends the whole budget, and keep each round's log.
end=$(( $(date +%s) + seconds ))
run="run-$(date +%Y%m%d-%H%M%S)"
round=0
while :; do
  left=$(( end - $(date +%s) ))
  [ "$left" -gt 0 ] || break
  round=$((round + 1))
  "$exe" "${flags[@]}" -max_total_time="$left" -artifact_prefix="$out/" \
    "$out/corpus" "$here/.build/seeds/$target" >"$out/$run-round-$round.log" 2>&1 || true
  grep -E "^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|stat::number_of_executed_units|Done)" \
    "$out/$run-round-$round.log" || true
  # A finding that is itself in the corpus (an input that was fast enough
  # once and times out now, met while the next round loads the corpus)
  # would stop every later round at the same place: move it out of the
  # corpus into quarantine/ (libFuzzer names both by the input's SHA-1).
  for finding in "$out"/crash-* "$out"/timeout-* "$out"/oom-* "$out"/leak-*; do
    [ -e "$finding" ] || continue
    sha="${finding##*-}"
    if [ -e "$out/corpus/$sha" ]; then
      mkdir -p "$out/quarantine"
      mv "$out/corpus/$sha" "$out/quarantine/$sha"
      echo "quarantined corpus input $sha (it stopped round $round)"
    fi
  done
done
total=$(cat "$out/$run"-round-*.log | awk '/stat::number_of_executed_units/ { n += $2 } END { print n + 0 }')
last=$(grep -hE "^#[0-9]+" "$out/$run"-round-*.log | tail -1 | grep -oE "cov: [0-9]+ ft: [0-9]+" || true)
echo "$target: $round round(s), $total executions, last $last, corpus $(ls "$out/corpus" | wc -l) inputs," \
  "findings: $(ls "$out" | grep -cE '^(crash|timeout|oom|leak|slow-unit)-' || true)"
