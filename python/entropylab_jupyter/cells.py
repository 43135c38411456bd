"""Running one notebook cell's lines through an ``entropy-lab --kernel``
process: shared by the kernel and the ``%%lab`` magic.

A cell maps to shell lines one to one: each line of the cell is one shell
line (one command), answered by one JSON frame. Blank lines are skipped.
The cell stops at its first failing line, as a Python cell stops at its
first exception; the lines after it are not run.

Outputs, one per command that printed something:

- a ``display_data`` with ``text/plain`` (the command's text, in the
  notebook style that ``replay --check`` compares) and, when it drew a
  plot, ``image/svg+xml``; its metadata ``{"entropylab": {"line": k}}``
  names the 0-based line of the cell it answers, so the converter can put
  each output back under its command (a second plot of one command comes
  as a further ``display_data`` with ``"extra": true``);
- a failing command's error text on the ``stderr`` stream.
"""


class CellOutcome:
    """How a cell ended: ``status`` is ``ok``, ``error`` (a command failed),
    ``interrupted`` (stopped by an interrupt) or ``quit`` (the shell ended);
    ``line`` and ``command`` name the line it stopped at, ``message`` why."""

    def __init__(self, status, line=None, command=None, message=""):
        self.status = status
        self.line = line
        self.command = command
        self.message = message

    @property
    def ok(self):
        return self.status in ("ok", "quit")


def output_metadata(line, extra=False):
    """The metadata of a command's output (see the module's doc)."""
    meta = {"line": line}
    if extra:
        meta["extra"] = True
    return {"entropylab": meta}


def cell_lines(code):
    """The cell's lines as sent to the shell (line ends dropped)."""
    return [line.rstrip("\r") for line in code.split("\n")]


def run_cell(lab, code, display, stderr):
    """Runs ``code``'s lines in ``lab`` (a ``LabProcess``).

    ``display(data, metadata)`` publishes a display_data; ``stderr(text)``
    writes to the stderr stream. Raises ``LabEnded`` when the process ends
    unexpectedly.
    """
    for k, line in enumerate(cell_lines(code)):
        if not line.strip():
            continue
        frame = lab.run(line)
        text = frame.get("text", "")
        svgs = frame.get("svg") or []
        if frame.get("failed"):
            if text:
                stderr(text + "\n")
            first = text.strip().splitlines()[0] if text.strip() else "the command failed"
            return CellOutcome("error", k, line, first)
        if svgs:
            display({"text/plain": text, "image/svg+xml": svgs[0]}, output_metadata(k))
            for svg in svgs[1:]:
                display({"text/plain": "", "image/svg+xml": svg}, output_metadata(k, extra=True))
        elif text:
            display({"text/plain": text}, output_metadata(k))
        if lab.interrupted:
            return CellOutcome("interrupted", k, line, "interrupted at line %d ('%s')" % (k + 1, line))
        if frame.get("quit"):
            return CellOutcome("quit", k, line, "the session ended ('quit'); the next cell starts a new one")
    return CellOutcome("ok")
