#!/usr/bin/env bash
# Takes docs/serve.png: the live classroom page (`entropy-lab serve`) after
# the first cells of lesson 3, in Debian's Chromium through Playwright.
#
# Usage: Scripts/serve-screenshot.sh [OUT.png] [CELLS]   (default: docs/serve.png, 5)
# Needs the debug build (swift build) and Scripts/setup-playwright.sh's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/serve.png}"
cells="${2:-5}"
bin="$(swift build --show-bin-path)/entropy-lab"
python="${ENTROPYLAB_PLAYWRIGHT_PYTHON:-.venv-playwright/bin/python}"
log="$(mktemp)"
"$bin" serve --port 0 Scenarios/03-four-quadrants.md < /dev/null > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  url="$(grep -o 'http://127.0.0.1:[0-9]*/?token=[0-9a-f]*' "$log" || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "the server printed no URL" >&2; exit 1; }
"$python" Tests/Playwright/serve_page.py "$url" --next "$cells" --screenshot "$out"
echo "wrote $out"
