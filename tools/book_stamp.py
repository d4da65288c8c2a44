"""What the last clean book build executed, so that no chapter runs twice for one check.

    python tools/book_stamp.py prepare   # before a build: empty the execution cache if
                                         # the package changed since the cache was filled
    python tools/book_stamp.py write     # after a build without errors: record what it ran

``make book`` fails on any error in any cell (``raise_on_error`` and ``-W``), so
a successful build has executed every chapter of the toc without an error, with
the package as it is now. ``write`` records the hash of the package, of each
chapter of the toc, and of each chapter the build executed as it is now, in
``_build/executed.json``; the test run (``tests/conftest.py``) then
skips the nbval run of a chapter whose hash and package hash still match, since
the build ran exactly that code already. Change a chapter or the package and nbval
runs it again. ``RNNCOURSE_NBVAL_ALL=1`` runs every chapter under nbval regardless.

jupyter-cache keys a chapter on its code cells only: after a change to the
package alone it would serve the old outputs. ``prepare`` clears the cache then,
so that the build re-executes every chapter against the package it documents.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
STAMP = BUILD / "executed.json"
CACHE = BUILD / ".jupyter_cache"
PACKAGE_HASH = BUILD / ".jupyter_cache_package"


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package_hash() -> str:
    """One hash over every file of ``rnncourse/`` (code and data), by path and content."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "rnncourse").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(file_hash(path).encode())
    return digest.hexdigest()


def code_cells(path: Path) -> list[str]:
    return [cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]


def sources_hash(chapters: list[Path]) -> str:
    """A short hash of what a measurement of these chapters' run time depends
    on: each chapter's code cells (not its prose) and the whole package."""
    digest = hashlib.sha256(package_hash().encode())
    for path in chapters:
        digest.update(path.name.encode())
        digest.update(json.dumps(code_cells(path)).encode())
    return digest.hexdigest()[:16]


def build_status(chapter: Path) -> str:
    """How the last clean build stands to this chapter as it is now:
    ``"executed"``, it executed this source with this package; ``"stale"``, no
    clean build since the chapter or the package changed (tests of the build's
    outputs skip); ``"missed"``, the build had this very source and package in
    its toc and did not execute it as it is. A missed chapter is a failure, not
    a skip: CI builds a fresh clone and then tests it, so there every chapter is
    executed or missed, and a skip would hide a chapter the build lost."""
    if not STAMP.exists():
        return "stale"
    stamp = json.loads(STAMP.read_text())
    if stamp.get("package") != package_hash():
        return "stale"
    current = file_hash(chapter)
    if stamp.get("chapters", {}).get(chapter.name) == current:
        return "executed"
    return "missed" if stamp.get("toc", {}).get(chapter.name) == current else "stale"


def executed_by_book(chapter: Path) -> bool:
    """True when the last clean build executed this chapter's current source with
    the current package."""
    return build_status(chapter) == "executed"


def prepare() -> None:
    current = package_hash()
    if CACHE.exists() and (not PACKAGE_HASH.exists() or PACKAGE_HASH.read_text() != current):
        print("book_stamp: the package changed since the execution cache was filled; clearing it")
        shutil.rmtree(CACHE)
    STAMP.unlink(missing_ok=True)
    BUILD.mkdir(exist_ok=True)
    PACKAGE_HASH.write_text(current)


def built_from(chapter: Path) -> bool:
    """True when the build's executed copy of ``chapter`` has the chapter's code as
    it is now (a chapter edited during the build, or added to the toc after it
    started, was not executed as it is)."""
    executed = BUILD / "jupyter_execute" / "chapters" / chapter.name
    return executed.exists() and code_cells(executed) == code_cells(chapter)


def write() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    from notebooks import toc_chapters

    toc = {path.name: file_hash(path) for path in toc_chapters()}
    stamp = {"package": package_hash(), "toc": toc,
             "chapters": {path.name: toc[path.name] for path in toc_chapters() if built_from(path)}}
    STAMP.write_text(json.dumps(stamp, indent=1))
    print(f"book_stamp: {len(stamp['chapters'])} chapters executed by this build recorded in {STAMP.relative_to(ROOT)}")


if __name__ == "__main__":
    commands = {"prepare": prepare, "write": write}
    if sys.argv[1:] not in ([c] for c in commands):
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]]()
