"""The ``%%lab`` cell magic, for the plain Python kernel (Colab, or any
IPython): ``%load_ext entropylab_jupyter``, then

    %%lab
    policy arms 4
    step 3
    plot entropy

runs the cell's lines in one ``entropy-lab --kernel`` process kept for the
whole IPython session (state carries from cell to cell), with the same
outputs as the EntropyLab kernel: text, and plots inline as SVG. A
failing line stops the cell with its error on stderr and a short
``LabCellError``; an interrupt stops a long command between steps.

Options on the ``%%lab`` line: ``--restart`` (a fresh session),
``--seed N`` (with ``--restart``, or for the first cell: the session's
seed), ``--binary PATH`` (the ``entropy-lab`` binary, used when neither
``$ENTROPYLAB_BIN`` nor ``PATH`` has one).
"""

import shlex
import sys

from .cells import run_cell
from .process import LabEnded, LabProcess


class LabCellError(Exception):
    """A ``%%lab`` cell that failed or was interrupted; shown as one line."""

    def _render_traceback_(self):
        return ["%s: %s" % (type(self).__name__, self)]


_state = {"lab": None}


def _parse(line):
    words = shlex.split(line or "")
    options = {"restart": False, "seed": None, "binary": None}
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--restart":
            options["restart"] = True
        elif word in ("--seed", "--binary") and i + 1 < len(words):
            options[word[2:]] = words[i + 1]
            i += 1
        else:
            raise LabCellError(
                "'%s' is not a %%%%lab option (expected --restart, --seed N, --binary PATH)" % word
            )
        i += 1
    if options["seed"] is not None and not options["seed"].isdigit():
        raise LabCellError("--seed needs a whole number >= 0, not '%s'" % options["seed"])
    return options


def lab_process(restart=False, seed=None, binary=None):
    """The session's ``LabProcess``, started (or restarted) as asked."""
    lab = _state["lab"]
    if restart and lab is not None:
        lab.close()
        lab = None
    if lab is None or not lab.alive:
        lab = LabProcess(binary=binary, seed=seed)
        _state["lab"] = lab
    return lab


def lab(line, cell):
    """The ``%%lab`` cell magic (see the module's doc)."""
    from IPython.display import publish_display_data

    options = _parse(line)
    process = lab_process(options["restart"], options["seed"], options["binary"])

    def display(data, metadata):
        publish_display_data(data, metadata=metadata)

    def stderr(text):
        sys.stderr.write(text)
        sys.stderr.flush()

    try:
        outcome = run_cell(process, cell, display, stderr)
    except LabEnded as error:
        _state["lab"] = None
        raise LabCellError("%s; the next %%%%lab cell starts a new session" % error) from None
    except KeyboardInterrupt:
        process.interrupt()
        raise
    if outcome.status == "error":
        raise LabCellError("line %d ('%s') failed: %s" % (outcome.line + 1, outcome.command, outcome.message))
    if outcome.status == "interrupted":
        raise KeyboardInterrupt(outcome.message)
    if outcome.status == "quit":
        _state["lab"] = None


def load_ipython_extension(ipython):
    """Registers ``%%lab`` (``%load_ext entropylab_jupyter``)."""
    ipython.register_magic_function(lab, magic_kind="cell", magic_name="lab")
