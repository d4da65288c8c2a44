"""Write student notebooks: every chapter with its solutions removed.

    python tools/student.py [OUTDIR]     # default: student/; needs a built book (make book)

The convention (CONTRIBUTING.md): every cell of a solution is tagged
``solution``. A solution code cell with ``### BEGIN SOLUTION`` /
``### END SOLUTION`` lines keeps what is outside the markers and gets
``raise NotImplementedError`` in their place: the skeleton the student fills in.
Every other ``solution`` cell is dropped. Checks after a solution (untagged
cells) stay, so the student's answer is checked where the solution was.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
TAG = "solution"


def skeleton(source: str) -> str:
    """``source`` with each BEGIN/END SOLUTION block replaced by ``raise NotImplementedError``."""
    out, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"nested {BEGIN!r} in:\n{source}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("your code here")')
        elif stripped == END:
            if not inside:
                raise ValueError(f"{END!r} without {BEGIN!r} in:\n{source}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} without {END!r} in:\n{source}")
    return "\n".join(out)


def student_version(nb):
    """A copy of the chapter ``nb`` without solutions, as described above."""
    nb = nbformat.from_dict(nb)
    cells = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if TAG not in tags:
            cells.append(cell)
        elif cell.cell_type == "code" and BEGIN in cell.source:
            cell.source = skeleton(cell.source)
            cell.metadata["tags"] = [t for t in tags if t != TAG] + ["exercise"]
            cells.append(cell)
    nb.cells = cells
    return nb


def solution_lines(nb) -> list[str]:
    """The substantive lines of every solution in ``nb`` (for the test that none leaks)."""
    lines = []
    for cell in nb.cells:
        if TAG not in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "code" and BEGIN in cell.source:
            inside = False
            for line in cell.source.splitlines():
                if line.strip() in (BEGIN, END):
                    inside = line.strip() == BEGIN
                elif inside:
                    lines.append(line.strip())
        else:
            lines += [l.strip() for l in cell.source.splitlines()]
    # Lines too short or too generic to identify a solution (``return h``, ``:::``) are not evidence.
    return [l for l in lines if len(l) >= 20 and not re.fullmatch(r"[`:{}\w\- ]*solution[`:{}\w\- ]*", l)]


def main(argv: list[str]) -> int:
    """Student notebooks start from the learner notebooks (tools/learner.py): the
    prose shows the book's numbers, not MyST markup. So the book must be built."""
    sys.path.insert(0, str(ROOT / "tools"))
    from learner import Bibliography, glued_values, learner_version, toc_chapters

    outdir = Path(argv[1]) if len(argv) > 1 else ROOT / "student"
    outdir.mkdir(parents=True, exist_ok=True)
    bib = Bibliography()
    for path in toc_chapters():
        chapter = learner_version(nbformat.read(path, as_version=4), glued_values(path), bib)
        nb = student_version(chapter)
        nbformat.write(nb, outdir / path.name)
        exercises = sum("exercise" in c.metadata.get("tags", []) for c in nb.cells)
        print(f"{outdir.name}/{path.name}: {exercises} code exercise(s) to fill in")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
