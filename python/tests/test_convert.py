"""Conversion between EntropyLab notebooks and .ipynb: valid nbformat,
round trips, and the Swift exporter and the Python converter agreeing."""

import json
import os
import shutil
import tempfile
import unittest

import nbformat

import support
from entropylab_jupyter import convert, labmd

FIXTURE = """---
entropy-lab: 0.1.0
seed: 7
tolerance: rel 1e-9
title: A fixture
---

A session saved by entropy-lab. Replay it with `entropy-lab replay FILE`;
check that it still gives these outputs with `entropy-lab replay --check FILE`.

# Prose first

Some code that is not a lab block:

```python
print("not run")
```

```lab
[1]> policy arms 3
policy: 1 state × 3 arms, all logits 0 (uniform); H = 1.0986122887 = log 3
[2]> frobnicate
error: unknown command 'frobnicate'
[3]> note hello
```

Between blocks.

```lab
[4]> show   #tolerance 1e-6
\\> a line that looks like a prompt
\\```
```
"""


def normal_header(header):
    """A parsed header with its tolerance in the written form."""
    if header is None:
        return None
    return {k: convert.tolerance_text(v) if k == "tolerance" else v for k, v in header.items()}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class ConvertTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="entropylab-convert-")

    def tearDown(self):
        shutil.rmtree(self.folder)

    def write(self, name, text):
        path = os.path.join(self.folder, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_fixture_maps_prose_blocks_errors_and_header(self):
        nb = convert.md_to_ipynb(FIXTURE, "fixture.md")
        nbformat.validate(nb)
        kinds = [(c.cell_type, "".join(c.source)) for c in nb.cells]
        self.assertEqual(kinds[0][0], "markdown")
        self.assertTrue(kinds[0][1].startswith("# Prose first"), "the saved intro is left out")
        self.assertIn("```python", kinds[0][1])
        self.assertEqual(kinds[1], ("code", "seed 7"))
        self.assertEqual(nb.cells[1].metadata["entropylab"]["role"], "seed")
        # The error ends its code cell, which may raise.
        self.assertEqual(kinds[2], ("code", "policy arms 3\nfrobnicate"))
        self.assertEqual(nb.cells[2].metadata["tags"], ["raises-exception"])
        self.assertEqual(nb.cells[2].outputs[1]["name"], "stderr")
        self.assertEqual(nb.cells[2].outputs[0]["metadata"]["entropylab"]["line"], 0)
        self.assertEqual(kinds[3], ("code", "note hello"))
        self.assertEqual(nb.cells[3].outputs, [])
        self.assertEqual(kinds[4], ("markdown", "Between blocks."))
        self.assertEqual(kinds[5], ("code", "show   #tolerance 1e-6"))
        self.assertEqual(
            nb.cells[5].outputs[0]["data"]["text/plain"], "> a line that looks like a prompt\n```"
        )
        self.assertEqual(
            nb.metadata["entropylab"],
            {"version": "0.1.0", "seed": 7, "tolerance": "rel 1e-09", "title": "A fixture"},
        )
        self.assertEqual(nb.metadata["kernelspec"]["name"], "entropylab")

    def test_fixture_round_trips(self):
        back = convert.ipynb_to_md(convert.md_to_ipynb(FIXTURE))
        a, b = labmd.parse(FIXTURE), labmd.parse(back)
        self.assertEqual([(c.command, c.output) for c in a.cells], [(c.command, c.output) for c in b.cells])
        self.assertEqual(normal_header(a.header), b.header)
        self.assertIn("\\> a line that looks like a prompt", back)
        # The prose's python block stays prose, not a lab block.
        self.assertIn("```python", back)

    def test_every_lesson_round_trips_and_diff_accepts_it(self):
        for lesson in support.lessons():
            with self.subTest(lesson=os.path.basename(lesson)):
                text = read(lesson)
                nb = convert.md_to_ipynb(text, lesson)
                nbformat.validate(nb)
                back = self.write("back.md", convert.ipynb_to_md(nb))
                a, b = labmd.parse(text), labmd.parse(read(back))
                self.assertEqual([c.command for c in a.cells], [c.command for c in b.cells])
                self.assertEqual([c.output for c in a.cells], [c.output for c in b.cells])
                self.assertEqual(normal_header(a.header), b.header)
                self.assertEqual([p for _, p in a.prose], [p for _, p in b.prose])
                result = support.entropy_lab("diff", lesson, back)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_swift_export_and_python_converter_agree_on_every_lesson(self):
        for lesson in support.lessons() + [self.write("fixture.md", FIXTURE)]:
            with self.subTest(lesson=os.path.basename(lesson)):
                out = os.path.join(self.folder, "swift.ipynb")
                result = support.entropy_lab("export", lesson, "--ipynb", out)
                self.assertEqual(result.returncode, 0, result.stderr)
                swift = nbformat.read(out, as_version=4)
                nbformat.validate(swift)
                python = convert.md_to_ipynb(read(lesson), lesson)
                # As written to disk and read back (the same normal form).
                python = nbformat.reads(nbformat.writes(python), as_version=4)
                self.assertEqual(json.loads(json.dumps(swift)), json.loads(json.dumps(python)))

    def test_cli_converts_both_ways(self):
        lesson = support.lessons()[0]
        ipynb = os.path.join(self.folder, "l.ipynb")
        md = os.path.join(self.folder, "l.md")
        from entropylab_jupyter.__main__ import main

        self.assertEqual(main(["to-ipynb", lesson, ipynb]), 0)
        self.assertEqual(main(["to-md", ipynb, md]), 0)
        result = support.entropy_lab("diff", lesson, md)
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertEqual(main(["to-md", self.write("bad.ipynb", "{not json"), md]), 65)

    def test_outputs_of_an_executed_cell_go_back_under_their_commands(self):
        # As the kernel leaves them: a multi-line cell, a command with no
        # output, a plot with a second SVG, then an error where it stopped.
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("policy arms 2\n\nset lr 0.5\nplot entropy\nbad\nnever run")
        cell.outputs = [
            nbformat.v4.new_output("display_data", {"text/plain": "policy: 2 arms"}, metadata={"entropylab": {"line": 0}}),
            nbformat.v4.new_output(
                "display_data", {"text/plain": "PLOT", "image/svg+xml": "<svg/>"}, metadata={"entropylab": {"line": 3}}
            ),
            nbformat.v4.new_output(
                "display_data", {"text/plain": "", "image/svg+xml": "<svg/>"},
                metadata={"entropylab": {"line": 3, "extra": True}},
            ),
            nbformat.v4.new_output("stream", name="stderr", text="error: unknown command 'bad'\n"),
        ]
        nb.cells = [cell]
        parsed = labmd.parse(convert.ipynb_to_md(nb))
        self.assertEqual(
            [(c.command, c.output) for c in parsed.cells],
            [
                ("policy arms 2", ["policy: 2 arms"]),
                ("set lr 0.5", []),
                ("plot entropy", ["PLOT"]),
                ("bad", ["error: unknown command 'bad'"]),
                ("never run", []),
            ],
        )

    def test_diff_fails_on_a_number_outside_the_printed_precision(self):
        lesson = support.lessons()[0]
        text = read(lesson)
        self.assertIn("H = 1.3862943611 = log 4", text)
        # One unit in the last digit is rounding: accepted, as replay --check does.
        close = self.write("close.md", text.replace("H = 1.3862943611 = log 4", "H = 1.3862943612 = log 4", 1))
        self.assertEqual(support.entropy_lab("diff", lesson, close).returncode, 0)
        far = self.write("far.md", text.replace("H = 1.3862943611 = log 4", "H = 1.3862943651 = log 4", 1))
        result = support.entropy_lab("diff", lesson, far)
        self.assertEqual(result.returncode, 1)
        self.assertIn("expected 1.3862943611, got 1.3862943651", result.stdout)


if __name__ == "__main__":
    unittest.main()
