#!/usr/bin/env bash
# Installs the packages Scripts/release.sh made, as a user would, and runs
# them from the installed files only:
#   the .deb with `apt-get install ./….deb` (its Depends resolve from the
#   system), `entropy-lab --version`, a lesson's `replay --check` from
#   /usr/share/doc/entropy-lab/examples, the bash completion script, all
#   under `env -i` (no toolchain on PATH or in LD_LIBRARY_PATH); then
#   removes the package again (also on failure) and checks it is gone;
#   the tarball unpacked into a temporary prefix, run the same way.
# Needs root (apt-get). A machine that had entropy-lab installed before
# gets it removed: run this on CI or a throwaway machine.
#
# usage: Scripts/install-check.sh [DIST]   (default dist)
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:-dist}
lesson=01-softmax-and-entropy.md
deb=$(ls -t "$dist"/entropy-lab_*.deb | head -1)
tarball=$(ls -t "$dist"/entropy-lab-*-linux-*.tar.gz | head -1)
work=$(mktemp -d /tmp/entropylab-install.XXXXXX)
export DEBIAN_FRONTEND=noninteractive

cleanup() {
  apt-get remove -y -qq entropy-lab >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

start=$(date +%s)
echo "== apt-get install ./$deb"
apt-get install -y -qq "./$deb" 2>&1 | grep -v "^$" | tail -3 || true
dpkg -s entropy-lab | grep -E "^(Version|Depends):"
installed=$(command -v entropy-lab)
[ "$installed" = /usr/bin/entropy-lab ] || { echo "FAIL: entropy-lab is $installed, not /usr/bin" >&2; exit 1; }

echo "== from the installed files, under env -i"
env -i /usr/bin/entropy-lab --version
if ldd /usr/bin/entropy-lab | grep -q "libswift\|libFoundation"; then
  echo "FAIL: the installed binary needs the Swift runtime:" >&2
  ldd /usr/bin/entropy-lab >&2
  exit 1
fi
env -i HOME="$work" /usr/bin/entropy-lab replay --check "/usr/share/doc/entropy-lab/examples/$lesson"
env -i bash -c 'source /usr/share/bash-completion/completions/entropy-lab && complete -p entropy-lab'
printf 'policy arms 4\nstep\nstatus\n' | env -i HOME="$work" /usr/bin/entropy-lab shell --json | tail -1

echo "== apt-get remove entropy-lab"
apt-get remove -y -qq entropy-lab >/dev/null
if [ -e /usr/bin/entropy-lab ] || dpkg -s entropy-lab >/dev/null 2>&1; then
  echo "FAIL: entropy-lab is still installed after removal" >&2
  exit 1
fi

echo "== the tarball, unpacked into a prefix"
mkdir "$work/prefix"
tar -xzf "$tarball" -C "$work/prefix" --strip-components=1
env -i "$work/prefix/bin/entropy-lab" --version
env -i HOME="$work" "$work/prefix/bin/entropy-lab" replay --check "$work/prefix/share/doc/entropy-lab/examples/$lesson"
echo "install-check: passed ($(($(date +%s) - start)) s)"
