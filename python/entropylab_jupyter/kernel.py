"""The EntropyLab Jupyter kernel: a wrapper kernel that runs each cell's
lines through ONE persistent ``entropy-lab --kernel`` process (see
``cells.run_cell`` for the mapping), so the session's state carries from
cell to cell as at the shell's prompt.

- outputs: ``display_data`` (text, and ``image/svg+xml`` for plots);
- errors: the error text on ``stderr`` and the cell's reply ``status:
  error`` (``ename`` ``LabError``), so a failing cell fails a notebook run;
- interrupt: Jupyter's interrupt (SIGINT to this process) is forwarded to
  the shell, which stops the running command between two steps; the cell
  then ends with ``ename`` ``KeyboardInterrupt`` and the session lives on;
- ``quit`` ends the shell; the next cell starts a fresh one. So does a
  kernel restart.

The binary: ``$ENTROPYLAB_BIN``, else ``PATH``, else the ``--binary`` the
kernelspec was installed with (passed as ``--EntropyLabKernel.binary``).
"""

import signal

from ipykernel.kernelbase import Kernel
from traitlets import Unicode

from . import __version__
from .binary import BinaryNotFound
from .cells import run_cell
from .process import LabEnded, LabProcess

LANGUAGE_INFO = {"name": "entropylab", "mimetype": "text/plain", "file_extension": ".txt"}


class EntropyLabKernel(Kernel):
    implementation = "entropylab_jupyter"
    implementation_version = __version__
    language = "entropylab"
    language_version = __version__
    language_info = LANGUAGE_INFO
    banner = "EntropyLab: the entropy mechanism of policy-gradient RL, one cell at a time. Type 'help'."

    binary = Unicode("", help="The entropy-lab binary, when neither $ENTROPYLAB_BIN nor PATH has one.").tag(
        config=True
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._lab = None

    def _process(self):
        if self._lab is None or not self._lab.alive:
            self._lab = LabProcess(binary=self.binary or None)
        return self._lab

    def _send_display(self, data, metadata):
        self.send_response(
            self.iopub_socket, "display_data", {"data": data, "metadata": metadata, "transient": {}}
        )

    def _send_stderr(self, text):
        self.send_response(self.iopub_socket, "stream", {"name": "stderr", "text": text})

    def _error_reply(self, ename, evalue):
        return {
            "status": "error",
            "execution_count": self.execution_count,
            "ename": ename,
            "evalue": evalue,
            "traceback": [],
        }

    async def do_execute(
        self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, **kwargs
    ):
        display = (lambda data, meta: None) if silent else self._send_display
        stderr = (lambda text: None) if silent else self._send_stderr
        try:
            lab = self._process()
            outcome = run_cell(lab, code, display, stderr)
        except BinaryNotFound as error:
            stderr("error: %s\n" % error)
            return self._error_reply("BinaryNotFound", str(error))
        except LabEnded as error:
            self._lab = None
            stderr("error: %s; the next cell starts a new session\n" % error)
            return self._error_reply("LabEnded", str(error))
        except KeyboardInterrupt:
            # An interrupt outside the wait for the shell (between lines).
            if self._lab is not None:
                self._lab.interrupt()
            return self._error_reply("KeyboardInterrupt", "interrupted")
        if outcome.status == "error":
            return self._error_reply("LabError", outcome.message)
        if outcome.status == "interrupted":
            stderr("interrupted: the cell stopped at line %d ('%s')\n" % (outcome.line + 1, outcome.command))
            return self._error_reply("KeyboardInterrupt", outcome.message)
        if outcome.status == "quit":
            self._lab = None
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}

    async def do_shutdown(self, restart):
        if self._lab is not None:
            self._lab.close()
            self._lab = None
        return {"status": "ok", "restart": restart}


def unblock_signals():
    """Unblocks SIGINT, SIGTERM and SIGHUP: a process inherits its parent's
    signal mask, and a kernel started from a thread that blocks them (a
    test harness's worker thread does) would never see Jupyter's interrupt."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


def main():
    from ipykernel.kernelapp import IPKernelApp

    unblock_signals()
    IPKernelApp.launch_instance(kernel_class=EntropyLabKernel)


if __name__ == "__main__":
    main()
