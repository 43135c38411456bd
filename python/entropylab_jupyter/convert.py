"""Conversion both ways between EntropyLab notebooks and ``.ipynb``.

EntropyLab → Jupyter (``md_to_ipynb``; the same mapping as the Swift
``entropy-lab export FILE.md --ipynb OUT``, and a test checks they agree on
every lesson):

- each piece of prose becomes a Markdown cell (the paragraph ``save``
  writes under the header is left out, as a replay leaves it out);
- each run of lab cells between two pieces of prose becomes one code cell,
  its commands one per line; a command whose recorded output is an error
  ends its code cell, which is tagged ``raises-exception`` (the kernel
  stops a cell at its first failing line);
- each command's recorded output becomes a ``display_data`` (``text/plain``,
  metadata ``{"entropylab": {"line": k}}``), an error a ``stderr`` stream;
- the header's version, seed, tolerance and title go to the notebook's
  metadata under ``entropylab``; a header seed also becomes a first code
  cell ``seed N`` (metadata ``{"entropylab": {"role": "seed"}}``), since a
  kernel cannot read the notebook's metadata: it runs as the ``seed`` cell
  a replay runs first.

Jupyter → EntropyLab (``ipynb_to_md``): Markdown cells become prose, each
run of code cells one lab block with each non-blank line a command (a
leading ``%%lab`` line is dropped), the seed cell is dropped and the
metadata's version, seed, tolerance and title become the header. Each
output goes under the command its metadata names; a ``stderr`` stream
(an error) under the first command after the last one with output, where
the cell stopped; other outputs without a line under the cell's last
command that printed, else its first. Raw cells are left out.
"""

import json

import nbformat

from .labmd import NotebookFormatError, escape, parse, prose_safe  # noqa: F401 (re-exported)

KERNELSPEC = {"display_name": "EntropyLab", "language": "entropylab", "name": "entropylab"}
LANGUAGE_INFO = {"file_extension": ".txt", "mimetype": "text/plain", "name": "entropylab"}

SAVED_INTRO = (
    "A session saved by entropy-lab. Replay it with `entropy-lab replay FILE`;\n"
    "check that it still gives these outputs with `entropy-lab replay --check FILE`."
)


def _without_saved_intro(prose):
    if not prose.startswith(SAVED_INTRO):
        return prose
    rest = prose[len(SAVED_INTRO):].lstrip("\n\r")
    return rest or None


def tolerance_text(value):
    """A header tolerance as the Swift ``Tolerance.description`` writes it
    (``rel 1e-9`` → ``rel 1e-09``), so both converters agree."""
    words = value.lower().split()
    try:
        if len(words) == 1:
            return words[0] if words[0] in ("printed", "exact") else "%g" % float(words[0])
        if len(words) == 2 and words[0] in ("abs", "rel"):
            return "%s %g" % (words[0], float(words[1]))
    except ValueError:
        pass
    return value


def _output(cell, line):
    if not cell.output:
        return None
    text = "\n".join(cell.output)
    if cell.recorded_error:
        return {"name": "stderr", "output_type": "stream", "text": text + "\n"}
    return {
        "data": {"text/plain": text},
        "metadata": {"entropylab": {"line": line}},
        "output_type": "display_data",
    }


def md_to_ipynb(text, path="notebook"):
    """The EntropyLab notebook ``text`` as an nbformat 4.5 notebook node."""
    nb = parse(text, path)
    cells = []
    group = []

    def next_id():
        return "cell-%d" % (len(cells) + 1)

    def markdown(source):
        cells.append({"cell_type": "markdown", "id": next_id(), "metadata": {}, "source": source})

    def code(source, metadata, outputs):
        cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "id": next_id(),
                "metadata": metadata,
                "outputs": outputs,
                "source": source,
            }
        )

    def flush():
        if not group:
            return
        failing = group[-1].recorded_error
        outputs = [o for o in (_output(c, k) for k, c in enumerate(group)) if o is not None]
        code("\n".join(c.command for c in group), {"tags": ["raises-exception"]} if failing else {}, outputs)
        del group[:]

    def prose(before):
        for index, piece in nb.prose:
            if index != before:
                continue
            piece = _without_saved_intro(piece)
            if piece is None:
                continue
            flush()
            markdown(piece)

    header = nb.header
    for index, cell in enumerate(nb.cells):
        prose(index)
        if index == 0 and header is not None and "seed" in header:
            code("seed %d" % header["seed"], {"entropylab": {"role": "seed"}}, [])
        group.append(cell)
        if cell.recorded_error:
            flush()
    flush()
    prose(len(nb.cells))
    metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
    if header is not None:
        lab = {}
        for key, name in (("entropy-lab", "version"), ("seed", "seed"), ("tolerance", "tolerance"), ("title", "title")):
            if key in header:
                lab[name] = tolerance_text(header[key]) if key == "tolerance" else header[key]
        metadata["entropylab"] = lab
    return nbformat.from_dict({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})


