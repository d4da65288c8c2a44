"""Student notebooks: no solution survives, skeletons stay, and they run top to
bottom with errors only where an exercise waits to be done."""
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest
from _tools import tool
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
student = tool("student")

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def read(path):
    return nbformat.read(path, as_version=4)


def markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_exercises_with_solutions(path):
    """At least three exercises, each with a solution tagged for removal."""
    nb = read(path)
    labels = re.findall(r":::\{exercise\}.*\n:label: (\S+)", markdown(nb))
    assert len(labels) >= 3, f"{path.name}: {len(labels)} exercises"
    tagged = "\n".join(c.source for c in nb.cells if student.TAG in c.metadata.get("tags", []))
    for label in labels:
        assert re.search(rf"\{{solution(-start)?\}} {re.escape(label)}\b", tagged), f"{label}: no solution tagged '{student.TAG}'"
    untagged = "\n".join(c.source for c in nb.cells if student.TAG not in c.metadata.get("tags", []))
    assert not re.search(r"\{solution|### BEGIN SOLUTION", untagged), f"{path.name}: a solution cell is not tagged"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_solution_survives(path):
    nb = read(path)
    version = student.student_version(nb)
    text = "\n".join(c.source for c in version.cells)
    assert not any(student.TAG in c.metadata.get("tags", []) for c in version.cells)
    assert "{solution" not in text and student.BEGIN not in text
    # A line that the chapter also has outside its solutions (an optimizer set-up,
    # say) is not evidence of a leak; every other solution line is.
    body = "\n".join(c.source for c in nb.cells if student.TAG not in c.metadata.get("tags", []))
    leaked = [line for line in student.solution_lines(nb) if line in text and line not in body]
    assert leaked == [], f"solution lines in the student notebook: {leaked}"
    skeletons = text.count('raise NotImplementedError("your code here")')
    blocks = sum(c.source.count(student.BEGIN) for c in nb.cells if c.cell_type == "code")
    assert skeletons == blocks


def test_skeleton_keeps_the_frame():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\ncheck(f)"
    assert student.skeleton(source) == 'def f(x):\n    raise NotImplementedError("your code here")\n\ncheck(f)'
    with pytest.raises(ValueError, match="without"):
        student.skeleton("### BEGIN SOLUTION\nx = 1")


def run_student_version(path: Path, cwd: Path) -> nbformat.NotebookNode:
    nb = student.student_version(read(path))
    with tool("notebooks").private_sockets() as config:
        NotebookClient(nb, config=config, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


@pytest.fixture(scope="module")
def student_runs(request, tmp_path_factory) -> dict:
    """The student versions of the selected chapters, executed two at a time (each
    chapter computes on one thread), the longest first."""
    paths = [item.callspec.params["path"] for item in request.session.items
             if getattr(item, "originalname", None) == "test_student_notebook_runs"]
    seconds = tool("execute_chapters").last_seconds()
    paths.sort(key=lambda p: -seconds.get(p.name, float("inf")))  # unmeasured first
    with ProcessPoolExecutor(2) as pool:
        futures = {p: pool.submit(run_student_version, p, tmp_path_factory.mktemp(p.stem))
                   for p in paths}
        return {p: f.exception() or f.result() for p, f in futures.items()}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_student_notebook_runs(path, student_runs):
    """Every cell runs; the only errors are in the exercises: NotImplementedError from a
    skeleton, or a NameError in the check of a name the unfinished exercise was to define."""
    nb = student_runs[path]
    if isinstance(nb, BaseException):
        raise nb
    exercises_start = next(i for i, c in enumerate(nb.cells)
                           if c.cell_type == "markdown" and re.search(r"^## Exercises", c.source, re.M))
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                assert output.ename in ("NotImplementedError", "NameError") and i > exercises_start, (
                    f"cell {i} failed with {output.ename}: {output.evalue}\n{cell.source[:300]}")
