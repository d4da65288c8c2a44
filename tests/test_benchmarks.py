"""The performance page's figures: the stored chapter timings cover the book and keep its promises."""
import re

import nbformat
import pytest
from _tools import ROOT, load, tool

RESULTS = ROOT / "benchmarks" / "results" / "chapter_times.md"

chapter_times = load("chapter_times", ROOT / "benchmarks" / "chapter_times.py")
notebooks = tool("notebooks")


def rows() -> dict[str, float]:
    """Chapter name -> wall time (s), from the stored table."""
    found = re.findall(r"^\| (\d\d_\w+) \| ([\d.]+) \|", RESULTS.read_text(), flags=re.M)
    return {name: float(wall) for name, wall in found}


def test_timings_cover_every_chapter_of_the_book_in_order():
    # A chapter added or renamed without rerunning benchmarks/chapter_times.py fails here.
    assert list(rows()) == [p.stem for p in notebooks.toc_chapters()]


book_stamp = tool("book_stamp")


def test_timings_were_measured_on_the_chapters_and_package_as_they_are():
    stored = re.search(r"source hash `([0-9a-f]{16})`", RESULTS.read_text())
    assert stored, "the table does not say what it measured; run `make perf`"
    assert stored.group(1) == book_stamp.sources_hash(notebooks.toc_chapters()), (
        "a chapter or the package changed since the chapter times were measured: run `make perf`")


def test_source_hash_changes_with_a_chapter_s_code_not_its_prose(tmp_path):
    def write(path, code, prose):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(prose),
                                             nbformat.v4.new_code_cell(code)])
        nbformat.write(nb, path)

    a, b = tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb"
    write(a, "x = 1", "Text."), write(b, "y = 2", "Text.")
    before = book_stamp.sources_hash([a, b])
    write(b, "y = 2", "Other text.")
    assert book_stamp.sources_hash([a, b]) == before
    write(b, "y = 3", "Other text.")
    assert book_stamp.sources_hash([a, b]) != before


def stored_total() -> float:
    """The table's total wall time (s), which must be the sum of its rows."""
    total = float(re.search(r"\*\*all \d+ chapters\*\* \| \*\*([\d.]+)\*\*", RESULTS.read_text()).group(1))
    assert total == pytest.approx(sum(rows().values()), abs=0.1 * len(rows()))
    return total


def test_every_chapter_runs_in_under_three_minutes():
    walls = rows()
    assert max(walls.values()) < 180, walls
    stored_total()


def test_chapters_take_about_a_minute_on_average():
    walls = rows()
    total = stored_total()
    assert total < 75 * len(walls), f"{total:.0f} s for {len(walls)} chapters: over 75 s a chapter"


def fake(name, seconds):
    """A chapter's result: a heading 'Part k' before each code cell, which takes seconds[k]."""
    cells = [c for k in range(len(seconds))
             for c in (nbformat.v4.new_markdown_cell(f"Text.\n## Part {k}\nMore text."), nbformat.v4.new_code_cell("pass"))]
    timed = [(seconds[n // 2], n, section) for n, (c, section) in enumerate(zip(cells, chapter_times.sections(cells)))
             if c.cell_type == "code"]
    return {"name": name, "wall": sum(seconds) + 1.0, "cpu": sum(seconds), "start": 1.0 + sum(seconds[:2]), "cells": timed}


def test_report_names_the_slowest_cells_their_sections_and_their_share():
    report = chapter_times.table([fake("01_a", [1.0, 2.0, 10.0]), fake("02_b", [0.5, 0.5, 3.0, 4.0])], top=2)
    assert "| 01_a | 14.0 | 13.0 | 4.0 | 10.0 | Part 2 |" in report
    assert "| **all 2 chapters** | **23.0** | **21.0** | **6.0** | | |" in report
    assert "The 2 slowest cells take 14.0 s, 61% of the total:" in report
    assert report.index("| 01_a, cell 5 | 10.0 | Part 2 |") < report.index("| 02_b, cell 7 | 4.0 | Part 3 |")
    assert "02_b, cell 5" not in report
    assert "Reference workload" not in report  # none given, none claimed
    timed = chapter_times.table([fake("01_a", [1.0])], reference=(1.5, 1.625))
    assert "1.50 s before the chapters, 1.62 s after." in timed


def test_the_stored_table_says_how_fast_the_machine_was():
    # Chapter times drift 10-40% with the VM's speed: the table records a fixed
    # workload's seconds, before and after the chapters, to compare tables by.
    found = re.search(r"Reference workload .*: ([\d.]+) s before the chapters, ([\d.]+) s after",
                      RESULTS.read_text())
    assert found, "the table has no reference workload: run `make perf`"
    before, after = map(float, found.groups())
    assert 0 < before and 0 < after


def test_a_cell_is_in_the_section_of_the_last_heading_above_it():
    cells = [nbformat.v4.new_markdown_cell("# 1. Title"), nbformat.v4.new_code_cell("pass"),
             nbformat.v4.new_markdown_cell("Prose, no heading."), nbformat.v4.new_code_cell("pass"),
             nbformat.v4.new_markdown_cell("## A | B\n### Deeper"), nbformat.v4.new_code_cell("pass"),
             nbformat.v4.new_markdown_cell("Quoted code:\n```python\n# a comment\n```"), nbformat.v4.new_code_cell("pass")]
    assert chapter_times.sections(cells)[1::2] == ["1. Title", "1. Title", "Deeper", "Deeper"]


def test_cell_time_comes_from_nbclient_timestamps():
    cell = nbformat.v4.new_code_cell("pass")
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:01.250000Z",
                                  "shell.execute_reply": "2026-01-01T00:00:03.000000Z"}
    assert chapter_times.cell_seconds(cell) == pytest.approx(1.75)
