"""The chapters as the book build executed them: printed output fits the page,
no figure has text too small to read, and no figure lost a character to a font
without it (Chinese in chapter 11: empty boxes in the built page).

The outputs come from the book's execution cache (`_build/.jupyter_cache`, the
outputs the pages show), matched to each chapter's current source; the copies
in `_build/jupyter_execute` hold no outputs when the build reads them from the
cache, and a check of those could not fail. Checks only chapters that the last
clean `make book` executed with the current source and package
(tools/book_stamp.py); the others skip, saying so, unless that build had the
chapter as it is and did not execute it: then they fail.
"""
import unicodedata
from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache
from _tools import ROOT, executed_or_skip, tool

CACHE = ROOT / "_build" / ".jupyter_cache"
PAGE_WIDTH = 79

notebooks = tool("notebooks")
CHAPTERS = notebooks.toc_chapters()


def executed(path: Path) -> dict:
    """The chapter with the outputs the book shows, from the execution cache."""
    executed_or_skip(path)
    _, nb = get_cache(str(CACHE)).merge_match_into_notebook(nbformat.read(path, as_version=4))
    assert any(cell.get("outputs") for cell in nb["cells"]), f"{path.name}: the cache holds no outputs"
    return nb


def text_outputs(nb: dict):
    """(cell index, stream name or 'result', text) of every text output a reader sees
    or that goes to stderr."""
    for i, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                yield i, output["name"], "".join(output["text"])
            elif output["output_type"] in ("execute_result", "display_data"):
                data = output.get("data", {})
                rich = {"image/png", "text/html", "text/markdown", "text/latex"} & set(data)
                if "text/plain" in data and not rich:
                    yield i, "result", "".join(data["text/plain"])


def columns(line: str) -> int:
    """Width of `line` in a monospace font: Chinese characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def too_wide(nb: dict) -> list[str]:
    return [f"cell {i}: {line}" for i, name, text in text_outputs(nb) if name != "stderr"
            for line in text.splitlines() if columns(line) > PAGE_WIDTH]


def small_figure_text(nb: dict) -> list[str]:
    return [f"cell {i}: {line.strip()}" for i, name, text in text_outputs(nb) if name == "stderr"
            for line in text.splitlines() if "SmallFigureText" in line]


def missing_glyphs(nb: dict) -> list[str]:
    """Matplotlib's warnings that a character had no glyph in the figure's fonts."""
    return [f"cell {i}: {line.strip()}" for i, name, text in text_outputs(nb) if name == "stderr"
            for line in text.splitlines() if "Glyph" in line and "missing from font" in line]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_printed_output_fits_the_page(path):
    assert too_wide(executed(path)) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_figure_text_is_readable_at_page_width(path):
    assert small_figure_text(executed(path)) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_character_in_a_figure_has_a_glyph(path):
    assert missing_glyphs(executed(path)) == []


def test_the_chinese_figures_of_chapter_11_were_drawn():
    # the attention maps label their axes with Chinese characters: drawn, and
    # drawn without a missing glyph (the test above)
    nb = executed(ROOT / "chapters" / "11_translation.ipynb")
    drawn = [i for i, cell in enumerate(nb["cells"]) if "attention_map(" in "".join(cell.get("source", ""))
             and any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))]
    assert drawn, "no cell of chapter 11 drew an attention map"


def test_the_checks_see_what_they_check():
    nb = {"cells": [{"outputs": [
        {"output_type": "stream", "name": "stdout", "text": ["short\n", "x" * 80 + "\n"]},
        {"output_type": "stream", "name": "stdout", "text": ["中" * 39 + "\n", "文" * 40 + "\n"]},
        {"output_type": "stream", "name": "stderr", "text": ["f.py:1: SmallFigureText: figure 11.0 x 4.0 in\n"]},
        {"output_type": "stream", "name": "stderr", "text": [
            "p.py:158: UserWarning: Glyph 27748 (\\N{CJK UNIFIED IDEOGRAPH-6C64}) missing from font(s) DejaVu Sans.\n"]},
        {"output_type": "execute_result", "data": {"text/plain": ["y" * 81]}},
        {"output_type": "display_data", "data": {"text/plain": ["<Figure " + "z" * 90 + ">"], "image/png": ""}},
    ]}]}
    assert too_wide(nb) == ["cell 0: " + "x" * 80, "cell 0: " + "文" * 40, "cell 0: " + "y" * 81]
    assert small_figure_text(nb) == ["cell 0: f.py:1: SmallFigureText: figure 11.0 x 4.0 in"]
    assert missing_glyphs(nb) == ["cell 0: p.py:158: UserWarning: Glyph 27748 "
                                  "(\\N{CJK UNIFIED IDEOGRAPH-6C64}) missing from font(s) DejaVu Sans."]
