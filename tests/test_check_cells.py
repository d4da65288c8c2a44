"""A chapter's check cell, run in the chapter's own kernel: with the hidden
solution in the solution cell it passes; with a recorded wrong answer put in
its place, between the solution markers, it fails with the check's message.

The other tests call the checks directly; this one also sees the wiring: that
the check cell checks the function the solution cell defines, with the
chapter's imports. Only the cells needed run (the imports, the cells that
define what the check cell uses, the solution, the check), in one kernel per
chapter, so it takes seconds, not the chapter's minute.
"""
import inspect
from typing import NamedTuple

import nbformat
import pytest
from _tools import ROOT, tool
from nbclient import NotebookClient
from test_check_chapters import in_place

student = tool("student")


def body(function) -> str:
    """The source of ``function`` without its ``def`` line: a wrong answer the
    other tests call, put between a chapter's solution markers."""
    return "".join(inspect.getsource(function).splitlines(keepends=True)[1:])


class Exercise(NamedTuple):
    function: str       # what the solution cell defines
    helpers: tuple      # strings that mark the cells the check cell needs besides the imports
    wrong: str          # a recorded wrong answer: the body between the solution markers
    passed: str         # what the check prints for the solution
    messages: tuple     # what its error says for the wrong answer


EXERCISES = {
    "02_rnn_model.ipynb": [Exercise(
        "detector_weights", ("def rnn_forward(",),
        # the AND's threshold at 1/2: unit 2 fires on a single 1
        '''\
    W_xh = np.full((2, 1), k)
    W_hh = np.array([[0.0, 0.0], [k, 0.0]])
    b_h = np.array([0.0, -0.5 * k])
    return W_xh, W_hh, b_h, np.array([[0.0, 0.5]]), np.array([0.5])
''',
        "detector_weights: correct at all",
        ("with x_t = 1 and", "expected 0"))],
    "13_parallelism.ipynb": [Exercise(
        "doubling_scan", ("def min_gru_loop(",),
        # the rounds written into a and b themselves
        body(in_place),
        "doubling_scan: agrees with the loop",
        ("doubling_scan changed its inputs a or b in place",))],
    "14_faq_errata.ipynb": [Exercise(
        "receptive_field", (),
        # padding on both sides, as Conv1d's padding="same" does: the last
        # output sees only half of each kernel
        '''\
    layers = []
    for l in range(L):
        d = 2**l if dilated else 1
        layers.append(nn.Conv1d(1, 1, k, dilation=d, padding="same"))
    stack = nn.Sequential(*layers)
    with torch.no_grad():
        for conv in stack:
            conv.weight.fill_(1.0)
    x = torch.zeros(1, 1, 200, requires_grad=True)
    stack(x)[0, 0, -1].backward()
    return int((x.grad != 0).sum())
''',
        "receptive_field: correct on 5 stacks",
        ("receptive_field(3, 3, dilated=False) = 4, expected 7", "padding on both sides (padding='same')")),
        Exercise(
        "zero_gradients", (),
        # batch first: seven steps of one sequence
        '''\
    lstm.zero_grad()
    lstm(torch.randn(7, 1, lstm.input_size))[0].sum().backward()
    names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    return {name: getattr(lstm, name).grad == 0 for name in names}
''',
        "zero_gradients: the zero gradients",
        ("input of shape (7, 1, 3): nn.LSTM reads (T, B, D), time first",))],
}


def with_body(source: str, body: str) -> str:
    """``source`` with the lines between the solution markers replaced by ``body``."""
    lines = source.splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if line.strip() == student.BEGIN)
    end = next(i for i, line in enumerate(lines) if line.strip() == student.END)
    return "".join(lines[: begin + 1] + [body] + lines[end:])


def cells_to_run(nb, exercise: Exercise):
    """The solution cell, the cells the check needs, and the check cell: the first
    code cell after the solution that is not part of it."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    solution = next(c for c in code if f"def {exercise.function}(" in c.source
                    and student.TAG in c.metadata.get("tags", []))
    check_cell = next(c for c in code[code.index(solution) + 1:] if student.TAG not in c.metadata.get("tags", []))
    assert f"check.{exercise.function}({exercise.function}" in check_cell.source
    helpers = [next(c for c in code if marker in c.source) for marker in exercise.helpers]
    wrong = with_body(solution.source, exercise.wrong)
    assert wrong != solution.source and student.END in wrong
    return helpers, [solution.source, check_cell.source, wrong, check_cell.source]


@pytest.mark.parametrize("chapter", list(EXERCISES))
def test_check_cell_fails_a_wrong_answer_in_the_chapter(chapter):
    nb = nbformat.read(ROOT / "chapters" / chapter, as_version=4)
    imports = [c for c in nb.cells if c.cell_type == "code"][1]  # [0] is the setup cell, which installs rnncourse
    sources, runs = [imports.source], []
    for exercise in EXERCISES[chapter]:
        helpers, cells = cells_to_run(nb, exercise)
        sources += [c.source for c in helpers if c.source not in sources]
        runs.append((exercise, len(sources) + 1, len(sources) + 3))  # the two runs of the check cell
        sources += cells
    run = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources], metadata=nb.metadata)
    with tool("notebooks").private_sockets() as config:
        NotebookClient(run, config=config, timeout=120, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(ROOT / "chapters")}}).execute()

    def errors(cell):
        return [o for o in cell.outputs if o.output_type == "error"]

    for i, cell in enumerate(run.cells[: runs[0][1]]):
        assert not errors(cell), f"cell {i} failed before the check: {errors(cell)[0].evalue}"
    for exercise, right, wrong in runs:
        text = "".join(o.get("text", "") for o in run.cells[right].outputs)
        assert not errors(run.cells[right]) and exercise.passed in text, (exercise.function, errors(run.cells[right]))
        (error,) = errors(run.cells[wrong])
        assert error.ename == "ExerciseError", (exercise.function, error.ename, error.evalue)
        for message in exercise.messages:
            assert message in error.evalue, (exercise.function, error.evalue)
