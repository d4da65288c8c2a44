"""Learner and student notebooks (tools/learner.py, tools/student.py): the prose
shows the book's numbers and plain Markdown, never MyST markup that Jupyter and
Colab would show raw."""
import nbformat
import pytest
from _tools import tool

learner = tool("learner")
student = tool("student")
book_stamp = tool("book_stamp")
BIB = learner.Bibliography()


def built(path):
    if not book_stamp.executed_by_book(path):
        pytest.skip(f"{path.name}: the last clean book build did not execute this source (make book)")
    return learner.learner_version(nbformat.read(path, as_version=4), learner.glued_values(path), BIB)


@pytest.mark.parametrize("path", learner.toc_chapters(), ids=lambda p: p.name)
def test_learner_and_student_notebooks_hold_no_raw_markup(path):
    nb = built(path)
    assert learner.raw_markup(nb) == []
    assert learner.raw_markup(student.student_version(nb)) == []
    assert learner.NOTE in nb.cells[1].source  # the numbers are the book's: say so


@pytest.mark.parametrize("path", learner.toc_chapters(), ids=lambda p: p.name)
def test_glued_numbers_stand_in_the_prose(path):
    nb, chapter = built(path), nbformat.read(path, as_version=4)
    glued = learner.glued_values(path)
    role = next((m for c in chapter.cells if c.cell_type == "markdown"
                 for m in learner.ROLE.finditer(c.source) if m.group(1).startswith("glue")), None)
    if role is None:
        pytest.skip("no glued number in the prose")
    text = learner.role_text(role.group(1), role.group(2), glued, BIB)
    assert text and text in "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_markup_becomes_plain_markdown():
    source = "\n".join([
        "Best MAE {glue:text}`best:.2f` over {glue:text}`n` seeds; see {numref}`ch07-ex2`,",
        "{numref}`Exercises %s <ch07-ex3>` and {cite}`hochreiter1997long`.",
        ":::{exercise} Windows",
        ":label: ch07-ex2",
        "Cut the series.",
        ":::",
        "```{solution-start} ch07-ex2",
        ":class: dropdown",
        "```",
        "Like this.",
        "```{solution-end}",
        "```",
    ])
    text = learner.plain_markdown(source, {"best": 13.4012, "n": 5}, BIB)
    assert text.split("\n") == [
        "Best MAE 13.40 over 5 seeds; see Exercise 7.2,",
        "Exercises 7.3 and (Hochreiter and Schmidhuber, 1997).",
        "#### Exercise 7.2: Windows",
        "Cut the series.",
        "#### Solution to Exercise 7.2",
        "Like this.",
    ]


def test_raw_markup_is_caught_and_unknown_values_fail():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x {glue:text}`a` y\n:::{exercise} T")])
    assert learner.raw_markup(nb) == ["cell 0: {glue:text}`a`", "cell 0: :::{exercise} T"]
    with pytest.raises(KeyError, match="missing"):
        learner.plain_markdown("{glue:text}`missing`", {}, BIB)
    with pytest.raises(ValueError, match="chNN-exK"):
        learner.exercise_number("fig-1")
