"""Run chapters on seeds they were not written with, and report every run.

    python tools/other_seeds.py [--shift 1000] [--jobs 2] [chapters/NN_x.ipynb ...]
    make seeds                 # chapters 5, 7, 9 and 10-12, shift 1000

A chapter's asserts were checked, when it was written, on the seeds it uses.
Setting ``RNNCOURSE_SEED_SHIFT`` moves every seed that ``seed_everything`` and
``seeds`` hand out (the models' initial weights, the order of the batches, the
generated data), so a run with a shift checks the same claims on other draws.
This executes each chapter in a fresh kernel with that variable set and exits 1
if any assert (or anything else) failed, naming the error. By default it runs
the chapters whose trained models all draw their seeds that way: 5, 7, 9 and
10-12.
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
from notebooks import CHAPTERS, execute  # noqa: E402

from rnncourse.book import SEED_SHIFT_VARIABLE  # noqa: E402

DEFAULT = ["05_gates", "07_sunspots", "09_names", "10_speech",
           "11_translation", "12_video"]
DEFAULT_SHIFT = 1000


def run(path: Path) -> tuple[Path, str | None, float]:
    start = time.perf_counter()
    problem = execute(path)
    return path, problem, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument("--shift", type=int, default=DEFAULT_SHIFT)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    if args.shift == 0:
        parser.error("--shift 0 runs the chapters' own seeds; give another")
    chapters = args.chapters or [CHAPTERS / f"{name}.ipynb"
                                 for name in DEFAULT]
    os.environ[SEED_SHIFT_VARIABLE] = str(args.shift)  # the kernels inherit it
    print(f"seeds shifted by {args.shift}: "
          f"{', '.join(p.stem for p in chapters)}", flush=True)
    failed = 0
    with ThreadPoolExecutor(args.jobs) as pool:
        for path, problem, seconds in pool.map(run, chapters):
            failed += problem is not None
            print(f"{path.stem}: {'FAILED ' + problem if problem else 'ok'} "
                  f"({seconds:.0f} s)", flush=True)
    print(f"other seeds: {failed} of {len(chapters)} chapters failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
