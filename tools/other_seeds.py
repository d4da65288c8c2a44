"""Run chapters on seeds they were not written with, and report every run.

    python tools/other_seeds.py [--shift 1000] [--jobs 2] [chapters/NN_x.ipynb ...]
    make seeds                 # every chapter, shift 1000

A chapter's asserts were checked, when it was written, on the seeds it uses.
Setting ``RNNCOURSE_SEED_SHIFT`` moves every seed that ``seed_everything`` and
``seeds`` hand out (the models' initial weights, the order of the batches, the
generated data and the splits drawn from the chapter's ``rng``), so a run with
a shift checks the same claims on other draws. This executes each chapter in a
fresh kernel with that variable set and exits 1 if any assert (or anything
else) failed, naming the line and the error. By default it runs every chapter
of the toc; tests/test_other_seeds.py does the same.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))
from notebooks import execute, toc_chapters  # noqa: E402

from rnncourse.book import SEED_SHIFT_VARIABLE  # noqa: E402

DEFAULT_SHIFT = 1000


def run(path: Path) -> tuple[Path, str | None, float]:
    """Execute one chapter: (path, None or what failed, seconds)."""
    start = time.perf_counter()
    problem = execute(path)
    return path, problem, time.perf_counter() - start


def run_shifted(chapters: list[Path], shift: int, jobs: int = 1):
    """Execute ``chapters`` (``jobs`` at a time) with every seed shifted by
    ``shift``; yield ``run``'s result for each, in order."""
    if shift == 0:
        raise ValueError("a shift of 0 runs the chapters' own seeds; give "
                         "another")
    before = os.environ.get(SEED_SHIFT_VARIABLE)
    os.environ[SEED_SHIFT_VARIABLE] = str(shift)  # the kernels inherit it
    try:
        with ThreadPoolExecutor(jobs) as pool:
            yield from pool.map(run, chapters)
    finally:
        if before is None:
            del os.environ[SEED_SHIFT_VARIABLE]
        else:
            os.environ[SEED_SHIFT_VARIABLE] = before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument("--shift", type=int, default=DEFAULT_SHIFT)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    chapters = args.chapters or toc_chapters()
    print(f"seeds shifted by {args.shift}: "
          f"{', '.join(p.stem for p in chapters)}", flush=True)
    failed = 0
    for path, problem, seconds in run_shifted(chapters, args.shift,
                                              args.jobs):
        failed += problem is not None
        print(f"{path.stem}: {'FAILED ' + problem if problem else 'ok'} "
              f"({seconds:.0f} s)", flush=True)
    print(f"other seeds: {failed} of {len(chapters)} chapters failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
