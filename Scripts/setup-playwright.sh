#!/usr/bin/env bash
# Installs what the live page's browser test (Tests/Playwright/serve_page.py,
# run by ServeTests/PageBrowserTests) needs, if it is missing:
#   - Debian's chromium (Playwright cannot download its own browsers here);
#   - a virtual environment .venv-playwright with Playwright from PyPI.
# Run as root for apt-get (CI is root); the venv is made in the package folder.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${PLAYWRIGHT_VENV:-.venv-playwright}"
if ! [ -x /usr/bin/chromium ]; then
  echo "installing: chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium
fi
if ! "$venv/bin/python" -c "import playwright" >/dev/null 2>&1; then
  echo "creating $venv with Playwright from PyPI"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "playwright==1.65.2"
fi
