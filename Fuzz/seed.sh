#!/usr/bin/env bash
# Builds the seed corpora in Fuzz/.build/seeds/<target>/ from what the
# project already has: the hand-made seeds in Fuzz/corpus/, the lessons in
# Scenarios/ (as notebooks, and their command lines as scripts), and the
# command lines quoted in the tests (one script per test file).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
seeds="$here/.build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/commands" "$seeds/notebook" "$seeds/structure"
cp "$here"/corpus/commands/* "$seeds/commands/"
cp "$here"/corpus/notebook/* "$seeds/notebook/"
[ -d "$here/corpus/structure" ] && cp "$here"/corpus/structure/* "$seeds/structure/"
for f in "$root"/Scenarios/*.md; do
  name="$(basename "$f" .md)"
  cp "$f" "$seeds/notebook/scenario-$name.md"
  sed -nE 's/^(\[[0-9]+\])?> //p' "$f" >"$seeds/commands/scenario-$name.txt"
done
# Command lines quoted in the tests: string literals that start with a
# command word of the lessons' vocabulary.
words="$(sed -nE 's/^(\[[0-9]+\])?> ([a-z]+).*/\2/p' "$root"/Scenarios/*.md | sort -u | paste -sd'|')"
for f in "$root"/Tests/EntropyLabTests/*.swift; do
  name="$(basename "$f" .swift)"
  grep -oE "\"($words)( [^\"\\\\]*)?\"" "$f" | tr -d '"' >"$seeds/commands/test-$name.txt" || true
  [ -s "$seeds/commands/test-$name.txt" ] || rm -f "$seeds/commands/test-$name.txt"
done
echo "seeds: $(ls "$seeds/commands" | wc -l) scripts, $(ls "$seeds/notebook" | wc -l) notebooks," \
  "$(ls "$seeds/structure" | wc -l) structure inputs"
