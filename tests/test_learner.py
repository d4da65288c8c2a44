"""Learner and student notebooks (tools/learner.py, tools/student.py): the prose
shows the book's numbers and plain Markdown, never MyST markup that Jupyter and
Colab would show raw."""
import nbformat
import pytest
from _tools import executed_or_skip, tool

learner = tool("learner")
student = tool("student")
BIB = learner.Bibliography()


def built(path):
    executed_or_skip(path)
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


def test_a_chapter_the_build_missed_fails_and_a_changed_one_skips(tmp_path, monkeypatch):
    """In CI (make book, then make test, on a fresh clone) no chapter is stale: a
    chapter the build had as it is but did not execute must fail, not skip."""
    import json

    book_stamp = tool("book_stamp")
    chapter = tmp_path / "01_x.ipynb"
    chapter.write_text("{}")
    monkeypatch.setattr(book_stamp, "STAMP", tmp_path / "executed.json")
    monkeypatch.setattr(book_stamp, "package_hash", lambda: "p")
    assert book_stamp.build_status(chapter) == "stale"              # no build yet
    here = {"01_x.ipynb": book_stamp.file_hash(chapter)}
    for chapters, status in (({}, "missed"), (here, "executed")):
        book_stamp.STAMP.write_text(json.dumps({"package": "p", "toc": here, "chapters": chapters}))
        assert book_stamp.build_status(chapter) == status
    with pytest.raises(pytest.fail.Exception, match="did not execute it as it is"):
        book_stamp.STAMP.write_text(json.dumps({"package": "p", "toc": here, "chapters": {}}))
        executed_or_skip(chapter, book_stamp)
    chapter.write_text("{ }")                                         # edited after the build
    with pytest.raises(pytest.skip.Exception, match="did not execute this source"):
        executed_or_skip(chapter, book_stamp)
    monkeypatch.setattr(book_stamp, "package_hash", lambda: "q")     # the package changed
    assert book_stamp.build_status(chapter) == "stale"
