"""rnncourse.book: glue in the book (myst-nb) and without it (Colab)."""
import sys

import numpy as np
import pytest

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
