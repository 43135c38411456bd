#!/usr/bin/env bash
# The project's own mutation test: does the test suite notice a realistic bug?
#
# Each mutant in Scripts/mutants.txt is one small change to one source file
# (an exact expression replaced by another); this script checks that the
# tests named for it fail when that change is made. It prints, per mutant,
# `killed` (some test failed), `SURVIVED` (every test passed: a gap in the
# tests), `equivalent` (argued in mutants.txt to change no behaviour) or
# `matches no test` (its filter names no test: a vacuous pass, counted as
# broken, not as a survivor), and the score: killed / non-equivalent. Exit status 0 only if every
# non-equivalent mutant was killed.
#
# Usage: Scripts/mutants.sh [--one-at-a-time] [--no-baseline] [ID ...]
#   ID ...            run only these mutants (default: all)
#   --one-at-a-time   apply each mutant alone and rebuild for it (slow: one
#                     incremental build per mutant), instead of the default
#                     mutant schemata
#   --no-baseline     skip the check that the tests pass with no mutant on
#   --list            list the mutants and exit
#   JOBS=N            build jobs (default 2); NICE=N niceness (default 19)
#   TEST_TIMEOUT=S    seconds before a test run counts as killed (a hang; default 900)
#
# How: the working tree (tracked and untracked, not ignored, files) is
# mirrored into .build-mutants/tree — never the working tree itself, which is
# left untouched — and built there with its own incremental .build.
# Default (schemata): every mutant is compiled in at once, each expression
# `E` becoming `(EntropyMutant.active == n ? (M) : (E))`, with
# `EntropyMutant.active` read once from the environment variable
# ENTROPYLAB_MUTANT (0 or unset: no mutant; the original code runs). So one
# build serves every mutant, and each mutant costs only its filtered test run
# (`swift test --skip-build --filter …` with ENTROPYLAB_MUTANT=n; shell tests
# pass the variable on to the entropy-lab process they start). The switch
# exists only in that scratch copy: no release or debug build of the project
# contains it.
#
# A mutant whose anchor text is not found exactly once in its file (the code
# moved on) is reported as `does not apply` and fails the run: fix its text
# in mutants.txt rather than drop it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
list="$root/Scripts/mutants.txt"
scratch="$root/.build-mutants"
tree="$scratch/tree"
jobs="${JOBS:-2}"
niceness="${NICE:-19}"
timeout_s="${TEST_TIMEOUT:-900}"

mode=schemata
baseline=1
listonly=0
ids=()
for arg in "$@"; do
  case "$arg" in
    --one-at-a-time) mode=single ;;
    --no-baseline) baseline=0 ;;
    --list) listonly=1 ;;
    -h | --help) sed -n '2,38p' "$0"; exit 0 ;;
    -*) echo "error: unknown option $arg" >&2; exit 2 ;;
    *) ids+=("$arg") ;;
  esac
done

# The mutant list as a JSON array (parsed and checked by mutants.py).
helper="$root/Scripts/mutants.py"
if [ "$listonly" = 1 ]; then
  python3 "$helper" list "$list"
  exit 0
fi

