"""Execute every chapter and record its wall time, and where the time goes.

    .venv/bin/python benchmarks/chapter_times.py [--out benchmarks/results/chapter_times.md] [chapters/NN_*.ipynb ...]
    make perf    # the same for every chapter of the toc, into the stored table

The report records a hash of the chapters and the package it measured;
``tests/test_benchmarks.py`` fails once either has changed, until ``make perf``
measures them again.

Each chapter runs in a fresh kernel, one after the other, as the book build
runs them. Per chapter the table gives the wall time, the kernel's CPU time,
the part spent starting the kernel and importing (the first two code cells),
and the slowest cell with the section it is in; then the slowest cells of the whole
book and their share of the total. It says on which machine it was measured,
and how fast that machine was at the time: the seconds of a fixed reference
workload, run before and after the chapters (on 2026-12-02 the same VM ran the
same chapters 1.7 times slower in the morning than at ten; compare tables by
this figure first).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("RNNCOURSE_QUIET", "1")  # as in CI: no progress bars
sys.path.insert(0, str(ROOT / "tools"))
from book_stamp import sources_hash  # noqa: E402
from notebooks import private_sockets, toc_chapters  # noqa: E402


def machine() -> str:
    """A one-line description of this machine and the libraries that set its speed."""
    import numpy
    import torch

    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
              if line.startswith("model name")] if cpuinfo.exists() else []
    cpu = models[0] if models else platform.processor()
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"NumPy {numpy.__version__}, torch {torch.__version__}")


def reference_seconds(steps: int = 150) -> float:
    """Seconds for a fixed workload like the chapters': ``steps`` clipped Adam steps
    of an LSTM (D = 8, H = 64, T = 50, B = 32, float32, one thread), the least of
    three runs. Its seconds track the machine's speed, not the book's."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        g = torch.Generator().manual_seed(0)
        x, y = torch.randn(50, 32, 8, generator=g), torch.randn(32, 64, generator=g)
        best = float("inf")
        for _ in range(3):
            torch.manual_seed(0)
            lstm = torch.nn.LSTM(8, 64)
            optimizer = torch.optim.Adam(lstm.parameters(), lr=1e-3)
            start = time.perf_counter()
            for _ in range(steps):
                _, (h_n, _) = lstm(x)
                loss = torch.nn.functional.mse_loss(h_n[0], y)
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(lstm.parameters(), 1.0)
                optimizer.step()
            best = min(best, time.perf_counter() - start)
        return best
    finally:
        torch.set_num_threads(threads)


def cell_seconds(cell) -> float:
    """Execution time of one executed code cell, from the timestamps nbclient records."""
    t = cell.metadata.get("execution", {})
    start, end = (datetime.fromisoformat(t[k].replace("Z", "+00:00"))
                  for k in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


def sections(cells) -> list[str]:
    """For each cell, the title of the section it is in (the last Markdown heading above it)."""
    found, title = [], ""
    for cell in cells:
        if cell.cell_type == "markdown":
            fenced = False  # a "#" line inside a fenced code block is a comment, not a heading
            for line in cell.source.splitlines():
                fenced ^= line.lstrip().startswith(("```", "~~~"))
                if line.startswith("#") and not fenced:
                    title = line.lstrip("#").strip()
        found.append(title.replace("|", "\\|"))
    return found


def run(path: Path) -> dict:
    """Execute ``path`` in a fresh kernel; its wall and CPU time and the time of every code cell."""
    nb = nbformat.read(path, as_version=4)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with private_sockets() as config:
        NotebookClient(nb, config=config, timeout=600, kernel_name="python3", record_timing=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cells = [(cell_seconds(c), n, section) for n, (c, section) in enumerate(zip(nb.cells, sections(nb.cells)))
             if c.cell_type == "code"]
    return {
        "name": path.stem,
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "start": wall - sum(s for s, _, _ in cells) + sum(s for s, _, _ in cells[:2]),
        "cells": cells,
    }


def table(results: list[dict], top: int = 8, sources: str = "", reference: tuple = ()) -> str:
    """The Markdown report: one row per chapter, then the slowest cells of the book.
    ``sources`` is the hash of the chapters and package measured (see ``book_stamp``);
    ``reference`` the seconds of :func:`reference_seconds` before and after the chapters."""
    total = sum(r["wall"] for r in results)
    rows = [f"| {r['name']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['start']:.1f} | "
            f"{max(r['cells'])[0]:.1f} | {max(r['cells'])[2]} |" for r in results]
    slowest = sorted(((s, r["name"], n, section) for r in results for s, n, section in r["cells"]), reverse=True)[:top]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return "\n".join([
        f"Measured on {machine()}, {time.strftime('%Y-%m-%d')}; load average {load:.1f} at the end; "
        f"chapters and package at source hash `{sources}`.",
        *([f"Reference workload (`reference_seconds`: 150 training steps of a small LSTM, one thread): "
           f"{reference[0]:.2f} s before the chapters, {reference[1]:.2f} s after."] if reference else []),
        "",
        "| chapter | wall time (s) | kernel CPU time (s) | kernel start and imports (s) | slowest cell (s) | in section |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *rows,
        f"| **all {len(results)} chapters** | **{total:.1f}** | **{sum(r['cpu'] for r in results):.1f}** "
        f"| **{sum(r['start'] for r in results):.1f}** | | |",
        "",
        f"The {top} slowest cells take {sum(s for s, *_ in slowest):.1f} s, "
        f"{100 * sum(s for s, *_ in slowest) / total:.0f}% of the total:",
        "",
        "| cell | time (s) | in section |",
        "| --- | ---: | --- |",
        *(f"| {name}, cell {n} | {s:.1f} | {section} |" for s, name, n, section in slowest),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, help="also write the report (Markdown) to this file")
    parser.add_argument("--top", type=int, default=8, help="how many of the slowest cells to list")
    args = parser.parse_args()
    chapters = args.chapters or toc_chapters()

    reference = [reference_seconds()]
    print(f"reference workload: {reference[0]:.2f} s", flush=True)
    results = []
    for path in chapters:
        results.append(run(path))
        print(f"{path.stem}: {results[-1]['wall']:.1f} s", flush=True)
    reference.append(reference_seconds())
    report = table(results, args.top, sources_hash(chapters), tuple(reference))
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report + "\n")


if __name__ == "__main__":
    main()
