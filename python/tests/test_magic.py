"""The %%lab cell magic through nbclient in the plain python3 kernel (as
in Colab): state across cells, inline SVG, a failing cell failing the run."""

import unittest

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import support
from entropylab_jupyter import convert, labmd


def notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def run(nb):
    support.kernel_environment()  # PYTHONPATH for the kernel process
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


def texts(cell):
    return [o.data["text/plain"] for o in cell.outputs if o.output_type == "display_data"]


class MagicTests(unittest.TestCase):
    def test_lab_cells_share_one_session_and_plot_inline(self):
        nb = run(
            notebook(
                "%load_ext entropylab_jupyter",
                "%%lab\npolicy arms 4\nrun 5",
                "%%lab\nplot entropy",
                "x = 2 + 2\nx",
            )
        )
        first = texts(nb.cells[1])
        self.assertTrue(first[0].startswith("policy: 1 state × 4 arms"), first)
        self.assertEqual(len(first), 2)
        # Lines are numbered in the cell's body (after the %%lab line).
        self.assertEqual(nb.cells[1].outputs[1].metadata["entropylab"]["line"], 1)
        plot = nb.cells[2].outputs[0]
        self.assertIn("<svg", plot.data["image/svg+xml"])
        self.assertIn("mean entropy H", plot.data["text/plain"], "the plot of the session's 5 steps")
        self.assertEqual(nb.cells[3].outputs[0].data["text/plain"], "4", "Python still runs")
        # The converter puts each output back under its command.
        nb.cells = [c for c in nb.cells if "".join(c.source).startswith("%%lab")]
        parsed = labmd.parse(convert.ipynb_to_md(nb))
        self.assertEqual([c.command for c in parsed.cells], ["policy arms 4", "run 5", "plot entropy"])
        self.assertEqual(parsed.cells[0].output, first[0].split("\n"))
        self.assertEqual(parsed.cells[1].output, first[1].split("\n"))

    def test_a_failing_lab_cell_fails_the_run(self):
        nb = notebook("%load_ext entropylab_jupyter", "%%lab\npolicy arms 2\nfrobnicate", "%%lab\nshow")
        with self.assertRaises(CellExecutionError) as raised:
            run(nb)
        self.assertEqual(raised.exception.ename, "LabCellError")
        self.assertIn("line 2 ('frobnicate') failed", str(raised.exception))
        stderr = [o.text for o in nb.cells[1].outputs if o.output_type == "stream" and o.name == "stderr"]
        self.assertTrue(stderr and stderr[0].startswith("error:"), nb.cells[1].outputs)
        self.assertEqual(nb.cells[2].outputs, [])

    def test_a_bad_option_is_named(self):
        nb = notebook("%load_ext entropylab_jupyter", "%%lab --sed 3\nshow")
        with self.assertRaises(CellExecutionError) as raised:
            run(nb)
        self.assertIn("'--sed' is not a %%lab option", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
