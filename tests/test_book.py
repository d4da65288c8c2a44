"""rnncourse.book: glue in the book (myst-nb) and without it (Colab); how the
book's chapters are executed (tools/execute_chapters.py, tools/notebooks.py)."""
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from _tools import tool

from rnncourse import book


def test_glue_hands_myst_nb_plain_python_scalars_and_returns_none(monkeypatch):
    stored = {}
    monkeypatch.setattr("myst_nb.glue", lambda name, value, display: stored.update({name: (value, display)}))
    assert book.glue("gain", np.float64(2.5)) is None  # None: a glue on a cell's last line echoes nothing
    value, display = stored["gain"]
    assert type(value) is float and value == 2.5 and display is False
    book.glue("k", np.array(3))
    assert type(stored["k"][0]) is int


@pytest.mark.parametrize("display, expected", [(True, "gain = 2.5\n"), (False, "")])
def test_glue_without_myst_nb_prints_only_when_asked(monkeypatch, capsys, display, expected):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # as in Colab: importing myst_nb fails
    assert book.glue("gain", np.float64(2.5), display=display) is None
    assert capsys.readouterr().out == expected


def test_the_slowest_chapters_are_executed_first():
    """tools/execute_chapters.py reads each chapter's time from the Performance
    table, not from the table of slowest cells below it."""
    table = ("| chapter | wall time (s) | kernel CPU time (s) |\n| --- | ---: | ---: |\n"
             "| 01_sequences | 10.9 | 10.5 |\n| 06_long_range | 66.1 | 65.2 |\n"
             "| **all 2 chapters** | **77.0** | **75.7** |\n\n"
             "| cell | time (s) | in section |\n| --- | ---: | --- |\n"
             "| 06_long_range, cell 20 | 21.3 | The adding problem |\n")
    seconds = tool("execute_chapters").chapter_seconds(table)
    assert seconds == {"01_sequences.ipynb": 10.9, "06_long_range.ipynb": 66.1}


ASK_THE_KERNEL = """from ipykernel import get_connection_info
info = get_connection_info(unpack=True)
print(info["transport"], info["ip"], {value} * 2)"""


def _run_in_own_kernel(value: int) -> tuple[str, str, str]:
    """Execute a one-cell notebook as the chapter runners do; the kernel's
    (transport, socket path, value * 2), as the kernel reports them."""
    code = ASK_THE_KERNEL.format(value=value)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    with tool("notebooks").private_sockets() as config:
        NotebookClient(nb, config=config, kernel_name="python3", timeout=60).execute()
    return tuple(nb.cells[0].outputs[0]["text"].split())


def test_kernels_started_at_once_each_answer_on_their_own_sockets():
    """Four kernels started at the same moment from four processes all answer,
    and each talks over Unix sockets in a directory of its own (over TCP two
    kernels can be handed one port; CI once failed so)."""
    with ProcessPoolExecutor(4) as pool:
        runs = list(pool.map(_run_in_own_kernel, range(4)))
    assert [int(out) for _, _, out in runs] == [2 * v for v in range(4)]
    assert {transport for transport, _, _ in runs} == {"ipc"}
    directories = {Path(ip).parent for _, ip, _ in runs}
    assert len(directories) == 4 and not any(d.exists() for d in directories)


def test_a_seed_shift_moves_every_seed(monkeypatch):
    """With RNNCOURSE_SEED_SHIFT set, seed_everything(s) draws what
    seed_everything(s + shift) draws unshifted, and seeds(n) starts there."""
    monkeypatch.delenv(book.SEED_SHIFT_VARIABLE, raising=False)
    expected = book.seed_everything(7).random(3)
    import torch
    expected_torch = torch.rand(3)
    assert book.seeds(3) == [0, 1, 2]
    monkeypatch.setenv(book.SEED_SHIFT_VARIABLE, "5")
    assert np.array_equal(book.seed_everything(2).random(3), expected)
    assert torch.equal(torch.rand(3), expected_torch)
    assert book.seeds(3) == [5, 6, 7]
    monkeypatch.setenv(book.SEED_SHIFT_VARIABLE, "five")
    with pytest.raises(ValueError, match="RNNCOURSE_SEED_SHIFT must be an integer, got 'five'"):
        book.seeds(3)
    with pytest.raises(ValueError, match="positive int, got 0"):
        book.seeds(0)


def test_a_kernel_run_by_the_tools_sees_the_shift_and_names_what_failed(monkeypatch, tmp_path):
    """tools/other_seeds.py sets the shift in its own environment: the chapter's
    kernel must inherit it, and a failed assert comes back with its line."""
    code = "from rnncourse import seeds\nshifted = seeds(2)\nassert shifted == [0, 1], f'got {shifted}'"
    path = tmp_path / "shifted.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), path)
    execute = tool("notebooks").execute
    monkeypatch.delenv(book.SEED_SHIFT_VARIABLE, raising=False)
    assert execute(path) is None
    monkeypatch.setenv(book.SEED_SHIFT_VARIABLE, "1000")
    assert execute(path) == ("----> 3 assert shifted == [0, 1], f'got {shifted}' | "
                             "AssertionError: got [1000, 1001]")