mkdir -p "$tree" "$scratch/logs"
log="$scratch/logs"
rm -f "$log"/*.log

build() {
  (cd "$tree" && nice -n "$niceness" swift build --build-tests -j "$jobs") >"$log/build.log" 2>&1
}

# Runs the tests matching $1 with mutant $2 (0: none) on; status 0 if they pass.
run_tests() {
  local filter="$1" number="$2" out="$3"
  (cd "$tree" && ENTROPYLAB_MUTANT="$number" nice -n "$niceness" timeout "$timeout_s" \
    swift test --skip-build --filter "$filter") >"$out" 2>&1
}

# Prints the number of tests a run reported (0 if none ran: a filter that
# matches nothing must not count as a kill or a survival).
tests_run() {
  local n
  n=$(grep -Eo 'Test run with [0-9]+ test' "$1" | grep -Eo '[0-9]+' | tail -1 || true)
  local x
  x=$(grep -Eo 'Executed [0-9]+ test' "$1" | grep -Eo '[0-9]+' | tail -1 || true)
  echo $((${n:-0} + ${x:-0}))
}

echo "mutants: $(python3 "$helper" count "$list" "${ids[@]}") selected, mode $mode, tree $tree"
started=$(date -u +%s)

if [ "$mode" = schemata ]; then
  python3 "$helper" schemata "$list" "$root" "$tree" "${ids[@]}" || exit 2
  echo "building the schemata tree (log: $log/build.log)"
  build || { echo "error: the schemata tree does not build; see $log/build.log" >&2; tail -30 "$log/build.log" >&2; exit 2; }
else
  python3 "$helper" sync "$root" "$tree"
  echo "building the unmutated tree (log: $log/build.log)"
  build || { echo "error: the tree does not build; see $log/build.log" >&2; exit 2; }
fi

# A table of the selected mutants: number, id, file, filter, equivalent flag.
table="$scratch/selected.tsv"
python3 "$helper" table "$list" "${ids[@]}" >"$table"

if [ "$baseline" = 1 ]; then
  union=$(cut -f4 "$table" | sort -u | paste -sd'|' -)
  echo "baseline: the selected tests with no mutant on"
  if ! run_tests "$union" 0 "$log/baseline.log"; then
    echo "error: the tests fail with no mutant on; see $log/baseline.log" >&2
    grep -E 'failed|error:' "$log/baseline.log" | head -20 >&2
    exit 2
  fi
  echo "baseline: $(tests_run "$log/baseline.log") tests pass"
fi

killed=0
survived=0
equivalent=0
broken=0
survivors=()
while IFS=$'\t' read -r number id file filter equiv; do
  if [ "$equiv" = 1 ]; then
    printf '%-32s equivalent (argued in mutants.txt)\n' "$id"
    equivalent=$((equivalent + 1))
    continue
  fi
  out="$log/$id.log"
  if [ "$mode" = single ]; then
    if ! python3 "$helper" single "$list" "$root" "$tree" "$id"; then
      printf '%-32s does not apply\n' "$id"
      broken=$((broken + 1))
      continue
    fi
    if ! build; then
      printf '%-32s does not compile (see %s)\n' "$id" "$log/build.log"
      cp "$log/build.log" "$out"
      broken=$((broken + 1))
      python3 "$helper" sync "$root" "$tree"
      continue
    fi
    number=0
  fi
  t0=$(date -u +%s)
  if run_tests "$filter" "$number" "$out"; then
    passed=1
  else
    passed=0
  fi
  ran=$(tests_run "$out")
  if [ "$passed" = 1 ] && [ "$ran" = 0 ]; then
    # A filter that matches no test passes vacuously: that is a broken
    # entry in mutants.txt, not a survivor (two "survivors" of the
    # 2 Dec run were this: the AdamW test had been renamed).
    status="matches no test (fix its filter)"
    broken=$((broken + 1))
  elif [ "$passed" = 1 ]; then
    status=SURVIVED
    survived=$((survived + 1))
    survivors+=("$id")
  else
    status=killed
    killed=$((killed + 1))
  fi
  if [ "$status" = killed ] && [ "$ran" = 0 ] && ! grep -q 'timed out\|Terminated' "$out"; then
    # Nothing ran (a bad filter or a crash before any test): say so.
    status="killed (no test reported; crash?)"
  fi
  printf '%-32s %-9s %4ss  %s  [%s]\n' "$id" "$status" "$(($(date -u +%s) - t0))" "$file" "$filter"
  if [ "$mode" = single ]; then python3 "$helper" sync "$root" "$tree"; fi
done <"$table"

total=$((killed + survived))
echo
echo "score: $killed killed of $total non-equivalent mutants ($((total > 0 ? 100 * killed / total : 0))%);" \
  "$equivalent equivalent; $broken not applied, not compiling or matching no test;" \
  "$(($(date -u +%s) - started))s; $(git -C "$root" rev-parse --short HEAD) on $(date -u '+%Y-%m-%d %H:%M UTC')"
if [ "$survived" -gt 0 ]; then echo "survived: ${survivors[*]}"; fi
[ "$survived" = 0 ] && [ "$broken" = 0 ]
