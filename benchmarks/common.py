"""What the benchmark scripts share: the machine's name and writing a report."""
from __future__ import annotations

import platform
import time
from pathlib import Path


def cpu_name() -> str:
    """The processor's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def write_report(out: Path | None, header: list[str], rows: list[str]) -> None:
    """Write the Markdown report (the header lines, a blank line, the table) to ``out``."""
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(header) + "\n\n" + "\n".join(rows) + "\n")
        print(f"wrote {out}")


def interleaved_times(runs: dict, rounds: int, per_round: int, pause: float = 0.0) -> dict:
    """Times in seconds of each call of ``runs[name]()``, ``rounds x per_round`` of
    them per contender: the contenders take turns, a block of ``per_round`` calls
    each per round, so that a change in the machine's load hits all of them.
    Before its block, a contender waits ``pause`` seconds (for the other
    library's worker threads to go idle) and runs once untimed."""
    times = {name: [] for name in runs}
    for _ in range(rounds):
        for name, f in runs.items():
            time.sleep(pause)
            f()
            for _ in range(per_round):
                start = time.perf_counter()
                f()
                times[name].append(time.perf_counter() - start)
    return times
