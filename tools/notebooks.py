"""Keep the chapter notebooks in their stored form.

    python tools/notebooks.py sync    # rewrite chapters: setup cell, no outputs, python3 kernel
    python tools/notebooks.py check   # exit 1 and say what differs, change nothing

The stored form of a chapter: its first code cell is the setup cell below,
built from ``repository.url`` and ``repository.branch`` in ``_config.yml``;
no code cell has outputs or an execution count; the kernel is ``python3``.
The hygiene tests import this module, so the rules live in one place.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import nbformat
import yaml
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
SETUP_TAGS = ["remove-cell", "setup"]
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def repository() -> tuple[str, str]:
    """The (url, branch) of the book's repository, from ``_config.yml``."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "main")


def setup_source() -> str:
    """The source of every chapter's first code cell."""
    url, branch = repository()
    return (
        "# Setup: where rnncourse is missing (Colab, a fresh Jupyter), install it\n"
        "# from the course repository; elsewhere this cell does nothing.\n"
        "try:\n"
        "    import rnncourse\n"
        "except ImportError:\n"
        f'    %pip install --quiet "rnncourse @ git+{url}@{branch}"\n'
    )


def chapter_paths() -> list[Path]:
    """Every chapter notebook on disk."""
    return sorted(CHAPTERS.glob("*.ipynb"))


def toc_chapters() -> list[Path]:
    """The chapter notebooks that ``_toc.yml`` lists, in its order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [entry["file"] for part in toc.get("parts", []) for entry in part.get("chapters", [])]
    return [ROOT / f"{f}.ipynb" for f in files if f.startswith("chapters/")]


@contextmanager
def private_sockets() -> Iterator[Config]:
    """Configuration for a kernel that talks over Unix sockets in a directory
    of its own, removed when the block ends: ``NotebookClient(nb, config=...)``.

    Over TCP the client picks free ports and the kernel binds them later, so two
    kernels started at once by different processes can pick the same port, and
    one then never answers (CI failed so, executing two chapters at a time).
    Sockets in a private directory cannot collide.
    """
    with tempfile.TemporaryDirectory(prefix="rnncourse-kernel-") as directory:
        yield Config({"KernelManager": {"transport": "ipc",
                                        "ip": os.path.join(directory, "kernel")}})


def execute(path: Path) -> str | None:
    """Run ``path`` top to bottom in a fresh kernel (which inherits this
    process's environment); None, or what failed: the cell's line that
    raised and the error."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    try:
        with private_sockets() as config:
            NotebookClient(nb, config=config, timeout=600,
                           kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}
                           ).execute()
    except CellExecutionError as error:
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))    # no colours
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        raised = [line for line in lines if re.match(r"-+> *\d", line)]
        return " | ".join(raised[-1:] + lines[-1:])[:400] or "failed"
    return None


def problems(nb, source: str) -> list[str]:
    """What keeps ``nb`` from its stored form (empty when it is right)."""
    found = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or code[0].source != source:
        found.append("first code cell is not the setup cell (run: python tools/notebooks.py sync)")
    elif code[0].metadata.get("tags") != SETUP_TAGS:
        found.append(f"setup cell tags are not {SETUP_TAGS}")
    if any(c.get("outputs") for c in code):
        found.append("has stored outputs")
    if any(c.get("execution_count") is not None for c in code):
        found.append("has execution counts")
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        found.append("kernel is not python3")
    return found


def normalise(nb, source: str):
    """Put ``nb`` in its stored form, in place."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and code[0].source.startswith("# Setup:"):
        setup = code[0]
        setup.source = source
    else:
        setup = nbformat.v4.new_code_cell(source)
        first_code = nb.cells.index(code[0]) if code else len(nb.cells)
        nb.cells.insert(first_code, setup)
    setup.metadata["tags"] = list(SETUP_TAGS)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.pop("id", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nb.nbformat, nb.nbformat_minor = 4, 4
    return nb


def front_matter(nb) -> dict:
    """The chapter's title, prerequisites, objectives, time and exercise titles.

    Read from the first markdown cell (``# N. Title``, ``**Prerequisites.**``,
    ``**You will learn**`` and a bullet list, ``**Time.**``) and from the
    ``:::{exercise} Title`` directives; a missing part is ``None`` (or empty).
    """
    first = next(c.source for c in nb.cells if c.cell_type == "markdown")

    def paragraph(label):
        found = re.search(rf"\*\*{label}[.:]?\*\*[.:]?\s*(.+?)(?:\n\s*\n|\Z)", first, re.S)
        return " ".join(found.group(1).split()) if found else None

    learn = re.search(r"\*\*You will learn[.:]?\*\*[.:]?\s*\n((?:\s*[-*] .+\n?(?:\s{2,}\S.*\n?)*)+)", first)
    objectives = [" ".join(item.split()) for item in re.split(r"\n\s*[-*] ", "\n" + learn.group(1).strip())[1:]] if learn else []
    title = re.match(r"# (.+)", first)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return {
        "title": title.group(1).strip() if title else None,
        "prerequisites": paragraph("Prerequisites"),
        "objectives": objectives,
        "time": paragraph("Time"),
        "exercises": re.findall(r":::\{exercise\}\s*(.*)", text),
    }


def main(argv: list[str]) -> int:
    if argv[1:] not in (["sync"], ["check"]):
        print(__doc__)
        return 2
    source = setup_source()
    bad = 0
    for path in chapter_paths():
        nb = nbformat.read(path, as_version=4)
        if argv[1] == "sync":
            nbformat.write(normalise(nb, source), path)
        else:
            for problem in problems(nb, source):
                print(f"{path.relative_to(ROOT)}: {problem}")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
