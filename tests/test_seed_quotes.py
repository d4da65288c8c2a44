"""Chapters 5, 7, 9 and 14 quote the seed articles verbatim: every block announced
as "`NNN_<hash>.txt`, lines A-B, as written:" must equal those lines of the
file in ../shared/seeds/ (skipped where that folder is not beside the
repository)."""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
# chapter -> the fewest quotes it must hold (a quote whose announcement is
# mistyped is no quote: the count catches it)
CHAPTERS = {
    ROOT / "chapters" / "05_gates.ipynb": 4,
    ROOT / "chapters" / "07_sunspots.ipynb": 5,
    ROOT / "chapters" / "09_names.ipynb": 3,
    ROOT / "chapters" / "14_faq_errata.ipynb": 15,
}

QUOTE = re.compile(
    r"`(?P<file>\d{3}_[0-9a-f]{16}\.txt)`, lines? (?P<a>\d+)(?:-(?P<b>\d+))?, as written:\n\n"
    r"(?:```\w*\n(?P<code>.*?)\n```|(?P<prose>(?:>[^\n]*(?:\n|$))+))",
    re.S,
)


def quotes(text: str):
    """(file, first line, last line, quoted lines) for each announced quote."""
    for m in QUOTE.finditer(text):
        a = int(m["a"])
        b = int(m["b"] or a)
        if m["code"] is not None:
            body = m["code"].split("\n")
        else:  # a blockquote: one quoted line per paragraph, blank lines dropped
            body = [l[2:] if l.startswith("> ") else l[1:]
                    for l in m["prose"].rstrip("\n").split("\n")]
            body = [l for l in body if l.strip()]
        yield m["file"], a, b, body


def seed_lines(file: str, a: int, b: int, drop_blank: bool) -> list[str]:
    lines = (SEEDS / file).read_text(encoding="utf-8").splitlines()[a - 1:b]
    return [l for l in lines if l.strip()] if drop_blank else lines


def chapter_quotes(chapter=ROOT / "chapters" / "14_faq_errata.ipynb"):
    nb = nbformat.read(chapter, as_version=4)
    text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return list(quotes(text))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_chapter_quotes_something(chapter):
    assert len(chapter_quotes(chapter)) >= CHAPTERS[chapter]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the repository")
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_quotes_are_verbatim(chapter):
    for file, a, b, body in chapter_quotes(chapter):
        code_block = not any(l.startswith(">") for l in body)
        expected = seed_lines(file, a, b, drop_blank=False)
        if body != expected:  # prose quotes drop blank lines
            expected = seed_lines(file, a, b, drop_blank=True)
        assert body == expected, f"{file} lines {a}-{b} are not quoted as written"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the repository")
def test_a_changed_quote_is_caught():
    file, a, b, body = chapter_quotes()[0]
    text = f"`{file}`, lines {a}-{b}, as written:\n\n```python\n" + "\n".join(body[:-1] + [body[-1] + " "]) + "\n```\n"
    ((_, _, _, changed),) = quotes(text)
    assert changed != seed_lines(file, a, b, drop_blank=False)
