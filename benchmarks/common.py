"""What the benchmark scripts share: the machine's name and writing a report."""
from __future__ import annotations

import platform
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
