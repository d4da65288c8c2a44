"""Run the chapters that time things while two other CPU-bound processes run.

    python tools/stress.py [--runs 3] [--burners 2] [chapters/NN_x.ipynb ...]
    make stress

A reader's laptop is never idle, and neither is CI. Every timing claim in the
book must hold while other programs compete for the cores: this starts
``--burners`` processes that spin (``while True: pass``), executes each chapter
``--runs`` times in a fresh kernel, and reports every run. It exits 1 if any run
failed, naming the cell and the error. By default it takes every chapter whose
code reads a clock (``perf_counter``, ``thread_time``, ``process_time``).
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from notebooks import execute, toc_chapters  # noqa: E402

CLOCK = re.compile(r"perf_counter|thread_time|process_time")


def timing_chapters() -> list[Path]:
    """The chapters of the toc whose code reads a clock."""
    return [path for path in toc_chapters()
            if any(cell.cell_type == "code" and CLOCK.search(cell.source)
                   for cell in nbformat.read(path, as_version=4).cells)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--burners", type=int, default=2)
    args = parser.parse_args()
    chapters = args.chapters or timing_chapters()
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.burners)]
    failed = 0
    try:
        print(f"stress: {args.burners} CPU burners running; {args.runs} runs of "
              f"{', '.join(p.stem for p in chapters)}", flush=True)
        for run in range(1, args.runs + 1):
            for path in chapters:
                start = time.perf_counter()
                problem = execute(path)
                seconds = time.perf_counter() - start
                failed += problem is not None
                print(f"run {run} {path.stem}: {'FAILED ' + problem if problem else 'ok'} "
                      f"({seconds:.0f} s)", flush=True)
    finally:
        for burner in burners:
            burner.kill()
    print(f"stress: {failed} failed runs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
