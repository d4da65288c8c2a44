"""Learner notebooks: the chapters as Jupyter and Colab show them, numbers in the prose.

    python tools/learner.py [OUTDIR]     # default: learner/; needs a built book (make book)

The book renders MyST markup that Jupyter shows raw: ``{glue:text}`ch07_best```
instead of the number, ``{numref}`ch05-ex2``` instead of "Exercise 5.2",
``:::{exercise}`` fences around the exercises. A learner opens the notebook, not
the page, so this writes every chapter of the toc with that markup turned into
plain Markdown: each glued value as the text the book printed (from the book's
own run, ``_build/jupyter_execute/chapters/NN_topic.glue.json``), exercise links
as their numbers, citations as author and year, exercise and solution fences as
headings. Code cells are left as they are, without outputs. ``make student``
starts from these notebooks too.
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
EXECUTED = ROOT / "_build" / "jupyter_execute" / "chapters"
sys.path.insert(0, str(ROOT / "tools"))
from notebooks import toc_chapters  # noqa: E402

# A MyST role as Jupyter would show it raw: {name}`content`
ROLE = re.compile(r"\{([a-z][a-z0-9:_-]*)\}`([^`]*)`")
# A directive fence: ```{name} args / :::{name} args
FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}[ \t]*(?P<args>.*)$")
EXERCISE_LABEL = re.compile(r"ch(\d\d)-ex(\d+)$")
NOTE = ("*The numbers in this notebook's text come from the book's own run of it; "
        "when you run it, a few may differ in their last digits.*")


def exercise_number(label: str) -> str:
    """``ch05-ex2`` -> ``5.2``."""
    found = EXERCISE_LABEL.match(label.strip())
    if not found:
        raise ValueError(f"not an exercise label (chNN-exK): {label!r}")
    return f"{int(found.group(1))}.{found.group(2)}"


def glued_values(chapter: Path) -> dict:
    """The values the book glued in ``chapter``, as Python objects where they are
    literals, else their text."""
    import json

    path = EXECUTED / f"{chapter.stem}.glue.json"
    if not path.exists():
        raise FileNotFoundError(f"{path.relative_to(ROOT)} is missing: run `make book` first")
    values = {}
    for name, output in json.loads(path.read_text()).items():
        text = output.get("data", {}).get("text/plain", "")
        text = "".join(text) if isinstance(text, list) else text
        try:
            values[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            values[name] = text
    return values


class Bibliography:
    """Author-year labels for ``{cite}`` keys, from references.bib."""

    def __init__(self, path: Path = ROOT / "references.bib"):
        from pybtex.database import parse_file

        self.entries = parse_file(str(path)).entries

    def label(self, key: str, textual: bool = False) -> str:
        entry = self.entries.get(key)
        if entry is None:
            return key
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [" ".join(p.last_names) for p in people]
        if not names:
            who = entry.fields.get("organization", entry.fields.get("title", key))
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        who = who.replace("{", "").replace("}", "")
        year = entry.fields.get("year", "n.d.")
        return f"{who} ({year})" if textual else f"{who}, {year}"


def role_text(name: str, content: str, glued: dict, bib: Bibliography) -> str:
    """What a learner should read in place of the role ``{name}`content```."""
    if name in ("glue", "glue:", "glue:text", "glue:any"):
        key, _, spec = content.partition(":")
        if key not in glued:
            raise KeyError(f"no glued value named {key!r}")
        value = glued[key]
        return format(value, spec) if spec else str(value)
    if name == "numref":
        text, label = (content.rsplit("<", 1) + [""])[:2] if "<" in content else ("", content)
        label = label.rstrip(">").strip()
        number = exercise_number(label)
        return text.strip().replace("%s", number) if text.strip() else f"Exercise {number}"
    if name in ("cite", "cite:p", "cite:ps"):
        return "(" + "; ".join(bib.label(k.strip()) for k in content.split(",")) + ")"
    if name in ("cite:t", "cite:ts"):
        return "; ".join(bib.label(k.strip(), textual=True) for k in content.split(","))
    if name in ("doc", "ref"):
        return content.split("<")[0].strip() if "<" in content else content.rsplit("/", 1)[-1]
    if name == "math":
        return f"${content}$"
    raise ValueError(f"no plain form for the role {{{name}}}")


def directive_heading(name: str, args: str, options: list[str]) -> str:
    """The Markdown that stands for a directive's opening fence."""
    if name == "exercise":
        label = next((o.split(":label:", 1)[1].strip() for o in options if o.startswith(":label:")), None)
        number = f" {exercise_number(label)}" if label else ""
        return f"#### Exercise{number}" + (f": {args}" if args else "")
    if name in ("solution", "solution-start"):
        return f"#### Solution to Exercise {exercise_number(args)}"
    if name == "solution-end":
        return ""
    return f"**{args}**" if args else ""


def plain_markdown(source: str, glued: dict, bib: Bibliography) -> str:
    """``source`` with its MyST roles and directive fences in plain Markdown."""
    lines, out, open_fences, i = source.split("\n"), [], [], 0
    while i < len(lines):
        line, i = lines[i], i + 1
        fence = FENCE.match(line)
        if fence:
            options = []
            while i < len(lines) and re.match(r"^:[a-z-]+:", lines[i]):
                options.append(lines[i])
                i += 1
            heading = directive_heading(fence.group("name"), fence.group("args").strip(), options)
            if heading:
                out.append(heading)
            if i < len(lines) and lines[i].strip() == fence.group("fence"):
                i += 1  # an empty directive, closed at once (solution-start, solution-end)
            else:
                open_fences.append(fence.group("fence"))
        elif open_fences and line.strip() == open_fences[-1]:
            open_fences.pop()
        else:
            out.append(line)
    text = "\n".join(out)
    return ROLE.sub(lambda m: role_text(m.group(1), m.group(2), glued, bib), text).strip("\n")


def learner_version(nb, glued: dict, bib: Bibliography):
    """A copy of the chapter ``nb`` in plain Markdown, with a note on the numbers."""
    nb = nbformat.from_dict(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source, glued, bib)
            if not cell.source.strip():
                continue
        cells.append(cell)
    first = next(i for i, c in enumerate(cells) if c.cell_type == "markdown")
    cells.insert(first + 1, nbformat.v4.new_markdown_cell(NOTE))
    nb.cells = cells
    return nb


def raw_markup(nb) -> list[str]:
    """MyST roles and directive fences left in ``nb``'s Markdown (Jupyter shows them raw)."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            found += [f"cell {i}: {m.group(0)}" for m in ROLE.finditer(cell.source)]
            found += [f"cell {i}: {line}" for line in cell.source.split("\n") if FENCE.match(line)]
    return found


def main(argv: list[str]) -> int:
    out = ROOT / (argv[1] if len(argv) > 1 else "learner")
    out.mkdir(parents=True, exist_ok=True)
    bib = Bibliography()
    for path in toc_chapters():
        nb = learner_version(nbformat.read(path, as_version=4), glued_values(path), bib)
        left = raw_markup(nb)
        if left:
            raise SystemExit(f"{path.name}: markup left raw: {left[:5]}")
        nbformat.write(nb, out / path.name)
        print(f"{out.relative_to(ROOT)}/{path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
