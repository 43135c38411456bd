#!/usr/bin/env bash
# Builds the libFuzzer targets and runs one of them for a given time.
#
#   Fuzz/run.sh commands 900     # the command interpreter, 15 minutes
#   Fuzz/run.sh notebook 900     # the notebook parser + replayer
#   Fuzz/run.sh commands 0 Fuzz/artifacts/crash-…   # re-run one input
#
# Crashes, hangs (> 1 s per input, -timeout=1) and sanitizer reports go
# to Fuzz/artifacts/<target>/ (gitignored); the evolving corpus to
# Fuzz/artifacts/<target>/corpus, seeded from Fuzz/corpus/<target>/.
# One process, one worker (no -jobs/-fork): the machine is shared.
# Each round's log is artifacts/<target>/run-<time>-round-N.log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:?usage: run.sh commands|notebook SECONDS [input…]}"
seconds="${2:-60}"
shift 2 || true
inputs=()
for input in "$@"; do inputs+=("$(realpath "$input")"); done
case "$target" in
  commands) binary=FuzzCommands ;;
  notebook) binary=FuzzNotebook ;;
  *) echo "unknown target '$target' (commands or notebook)" >&2; exit 2 ;;
esac
cd "$here"
# Never fuzz a stale binary: stop if the build fails. (ld.gold's
# "Cannot export local symbol" warnings about ASan's helpers are noise.)
if ! swift build -c debug --sanitize=fuzzer --sanitize=address --product "$binary" >"$here/.build/fuzz-build.log" 2>&1; then
  grep -v "Cannot export local symbol" "$here/.build/fuzz-build.log" | grep -E "error|warning: unre" | head -20
  echo "build of $binary failed" >&2
  exit 1
fi
tail -1 "$here/.build/fuzz-build.log"
exe="$here/.build/debug/$binary"
out="$here/artifacts/$target"
mkdir -p "$out/corpus" "$out/work"
# Run inside a scratch folder: should a file command ever slip through the
# guards, whatever it writes lands here (and shows up in `ls`).
cd "$out/work"
if [ "${#inputs[@]}" -gt 0 ]; then
  exec "$exe" -timeout=1 -rss_limit_mb=2048 "${inputs[@]}"
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
  "$exe" -max_total_time="$left" -timeout=1 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$out/" "$out/corpus" "$here/corpus/$target" >"$out/$run-round-$round.log" 2>&1 || true
  grep -E "^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|stat::number_of_executed_units|Done)" \
    "$out/$run-round-$round.log" || true
done
total=$(cat "$out/$run"-round-*.log | awk '/stat::number_of_executed_units/ { n += $2 } END { print n + 0 }')
echo "$target: $round round(s), $total executions, corpus $(ls "$out/corpus" | wc -l) inputs," \
  "findings: $(ls "$out" | grep -cE '^(crash|timeout|oom|leak|slow-unit)-' || true)"
