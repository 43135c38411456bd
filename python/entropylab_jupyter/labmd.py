"""EntropyLab's notebook format (a second implementation of the Swift
``NotebookParser``; tests check that both convert every lesson alike).

A notebook is Markdown with an optional front matter (``---``, ``key:
value`` lines for ``entropy-lab``, ``seed``, ``tolerance``, ``title``,
``---``) and fenced ```` ```lab ```` blocks. In a lab block a line ``> cmd``
or ``[n]> cmd`` is a command; the lines after it, to the next command or
the closing fence, are its recorded output, and a recorded line starting
with ``\\`` has that character removed (the writer's escape for output that
would read as a command or a fence). Trailing blank output lines are
layout. Other fenced blocks are prose.
"""

import re


class NotebookFormatError(ValueError):
    """Text that is not a valid EntropyLab notebook; names the line."""


HEADER_KEYS = ("entropy-lab", "seed", "tolerance", "title")


class Cell:
    """A command and its recorded output lines (unescaped)."""

    def __init__(self, command, number=None, line=0):
        self.command = command
        self.number = number
        self.line = line
        self.output = []

    @property
    def recorded_error(self):
        for text in self.output:
            if text.strip():
                return text.startswith("error:")
        return False

    def __repr__(self):
        return "Cell(%r, %r)" % (self.command, self.output)


class Notebook:
    """``header`` (a dict of the keys present), ``cells`` and ``prose``
    (a list of ``(before_cell_index, markdown)``)."""

    def __init__(self):
        self.header = None
        self.cells = []
        self.prose = []


def _trim(s):
    return s.strip(" \t")


def _fence(line):
    if not line or line[0] not in "`~":
        return None
    c = line[0]
    count = len(line) - len(line.lstrip(c))
    if count < 3:
        return None
    info = _trim(line[count:])
    if c == "`" and "`" in info:
        return None
    return c, count, info


_PROMPT = re.compile(r"^(?:\[(\d+)\])?>")


def prompt(line):
    """``(number, command)`` of a prompt line ``> cmd`` / ``[n]> cmd``, else None."""
    m = _PROMPT.match(line)
    if not m:
        return None
    rest = line[m.end():]
    if rest.startswith(" "):
        rest = rest[1:]
    return (int(m.group(1)) if m.group(1) is not None else None), rest


def escape(line):
    """An output line as written in a lab block (see the module's doc)."""
    if line.startswith("\\") or line.startswith("```") or line.startswith("~~~") or prompt(line) is not None:
        return "\\" + line
    return line


def _blank(s):
    return not s.strip()


def parse(text, path="notebook"):
    """The notebook in ``text``; raises ``NotebookFormatError``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    lines = [l[:-1] if l.endswith("\r") else l for l in lines]
    nb = Notebook()
    index = 0
    if lines and lines[0].rstrip(" \t") == "---":
        nb.header, end = _parse_header(lines, path)
        index = end + 1
    nb.cells, nb.prose = _parse_blocks(lines, index, path)
    return nb


def _parse_header(lines, path):
    header = {}
    for i in range(1, len(lines)):
        line = lines[i].rstrip(" \t")
        if line in ("---", "..."):
            return header, i
        trimmed = line.lstrip(" ")
        if not trimmed or trimmed.startswith("#"):
            continue
        if ":" not in trimmed:
            raise NotebookFormatError("%s:%d: a header line must be 'key: value'" % (path, i + 1))
        key, _, value = trimmed.partition(":")
        key, value = _trim(key), _trim(value)
        if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
            value = value[1:-1]
        if key not in HEADER_KEYS:
            raise NotebookFormatError(
                "%s:%d: '%s' is not a header key (keys: %s)" % (path, i + 1, key, ", ".join(HEADER_KEYS))
            )
        if key == "seed":
            if not value.isdigit() or int(value) >= 2**64:
                raise NotebookFormatError("%s:%d: '%s' is not a seed" % (path, i + 1, value))
            header[key] = int(value)
        else:
            header[key] = value
    raise NotebookFormatError("%s:1: the front matter opened here is not closed by a '---' line" % path)


def _parse_blocks(lines, start, path):
    cells, prose, text = [], [], []

    def flush_prose():
        nonblank = [i for i, l in enumerate(text) if not _blank(l)]
        if nonblank:
            prose.append((len(cells), "\n".join(text[nonblank[0]: nonblank[-1] + 1])))
        del text[:]

    i = start
    while i < len(lines):
        opened = _fence(lines[i])
        if opened is None:
            text.append(lines[i])
            i += 1
            continue
        words = opened[2].split(" ")
        is_lab = bool(words) and words[0].lower() == "lab"
        if is_lab:
            flush_prose()
        else:
            text.append(lines[i])
        j = i + 1
        current = None
        closed = False
        while j < len(lines):
            line = lines[j]
            close = _fence(line.rstrip(" \t"))
            if close and close[0] == opened[0] and close[1] >= opened[1] and close[2] == "":
                closed = True
                break
            if not is_lab:
                text.append(line)
            else:
                p = prompt(line)
                if p is not None:
                    if current is not None:
                        cells.append(_finish(current))
                    current = Cell(p[1], p[0], j + 1)
                elif current is not None:
                    current.output.append(line[1:] if line.startswith("\\") else line)
                elif not _blank(line):
                    raise NotebookFormatError(
                        "%s:%d: output before any command in this lab block" % (path, j + 1)
                    )
            j += 1
        if not closed:
            kind = "lab block" if is_lab else "code block"
            raise NotebookFormatError("%s:%d: the %s opened here is never closed" % (path, i + 1, kind))
        if current is not None:
            cells.append(_finish(current))
        if not is_lab:
            text.append(lines[j])
        i = j + 1
    flush_prose()
    return cells, prose


def _finish(cell):
    while cell.output and _blank(cell.output[-1]):
        cell.output.pop()
    return cell


def prose_safe(markdown):
    """``markdown`` made safe to write between lab blocks: if its fences
    would open a lab block or leave a block unclosed, each fence line gets
    one leading space (as the Swift writer does)."""
    lines = markdown.split("\n")
    try:
        cells, _ = _parse_blocks(lines, 0, "")
        safe = not cells and not any(
            (_fence(l) or ("", 0, ""))[2].lower().startswith("lab") for l in lines if _fence(l)
        )
    except NotebookFormatError:
        safe = False
    if safe:
        return markdown
    return "\n".join(" " + l if _fence(l) else l for l in lines)
