"""Execute every chapter and record its wall time.

    .venv/bin/python benchmarks/chapter_times.py [--out benchmarks/results/chapter_times.md] [chapters/NN_*.ipynb ...]

Each chapter runs in a fresh kernel, one after the other, as the book build
runs them. The table says on which machine it was measured.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    """A one-line description of this machine and the libraries that set its speed."""
    import numpy
    import torch

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"NumPy {numpy.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)")


def run(path: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system, of the kernel) of executing ``path``."""
    nb = nbformat.read(path, as_version=4)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) to this file")
    args = parser.parse_args()
    chapters = args.chapters or sorted((ROOT / "chapters").glob("*.ipynb"))

    rows, total = [], 0.0
    for path in chapters:
        wall, cpu = run(path)
        total += wall
        rows.append(f"| {path.stem} | {wall:.1f} | {cpu:.1f} |")
        print(rows[-1], flush=True)
    table = "\n".join([
        f"Measured on {machine()}, {time.strftime('%Y-%m-%d')}.",
        "",
        "| chapter | wall time (s) | kernel CPU time (s) |",
        "| --- | ---: | ---: |",
        *rows,
        f"| **all {len(rows)} chapters** | **{total:.1f}** | |",
    ])
    print(table)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
