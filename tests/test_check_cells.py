"""A chapter's check cell, run in the chapter's own kernel: with the hidden
solution in the solution cell it passes; with a recorded wrong answer put in
its place, between the solution markers, it fails with the check's message.

The other tests call the checks directly; this one also sees the wiring: that
the check cell checks the function the solution cell defines, with the
chapter's imports. Only the cells needed run (the imports, the solution, the
check), so it takes seconds, not the chapter's minute.
"""
import nbformat
from _tools import ROOT, tool
from nbclient import NotebookClient

student = tool("student")

# Chapter 14's receptive field with padding on both sides, as Conv1d's
# padding="same" does: the last output sees only half of each kernel.
SAME_PADDING = '''\
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
'''


def with_body(source: str, body: str) -> str:
    """``source`` with the lines between the solution markers replaced by ``body``."""
    lines = source.splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if line.strip() == student.BEGIN)
    end = next(i for i, line in enumerate(lines) if line.strip() == student.END)
    return "".join(lines[: begin + 1] + [body] + lines[end:])


def test_check_cell_fails_a_wrong_answer_in_the_chapter():
    nb = nbformat.read(ROOT / "chapters" / "14_faq_errata.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    imports = code[1]  # code[0] is the setup cell, which installs rnncourse where it is missing
    solution = next(c for c in code if "def receptive_field(" in c.source)
    check_cell = code[code.index(solution) + 1]
    assert "check.receptive_field(receptive_field)" in check_cell.source
    wrong = nbformat.v4.new_code_cell(with_body(solution.source, SAME_PADDING))
    assert wrong.source != solution.source and student.END in wrong.source
    run = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.source) for c in
                                          (imports, solution, check_cell, wrong, check_cell)],
                                   metadata=nb.metadata)
    with tool("notebooks").private_sockets() as config:
        NotebookClient(run, config=config, timeout=120, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(ROOT / "chapters")}}).execute()

    def errors(cell):
        return [o for o in cell.outputs if o.output_type == "error"]

    text = "".join(o.get("text", "") for o in run.cells[2].outputs)
    assert not errors(run.cells[2]) and "receptive_field: correct on 5 stacks" in text
    (error,) = errors(run.cells[4])
    assert error.ename == "ExerciseError"
    assert "receptive_field(3, 3, dilated=False) = 4, expected 7" in error.evalue
    assert "padding on both sides (padding='same')" in error.evalue
