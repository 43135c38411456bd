#!/usr/bin/env bash
# The CI smoke run of the fuzzers: builds every target as run.sh does and
# runs each for SECONDS (default 20) from an EMPTY corpus; fails unless
# libFuzzer's coverage (cov:) and features (ft:) grew past the INITED line
# and the corpus gained inputs — the check that the code is instrumented
# (issue 11: "no interesting inputs… Is the code instrumented for
# coverage?"). A crash in the smoke run fails too.
#   Fuzz/check-coverage.sh            # all targets, 20 s each
#   TARGETS=structure Fuzz/check-coverage.sh 30
#   FUZZ_NO_BUILD=1 Fuzz/check-coverage.sh   # the binaries Fuzz/build.sh made
# `swift test` runs it with FUZZ_NO_BUILD=1 (ShellTests' FuzzSmokeTests),
# after .ci/run has built the targets with Fuzz/build.sh.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-20}"
config="${FUZZ_CONFIG:-release}"
# Wall-clock seconds per input (FUZZ_TIMEOUT). A timeout does not fail the
# smoke run: the structure target turns 4 bytes into 5 MB of prose, 13 s of
# CPU under ASan and 45-100 s of wall clock on a busy machine, so a timeout
# here says more about the load than the code. Hangs are the campaigns'
# (run.sh) to find; crashes and sanitizer reports fail here.
timeout="${FUZZ_TIMEOUT:-120}"
status=0
scratch="$(mktemp -d /tmp/entropy-lab-fuzz-smoke.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
if [ -z "${FUZZ_NO_BUILD:-}" ] && ! "$here/build.sh"; then
  echo "fuzz smoke: the build failed" >&2
  exit 1
fi
for target in ${TARGETS:-commands notebook structure}; do
  case "$target" in
    commands) binary=FuzzCommands ;;
    notebook) binary=FuzzNotebook ;;
    structure) binary=FuzzNotebookStructure ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
  esac
  if ! [ -x "$here/.build/$config/$binary" ]; then
    echo "fuzz smoke: $target: no fuzz build at Fuzz/.build/$config/$binary (run Fuzz/build.sh; .ci/run does)" >&2
    status=1
    continue
  fi
  mkdir -p "$scratch/$target/corpus" "$scratch/$target/work"
  log="$scratch/$target/fuzz.log"
  (cd "$scratch/$target/work" && SWIFT_BACKTRACE=enable=no "$here/.build/$config/$binary" \
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -artifact_prefix="$scratch/$target/" \
    "$scratch/$target/corpus" >"$log" 2>&1)
  code=$?
  if [ "$code" -ne 0 ] && grep -q "ERROR: libFuzzer: timeout" "$log" && ! grep -q "Sanitizer" "$log"; then
    echo "fuzz smoke: $target: an input ran past the ${timeout} s wall-clock timeout (not judged here; coverage up to it is)"
    code=0
  fi
  inited=$(grep -m1 "INITED" "$log" | grep -oE "cov: [0-9]+ ft: [0-9]+")
  last=$(grep -E "^#[0-9]+" "$log" | tail -1 | grep -oE "cov: [0-9]+ ft: [0-9]+")
  execs=$(grep -E "^#[0-9]+" "$log" | tail -1 | grep -oE "^#[0-9]+" | tr -d '#')
  files=$(ls "$scratch/$target/corpus" | wc -l)
  read -r _ c0 _ f0 <<<"${inited:-cov: 0 ft: 0}"
  read -r _ c1 _ f1 <<<"${last:-cov: 0 ft: 0}"
  echo "fuzz smoke: $target: ${execs:-0} executions in ${seconds} s; INITED cov $c0 ft $f0 -> cov $c1 ft $f1;" \
    "corpus 0 -> $files inputs; exit $code"
  if [ "$code" -ne 0 ]; then
    grep -E "ERROR|SUMMARY|Fatal|failure" "$log" | head -5
    echo "fuzz smoke: $target: the fuzzer stopped with a finding (see above)" >&2
    status=1
  elif ! [ "$c1" -gt "$c0" ] || ! [ "$f1" -gt "$f0" ] || [ "$files" -eq 0 ]; then
    echo "fuzz smoke: $target: coverage did not grow: is the code instrumented?" >&2
    status=1
  fi
done
exit $status
