"""Fill the book's execution cache with several chapters running at once.

    python tools/execute_chapters.py --jobs 2   # before `jupyter-book build`

Each chapter computes on one thread (its setup cell sets
``torch.set_num_threads(1)``), so the serial execution that Jupyter Book does
leaves the other cores idle. This runs the chapters that the cache
(``_build/.jupyter_cache``, jupyter-cache) holds no current outputs for, ``--jobs``
at a time, the slowest first, each in a fresh kernel in ``chapters/`` with the
book's cell timeout, exactly as myst-nb runs them, and stores the outputs in the
cache; the build then finds them there and executes nothing. A chapter that
fails is not cached: its traceback is printed and the command fails, as the
build would.

The chapters' timing claims hold with two other CPU-bound processes running
(``make stress``); ``--jobs 2`` runs each beside one other.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
TIMES = ROOT / "benchmarks" / "results" / "chapter_times.md"
sys.path.insert(0, str(ROOT / "tools"))
from notebooks import private_sockets, toc_chapters  # noqa: E402


def chapter_seconds(table: str) -> dict[str, float]:
    """Each chapter's wall time in a table written by ``make perf``."""
    rows = re.findall(r"^\| `?(\d\d_\w+)`? \| *([\d.]+) \|", table, re.M)
    return {name + ".ipynb": float(seconds) for name, seconds in rows}


def last_seconds() -> dict[str, float]:
    """Each chapter's wall time on the Performance page (for the order)."""
    return chapter_seconds(TIMES.read_text()) if TIMES.exists() else {}


def execute(path: Path, timeout: int) -> tuple[Path, nbformat.NotebookNode, float, str | None]:
    nb = nbformat.read(path, as_version=4)
    with private_sockets() as config:
        result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout,
                                     allow_errors=False, meta_override=True, config=config)
    return path, nb, result.time, result.exc_string if result.err else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    timeout = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"]

    cache = get_cache(str(CACHE))
    todo = [p for p in toc_chapters()
            if cache.match_cache_notebook(nbformat.read(p, as_version=4)) is None] \
        if CACHE.exists() else list(toc_chapters())
    seconds = last_seconds()
    todo.sort(key=lambda p: -seconds.get(p.name, float("inf")))  # unmeasured first
    print(f"execute_chapters: {len(todo)} chapters to execute, {args.jobs} at a time")
    start, failed = time.perf_counter(), []
    with ProcessPoolExecutor(args.jobs) as pool:
        for future in as_completed([pool.submit(execute, p, timeout) for p in todo]):
            path, nb, took, error = future.result()
            if error:
                failed.append(path.name)
                print(f"execute_chapters: {path.name} FAILED after {took:.0f} s\n{error}")
                continue
            record = cache.add_nb_to_project(str(path))
            cache.cache_notebook_bundle(CacheBundleIn(nb, record.uri, data={"execution_seconds": took}),
                                        check_validity=False, overwrite=True)
            print(f"execute_chapters: {path.name} in {took:.0f} s")
    print(f"execute_chapters: done in {time.perf_counter() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