def _text(value):
    return "".join(value) if isinstance(value, list) else (value or "")


def _attribute(cell, commands):
    """The output text of each command line index in ``commands`` (a dict
    line → text pieces), from ``cell``'s outputs (see the module's doc)."""
    texts = {k: [] for k in commands}
    if not commands:
        return texts
    order = sorted(commands)
    last = None
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        meta = (out.get("metadata") or {}).get("entropylab") or {}
        if kind in ("display_data", "execute_result"):
            if meta.get("extra"):
                continue
            text = _text((out.get("data") or {}).get("text/plain", ""))
            line = meta.get("line")
            if line not in texts:
                line = last if last is not None else order[0]
            texts[line].append(text)
            last = line
        elif kind == "stream":
            text = _text(out.get("text", ""))
            if out.get("name") == "stderr":
                later = [k for k in order if last is None or k > last]
                line = later[0] if later else order[-1]
            else:
                line = last if last is not None else order[0]
            texts[line].append(text)
            last = line
    return texts


def ipynb_to_md(nb):
    """The notebook node ``nb`` as an EntropyLab notebook's text."""
    meta = (nb.get("metadata") or {}).get("entropylab")
    out = []
    if meta:
        out.append("---")
        for key, name in (("entropy-lab", "version"), ("seed", "seed"), ("tolerance", "tolerance"), ("title", "title")):
            if name in meta:
                out.append("%s: %s" % (key, meta[name]))
        out += ["---", ""]
    in_block = False
    for cell in nb.get("cells", []):
        kind = cell.get("cell_type")
        source = _text(cell.get("source", ""))
        if kind == "markdown":
            if not source.strip():
                continue
            if in_block:
                out += ["```", ""]
                in_block = False
            out += [prose_safe(source.strip("\n")), ""]
        elif kind == "code":
            if ((cell.get("metadata") or {}).get("entropylab") or {}).get("role") == "seed":
                continue
            lines = [l.rstrip("\r") for l in source.split("\n")]
            if lines and lines[0].strip().startswith("%%lab"):
                # The magic numbers its outputs' lines from the cell's body.
                lines = lines[1:]
            commands = {k: l for k, l in enumerate(lines) if l.strip()}
            if not commands:
                continue
            if not in_block:
                out.append("```lab")
                in_block = True
            texts = _attribute(cell, commands)
            for k in sorted(commands):
                out.append("> " + commands[k])
                text = "".join(t if t.endswith("\n") or not t else t + "\n" for t in texts[k])
                recorded = [escape(l) for l in text.split("\n")]
                while recorded and not recorded[-1].strip():
                    recorded.pop()
                out += recorded
    if in_block:
        out.append("```")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def md_file_to_ipynb(source, target):
    """Converts the file ``source`` to ``target``; returns the number of commands."""
    with open(source, encoding="utf-8") as f:
        text = f.read()
    node = md_to_ipynb(text, source)
    nbformat.validate(node)
    with open(target, "w", encoding="utf-8") as f:
        nbformat.write(node, f)
    return len(parse(text, source).cells)


def ipynb_file_to_md(source, target):
    """Converts the file ``source`` to ``target``; returns the number of commands."""
    try:
        node = nbformat.read(source, as_version=4)
    except (ValueError, json.JSONDecodeError) as error:
        raise NotebookFormatError("%s: not a Jupyter notebook: %s" % (source, error))
    text = ipynb_to_md(node)
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    return len(parse(text, target).cells)
