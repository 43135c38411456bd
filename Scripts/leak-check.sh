#!/usr/bin/env bash
# Runs a scripted session of every command through the built entropy-lab
# binary under valgrind, then a notebook replay (check mode) of a saved
# notebook, and reports the definitely-lost bytes. Exits 1 if any block is
# definitely lost (or valgrind finds a memory error).
#
#   Scripts/leak-check.sh            # builds into .build-leak (debug)
#   SCRATCH=.build-robust Scripts/leak-check.sh
#
# "Still reachable" blocks (the Swift runtime's metadata caches, readline's
# and glibc's one-time allocations) are not leaks and are not counted;
# "possibly lost" are reported for information (the Swift runtime keeps
# interior pointers into its metadata caches).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${SCRATCH:-.build-leak}"
cd "$root"
swift build --scratch-path "$scratch" --product entropy-lab 2>&1 | tail -1
binary="$root/$scratch/debug/entropy-lab"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Every command of the shell (help lists them; the last line checks none
# is missing), including the file commands, writing inside $work.
cat >"$work/session.txt" <<SCRIPT
help
help step
status
policy arms 4 states 2
policy logits 1 0 -1 0.5
policy probs 0.4 0.3 0.2 0.1 state 1
policy random scale 1
rewards 1 0 0 1
rewards random
adv 1 -1 0 0
adv exact
update pg
lr 0.1
seed 3
predict
step
step 3
show
show state 1
update npg
step 2
update grpo
group 4
noise gaussian 0.5
noise bernoulli
filter on
minibatches 2
epochs 2
clip 0.2 0.28
clipcov on ratio 0.2 low 1 high 5
klcov on ratio 0.2 coef 1
cliphigher on high 0.3
entropybonus on coef 0.01
run 3
tokens top 3
tokens all
tokens chosen
history
history last 2
plot entropy
plot reward
plot cov
plot residual
fit
fit first 0.5
compare none clipcov steps 3 seeds 1..2
clipcov off
klcov off
cliphigher off
entropybonus off
noise none
checkpoint a
policy arms 3
restore a
export csv $work/t.csv
export json $work/t.json
export svg $work/t.svg
export html $work/t.html
save $work/nb.md
replay $work/nb.md
stpe
policy logits nan 1 2 3
lr 1e309
quit
SCRIPT

run_valgrind() {
  local log="$1"
  shift
  valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 \
    --log-file="$log" "$@" || true
}

run_valgrind "$work/shell.vg" "$binary" --seed 1 "$work/session.txt" >"$work/shell.out" 2>&1
run_valgrind "$work/replay.vg" "$binary" replay --check "$work/nb.md" >"$work/replay.out" 2>&1

status=0
for run in shell replay; do
  log="$work/$run.vg"
  definite=$(awk '/definitely lost:/ { gsub(",", "", $4); print $4 }' "$log" | tail -1)
  possibly=$(awk '/possibly lost:/ { gsub(",", "", $4); print $4 }' "$log" | tail -1)
  reachable=$(awk '/still reachable:/ { gsub(",", "", $4); print $4 }' "$log" | tail -1)
  errors=$(awk '/ERROR SUMMARY:/ { print $4 }' "$log" | tail -1)
  echo "$run: definitely lost ${definite:-0} bytes; possibly lost ${possibly:-0}; still reachable ${reachable:-0};" \
    "valgrind errors ${errors:-?}"
  if [ "${definite:-0}" != "0" ] || [ "${errors:-0}" != "0" ]; then
    status=1
    grep -B2 -A25 "definitely lost in" "$log" | head -120 || true
    grep -A20 "Invalid \|uninitialised" "$log" | head -60 || true
  fi
done
# Every command in the help (lines "  name …" under a group heading)
# appears in the session script.
missing=$("$binary" <<<"help" | grep -E '^  [a-z]+ ' | awk '{ print $1 }' | sort -u | while read -r c; do
  grep -qE "^$c( |$)" "$work/session.txt" || echo "$c"; done)
if [ -n "$missing" ]; then
  echo "commands missing from the script: $missing"
  status=1
fi
# The three junk lines at the end fail on purpose; nothing else may.
summary=$(tail -1 "$work/shell.out")
echo "session: $(grep -c . "$work/session.txt") lines; $summary"
case "$summary" in
  *"3 commands failed (first at line $(grep -n '^stpe$' "$work/session.txt" | cut -d: -f1) "*) ;;
  *) echo "unexpected failures in the session:"; grep -A1 '^error' "$work/shell.out" | head -20; status=1 ;;
esac
echo "replay of the saved notebook: $(tail -1 "$work/replay.out")"
exit $status
