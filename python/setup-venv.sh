#!/usr/bin/env bash
# Creates (if missing) the Python virtual environment the Jupyter tests run
# in, and installs into it what is missing: the tested versions (at least)
# of ipykernel, nbclient, nbformat, jupyter_client and pyzmq from PyPI, and
# this package (pip install ./python, from a copy, so no build leftovers
# land in the source tree). The tests themselves import the package from
# python/ (PYTHONPATH), so they always test the checked-out source.
#
#   python/setup-venv.sh [VENV]   (default: $ENTROPYLAB_JUPYTER_VENV, else .build/jupyter-venv)
#
# Needs python3 with the venv module (Debian: python3-venv) and network
# access to PyPI the first time. Called by .ci/run before `swift test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-${ENTROPYLAB_JUPYTER_VENV:-$root/.build/jupyter-venv}}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  echo "setup-venv: creating $venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi

# The versions the tests were run with (the minimums; newer ones are fine).
requirements=("ipykernel>=7.4" "nbclient>=0.11" "nbformat>=5.11" "jupyter_client>=8.10" "pyzmq>=27.3")
if ! "$venv/bin/python" - "${requirements[@]}" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
def key(v):
    return [int(p) if p.isdigit() else 0 for p in v.split(".")[:3]]
for req in sys.argv[1:]:
    name, minimum = req.split(">=")
    try:
        if key(version(name)) < key(minimum):
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
then
  echo "setup-venv: installing ${requirements[*]}"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
fi

if ! "$venv/bin/python" -c "import entropylab_jupyter" >/dev/null 2>&1; then
  echo "setup-venv: installing ./python (entropylab_jupyter)"
  copy="$(mktemp -d)"
  trap 'rm -rf "$copy"' EXIT
  cp -R "$root/python/." "$copy/"
  rm -rf "$copy/build" "$copy"/*.egg-info
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$copy"
fi
echo "setup-venv: ready: $venv/bin/python"
