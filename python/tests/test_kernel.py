"""The EntropyLab kernel through Jupyter's own machinery (the kernelspec
installed by the package's installer, nbclient, jupyter_client): every
lesson run as .ipynb and checked against its recorded outputs, a failing
cell failing the run, and an interrupt stopping a long cell."""

import os
import shutil
import tempfile
import time
import unittest

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import support
from entropylab_jupyter import convert

# Each lesson replays in seconds; the kernel adds a start-up.
CELL_TIMEOUT = 900


def execute(nb, **options):
    support.kernel_environment()
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="entropylab", **options)
    client.execute()
    return nb


class KernelTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="entropylab-kernel-")

    def tearDown(self):
        shutil.rmtree(self.folder)

    def test_every_lesson_runs_in_the_kernel_with_its_recorded_outputs(self):
        for lesson in support.lessons():
            with self.subTest(lesson=os.path.basename(lesson)):
                nb = convert.md_to_ipynb(support.read(lesson), lesson)
                for cell in nb.cells:
                    if cell.cell_type == "code":
                        cell.outputs = []  # only what the kernel produces counts
                started = time.monotonic()
                execute(nb)
                nbformat.validate(nb)
                executed = os.path.join(self.folder, "executed.md")
                with open(executed, "w", encoding="utf-8") as f:
                    f.write(convert.ipynb_to_md(nb))
                # The checker: replay --check's comparison, by entropy-lab itself.
                result = support.entropy_lab("diff", lesson, executed)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn("0 failed", result.stdout)
                print("  %s: %.1f s through the kernel" % (os.path.basename(lesson), time.monotonic() - started))
                # Every plot command shows its chart inline as SVG (and
                # other commands that draw, such as compare, may too).
                drawn, plots = set(), set()
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    for k, line in enumerate("".join(cell.source).split("\n")):
                        if line.split()[:1] == ["plot"]:
                            plots.add((index, k))
                    for out in cell.outputs:
                        if "image/svg+xml" in out.get("data", {}):
                            self.assertTrue(out.data["image/svg+xml"].startswith("<svg"))
                            drawn.add((index, out.metadata["entropylab"]["line"]))
                self.assertLessEqual(plots, drawn, "a plot command without its SVG")

    def test_a_failing_cell_fails_the_notebook_run(self):
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell("policy arms 3"),
            nbformat.v4.new_code_cell("step 1\nfrobnicate 3\nstep 1"),
            nbformat.v4.new_code_cell("show"),
        ]
        with self.assertRaises(CellExecutionError) as raised:
            execute(nb)
        self.assertEqual(raised.exception.ename, "LabError")
        self.assertIn("'frobnicate' is not a command", str(raised.exception))
        failed = nb.cells[1]
        streams = [o for o in failed.outputs if o.output_type == "stream"]
        self.assertEqual([s.name for s in streams], ["stderr"])
        self.assertTrue(streams[0].text.startswith("error:"), streams[0].text)
        # The line after the failing one did not run: one step's output only.
        texts = [o.data["text/plain"] for o in failed.outputs if o.output_type == "display_data"]
        self.assertEqual(len(texts), 1)
        self.assertEqual(nb.cells[2].outputs, [], "the run stopped at the failing cell")

    def test_a_cell_tagged_raises_exception_may_fail(self):
        nb = nbformat.v4.new_notebook()
        bad = nbformat.v4.new_code_cell("frobnicate")
        bad.metadata["tags"] = ["raises-exception"]
        nb.cells = [bad, nbformat.v4.new_code_cell("policy arms 2")]
        execute(nb)
        self.assertEqual(nb.cells[1].outputs[0].data["text/plain"].split(":")[0], "policy")

    def test_interrupt_stops_a_long_cell_and_the_session_lives_on(self):
        from jupyter_client.manager import start_new_kernel

        support.kernel_environment()
        km, kc = start_new_kernel(kernel_name="entropylab")
        try:
            reply = kc.execute_interactive("policy arms 4\nstep 1", timeout=60, output_hook=lambda m: None)
            self.assertEqual(reply["content"]["status"], "ok")
            msg_id = kc.execute("step 10000000\nstep 1")
            time.sleep(2)
            started = time.monotonic()
            km.interrupt_kernel()
            try:
                reply = kc.get_shell_msg(timeout=60)
            except Exception:
                self.fail("no reply within 60 s of the interrupt: the interrupt did not reach the command")
            stopped_in = time.monotonic() - started
            self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
            self.assertEqual(reply["content"]["status"], "error")
            self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
            self.assertLess(stopped_in, 30, "the interrupt stopped the command between steps")
            texts = []
            while True:
                msg = kc.get_iopub_msg(timeout=10)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "display_data":
                    texts.append(msg["content"]["data"]["text/plain"])
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            self.assertTrue(any("interrupted after" in t for t in texts), texts)
            # Same process, same session: the steps taken before the interrupt are kept.
            outputs = []
            reply = kc.execute_interactive(
                "status", timeout=60,
                output_hook=lambda m: outputs.append(m["content"].get("data", {}).get("text/plain", "")),
            )
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertTrue(any(o for o in outputs), "the session answers after the interrupt")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
