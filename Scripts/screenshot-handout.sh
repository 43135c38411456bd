#!/usr/bin/env bash
# Renders a short lesson as an HTML handout and takes screenshots of it with
# headless Chromium, so the export can be looked at as a reader sees it.
#
# Usage: Scripts/screenshot-handout.sh [OUT_DIR]     (default: .build-export/handout)
#   SCRATCH_PATH=.build-NAME  build folder to use  (default: .build-export)
#   WIDTH=1280 HEIGHT=4200    browser window size for the screenshots
#
# Writes into OUT_DIR:
#   lesson5.html / .png / .pdf  Scenarios/05 as a handout, written by `entropy-lab export
#                               FILE.md --html` (prose included); the PDF is its print layout,
#                               lesson5-print-N.png its first pages (needs pdftoppm)
#   handout.html / .png / .pdf  a lesson with prose, tables, charts and an error, made
#                               through the library (HTMLHandout.render) by the test
#                               ExportTests/writesDemoHandout; the PDF shows the print layout
#   session.html / .png         the same session written by the shell command `export html`
#   compare.svg                 the last chart, written by `export svg`
#   piped.html / .png           commands piped into the entropy-lab executable, ending in
#                               `export html` (only once the executable reads piped input)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SCRATCH_PATH:-.build-export}"
out="${1:-$scratch/handout}"
width="${WIDTH:-1280}"
height="${HEIGHT:-4200}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium
fi

# 1. A lesson through the library, and the same session through `export html`/`export svg`.
rm -f "$out"/*.html "$out"/*.png "$out"/*.pdf "$out"/*.svg
ENTROPYLAB_HANDOUT_DIR="$out" swift test --scratch-path "$scratch" --filter 'ExportTests.*writesDemoHandout'
test -s "$out/handout.html" || { echo "error: the test wrote no handout" >&2; exit 1; }

# 2. The shell itself, with commands piped in. The executable's piped front end may not
#    exist yet; then this step says so and the script goes on.
if swift build --scratch-path "$scratch" --product entropy-lab >/dev/null 2>&1; then
  "$scratch/debug/entropy-lab" >"$out/piped.txt" 2>&1 <<EOF || true
policy arms 6 states 4
policy logits 2 0 0 0 0 0
rewards 0.6 1 0 0 0.2 0.1
update grpo
lr 1
run 30
plot entropy
export html $out/piped.html Piped session
EOF
fi
[ -f "$out/piped.html" ] || echo "note: the executable did not write piped.html (piped shell not ready?)"

# 3. A real lesson as a handout, straight from its notebook file.
"$scratch/debug/entropy-lab" export Scenarios/05-entropy-collapse-and-the-law.md \
  --html "$out/lesson5.html" --svg-dir "$out"

# 4. Screenshots (PNG) and the print layout (PDF).
shoot() {
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --force-device-scale-factor=1 --window-size="$width,$height" "$@" 2>/dev/null
}
for page in lesson5 handout session piped; do
  [ -f "$out/$page.html" ] || continue
  shoot --screenshot="$out/$page.png" "file://$out/$page.html"
  echo "wrote $out/$page.png"
done
for page in lesson5 handout; do
  shoot --no-pdf-header-footer --print-to-pdf="$out/$page.pdf" "file://$out/$page.html"
  echo "wrote $out/$page.pdf"
done
if command -v pdftoppm >/dev/null 2>&1; then
  pdftoppm -png -r 80 -f 1 -l 3 "$out/lesson5.pdf" "$out/lesson5-print"
  echo "wrote $out/lesson5-print-*.png (pages 1-3 of the print layout)"
fi
