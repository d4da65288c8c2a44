"""rnncourse.report: the numbers a chapter reports over seeds."""
import math

import numpy as np
import pytest
import torch

from rnncourse.report import Summary, glue_summary, paired, seeds_table, summarize


def test_summary_is_mean_sample_sd_min_max_and_n():
    s = summarize([13.31, 13.45, 13.38, 13.52, 13.34])
    assert s.mean == pytest.approx(13.40)
    assert s.sd == pytest.approx(np.std([13.31, 13.45, 13.38, 13.52, 13.34], ddof=1))
    assert s.sd == pytest.approx(0.0851, abs=1e-4)  # ddof=0 would give 0.0762
    assert (s.min, s.max, s.n) == (13.31, 13.52, 5)
    assert s.values == (13.31, 13.45, 13.38, 13.52, 13.34)
    assert f"{s:.2f}" == "13.40 ± 0.09 (5 seeds)"
    assert s.range(".2f") == "13.31 to 13.52"
    assert summarize(torch.tensor([1.0, 3.0])).mean == 2.0  # tensors and arrays alike


def test_one_seed_has_no_spread():
    s = summarize([0.5])
    assert math.isnan(s.sd) and f"{s:.1f}" == "0.5 (1 seed)"


@pytest.mark.parametrize("values, error, match", [
    ([], ValueError, "at least one value"),
    ([1.0, float("inf")], ValueError, "NaN or infinite"),
    ([1.0, float("nan")], ValueError, "NaN or infinite"),
    (["a", 1.0], TypeError, "must be numbers"),
])
def test_bad_values_raise(values, error, match):
    with pytest.raises(error, match=match):
        summarize(values)


def test_paired_differences_and_wins_seed_by_seed():
    a, b = [0.10, 0.12, 0.30, 0.20], [0.20, 0.18, 0.25, 0.20]
    d = paired(a, b, better="lower")
    np.testing.assert_allclose(d.differences, [-0.10, -0.06, 0.05, 0.0])
    assert (d.wins, d.ties, d.n, d.always) == (2, 1, 4, False)
    assert d.summary.mean == pytest.approx(-0.0275)
    assert paired(a, b, better="higher").wins == 1
    assert paired([2, 3], [1, 1], better="higher").always
    assert f"{paired([2, 3], [1, 1], better='higher'):.1f}" == "1.5 ± 0.7 (2 seeds), better on 2 of 2 seeds"
    with pytest.raises(ValueError, match="seeds"):
        paired([1, 2, 3], [1, 2], better="lower")
    with pytest.raises(ValueError, match="'lower' or 'higher'"):
        paired([1], [2], better="smaller")


def test_glue_summary_glues_the_text_and_the_numbers(monkeypatch):
    glued = {}
    monkeypatch.setattr("rnncourse.report.glue", lambda name, value, display=False: glued.update({name: value}))
    s = glue_summary("ch00_mse", [0.1, 0.3], ".2f")
    assert isinstance(s, Summary)
    assert glued["ch00_mse"] == "0.20 ± 0.14 (2 seeds)"
    assert glued["ch00_mse_max"] == 0.3 and glued["ch00_mse_n"] == 2
    assert set(glued) == {"ch00_mse", "ch00_mse_mean", "ch00_mse_sd", "ch00_mse_min", "ch00_mse_max", "ch00_mse_n"}


def test_seeds_table_shows_mean_and_sd_or_every_seed():
    results = {"RNN": {"T = 10": [0.1, 0.3], "T = 25": "0 of 2 solved"}, "GRU": {"T = 10": [0.2, 0.2]}}
    table = seeds_table(results, ".2f", corner="cell")
    assert table.splitlines() == [
        "| cell | T = 10 | T = 25 |",
        "|---|---:|---:|",
        "| RNN | 0.20 ± 0.14 | 0 of 2 solved |",
        "| GRU | 0.20 ± 0.00 |  |",
    ]
    assert "| RNN | 0.10, 0.30 |" in seeds_table(results, ".2f", per_seed=True)
    with pytest.raises(ValueError):
        seeds_table({})
