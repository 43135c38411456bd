"""Shared by the tests: the binary, the lessons, a kernelspec in a
temporary Jupyter path, and running ``entropy-lab``."""

import glob
import os
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCENARIOS = os.path.join(ROOT, "Scenarios")

sys.path.insert(0, os.path.dirname(HERE))

# Started by `swift test`, this process may inherit a mask that blocks
# SIGINT; the kernels it starts (the python3 kernel too) would inherit it.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})

from entropylab_jupyter.binary import find_binary  # noqa: E402


def binary():
    """The entropy-lab under test: $ENTROPYLAB_BIN (the Swift test sets it)."""
    return find_binary()


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def lessons():
    """Every lesson; $ENTROPYLAB_LESSONS=PATTERN (a glob, e.g. '07*') narrows
    them, for a quick run by hand."""
    pattern = os.environ.get("ENTROPYLAB_LESSONS") or "*.md"
    found = sorted(glob.glob(os.path.join(SCENARIOS, pattern)))
    if not found:
        raise AssertionError("no lessons in %s" % SCENARIOS)
    return found


def entropy_lab(*args, timeout=600):
    """Runs the binary; returns the CompletedProcess (text)."""
    return subprocess.run([binary(), *args], capture_output=True, text=True, timeout=timeout)


_jupyter_path = {}


def kernel_environment():
    """Installs the kernelspec (with the package's own installer, into a
    temporary prefix) once, and points JUPYTER_PATH at it."""
    if "path" not in _jupyter_path:
        from entropylab_jupyter.install import install

        prefix = tempfile.mkdtemp(prefix="entropylab-jupyter-")
        install(prefix=prefix)
        share = os.path.join(prefix, "share", "jupyter")
        os.environ["JUPYTER_PATH"] = share + os.pathsep + os.environ.get("JUPYTER_PATH", "")
        # The kernel process imports the package from this source tree.
        source = os.path.dirname(HERE)
        os.environ["PYTHONPATH"] = source + os.pathsep + os.environ.get("PYTHONPATH", "")
        _jupyter_path["path"] = share
    return _jupyter_path["path"]
