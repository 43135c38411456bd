"""Finding the ``entropy-lab`` binary: ``$ENTROPYLAB_BIN``, else
``entropy-lab`` on ``PATH``, else the path given as an option (the
kernelspec's ``--binary``, recorded by ``install --binary``, or the
magic's ``--binary``)."""

import os
import shutil

ENV_VAR = "ENTROPYLAB_BIN"


class BinaryNotFound(RuntimeError):
    """No usable ``entropy-lab`` executable."""


def executable(path):
    """``path`` made absolute, if it is an executable file; else None."""
    path = os.path.abspath(os.path.expanduser(path))
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def check_executable(path, what="--binary"):
    """``path`` made absolute; raises ``BinaryNotFound`` if it is not an executable file."""
    found = executable(path)
    if found is None:
        raise BinaryNotFound("%s names %s, which is not an executable file" % (what, path))
    return found


def find_binary(fallback=None):
    """The path of the ``entropy-lab`` executable to run:
    ``$ENTROPYLAB_BIN``, else ``PATH``, else ``fallback`` (an option).

    Raises ``BinaryNotFound`` naming what was tried and how to fix it.
    """
    tried = []
    value = os.environ.get(ENV_VAR)
    if value:
        found = executable(value)
        if found:
            return found
        tried.append("$%s names %s, which is not an executable file" % (ENV_VAR, value))
    found = shutil.which("entropy-lab")
    if found:
        return found
    tried.append("no entropy-lab on PATH")
    if fallback:
        found = executable(fallback)
        if found:
            return found
        tried.append("the option names %s, which is not an executable file" % fallback)
    raise BinaryNotFound(
        "cannot find the entropy-lab binary (%s): build it with 'swift build' and set %s=/path/to/entropy-lab, "
        "or put it on PATH" % ("; ".join(tried), ENV_VAR)
    )
