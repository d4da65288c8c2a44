"""Chapters' claims hold on seeds they were not written with.

Each chapter runs in a fresh kernel with RNNCOURSE_SEED_SHIFT set, as
``make seeds`` does: other initial weights, batch orders and generated data,
the same asserts. (The chapters of ``tools/other_seeds.py``'s list draw every
seed through ``seed_everything`` and ``seeds``; the shift moves them all.)
"""
import pytest

from _tools import ROOT, tool

from rnncourse.book import SEED_SHIFT_VARIABLE

OTHER_SEEDS = tool("other_seeds")


@pytest.mark.parametrize("name", OTHER_SEEDS.DEFAULT)
def test_chapter_claims_hold_on_other_seeds(name, monkeypatch):
    monkeypatch.setenv(SEED_SHIFT_VARIABLE, str(OTHER_SEEDS.DEFAULT_SHIFT))
    problem = tool("notebooks").execute(ROOT / "chapters" / f"{name}.ipynb")
    assert problem is None, (f"{name} with seeds shifted by "
                             f"{OTHER_SEEDS.DEFAULT_SHIFT}: {problem}")
