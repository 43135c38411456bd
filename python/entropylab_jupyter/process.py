"""One ``entropy-lab --kernel`` process: write a line, read its JSON frame.

The process answers every line with exactly one JSON object on one line
(``cell``, ``command``, ``text``, ``failed``, ``svg``, ``quit``; see the
README's "Jupyter and Colab"). It runs in its own session (process group),
so a Ctrl-C meant for the Python process is not delivered to it twice:
``interrupt()`` forwards SIGINT explicitly, and the shell then stops the
running command between two steps, keeping its session.
"""

import json
import os
import signal
import subprocess

from .binary import find_binary


class LabEnded(RuntimeError):
    """The ``entropy-lab`` process ended (``quit``, a crash, or killed)."""


class LabProcess:
    """A running ``entropy-lab --kernel``; ``run(line)`` returns its frame (a dict)."""

    def __init__(self, binary=None, seed=None, extra_args=()):
        # $ENTROPYLAB_BIN, else PATH, else ``binary``.
        self.binary = find_binary(binary)
        args = [self.binary, "--kernel"]
        if seed is not None:
            args += ["--seed", str(seed)]
        args += list(extra_args)
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            start_new_session=True,
        )
        self._buffer = b""
        #: Lines written whose frames were not read yet.
        self._unread = 0
        #: Set when an interrupt was forwarded during the last ``run``.
        self.interrupted = False

    @property
    def alive(self):
        return self.proc.poll() is None

    def interrupt(self):
        """Forwards SIGINT: the running command stops between two steps."""
        if self.alive:
            try:
                os.kill(self.proc.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
        self.interrupted = True

    def run(self, line):
        """Runs one shell line and returns its frame.

        A KeyboardInterrupt while waiting (Jupyter's interrupt, Ctrl-C) is
        forwarded to the shell as SIGINT, and the wait goes on: the shell
        answers once the command has stopped. ``self.interrupted`` tells.
        """
        self.interrupted = False
        # A frame left unread by a KeyboardInterrupt that came between the
        # write and the read: read it now, so answers stay paired with lines.
        while self._unread > 0:
            self._read_frame()
            self._unread -= 1
        if not self.alive:
            raise LabEnded("the entropy-lab process has ended (status %s)" % self.proc.returncode)
        data = (line.replace("\r", "").replace("\n", " ") + "\n").encode("utf-8")
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise LabEnded("the entropy-lab process has ended (status %s)" % self.proc.poll())
        self._unread += 1
        frame = self._read_frame()
        self._unread -= 1
        return frame

    def _read_frame(self):
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            try:
                chunk = os.read(fd, 1 << 16)
            except KeyboardInterrupt:
                # os.read consumed nothing: forward and keep waiting.
                self.interrupt()
                continue
            if not chunk:
                self.proc.wait()
                raise LabEnded("the entropy-lab process has ended (status %s)" % self.proc.returncode)
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line.decode("utf-8"))

    def close(self):
        """Ends the process (closing its input ends it; then SIGTERM, then SIGKILL)."""
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
