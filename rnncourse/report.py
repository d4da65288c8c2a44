"""What a chapter prints and asserts about results over seeds.

A comparison of trained models shows its spread: the mean and the sample
standard deviation (``ddof=1``) over the seeds, with the smallest and the
largest value and the number of seeds, or every seed's value; a comparison of
two models is made seed by seed (paired), and says on how many seeds one of
them wins.

>>> s = summarize([13.31, 13.45, 13.38, 13.52, 13.34])
>>> f"{s:.2f}"
'13.40 ± 0.09 (5 seeds)'
>>> d = paired([0.10, 0.12, 0.09], [0.20, 0.18, 0.25], better="lower")
>>> d.wins, d.n
(3, 3)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnncourse._checks import check_finite, check_shape
from rnncourse.book import glue

__all__ = ["Summary", "Paired", "summarize", "paired", "glue_summary", "seeds_table"]


def _values(values, name: str = "values") -> np.ndarray:
    try:
        x = np.asarray([float(v) for v in np.ravel(np.asarray(values, dtype=object))])
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be numbers, one per seed, got {values!r}") from error
    if x.size == 0:
        raise ValueError(f"{name} must hold at least one value, got none")
    check_finite(x, name)
    return x


@dataclass(frozen=True)
class Summary:
    """Mean, sample standard deviation (``ddof=1``), min, max and count of results over seeds.

    ``format(summary, ".2f")`` (or ``f"{summary:.2f}"``) gives
    ``"13.40 ± 0.09 (5 seeds)"``; one seed gives ``"13.40 (1 seed)"`` and
    ``sd`` is ``nan``. ``values`` keeps every seed's result, in order.
    """

    mean: float
    sd: float
    min: float
    max: float
    n: int
    values: tuple

    def __format__(self, spec: str) -> str:
        spec = spec or ".3g"
        seeds = f"({self.n} seed{'s' if self.n != 1 else ''})"
        if self.n == 1:
            return f"{format(self.mean, spec)} {seeds}"
        return f"{format(self.mean, spec)} ± {format(self.sd, spec)} {seeds}"

    def __str__(self) -> str:
        return format(self, "")

    def range(self, spec: str = ".3g") -> str:
        """``"min to max"``, e.g. ``"0.025 to 0.043"``."""
        return f"{format(self.min, spec)} to {format(self.max, spec)}"


def summarize(values) -> Summary:
    """The :class:`Summary` of one result per seed (a list, an array or a tensor of numbers).

    Raises ``ValueError`` for no values, NaN or infinity (count a failure
    separately, e.g. "solved on 3 of 5 seeds", rather than averaging it).
    """
    x = _values(values)
    sd = float(np.std(x, ddof=1)) if x.size > 1 else float("nan")
    return Summary(float(x.mean()), sd, float(x.min()), float(x.max()), int(x.size), tuple(float(v) for v in x))


@dataclass(frozen=True)
class Paired:
    """A seed-by-seed comparison of results ``a`` and ``b`` (see :func:`paired`).

    Attributes
    ----------
    differences : ndarray ``(n,)``, ``a - b`` seed by seed
    summary : :class:`Summary` of the differences
    wins : int, the seeds on which ``a`` is strictly better than ``b``
    ties : int, the seeds on which they are equal
    n : int, the number of seeds
    better : ``"lower"`` or ``"higher"``, which way is better
    """

    differences: np.ndarray
    summary: Summary
    wins: int
    ties: int
    n: int
    better: str

    @property
    def always(self) -> bool:
        """Whether ``a`` is better on every seed."""
        return self.wins == self.n

    def __format__(self, spec: str) -> str:
        return f"{format(self.summary, spec)}, better on {self.wins} of {self.n} seeds"


def paired(a, b, better: str) -> Paired:
    """Compare results ``a`` and ``b`` seed by seed: ``a[i]`` and ``b[i]`` come from the same seed.

    ``better`` says which way is better: ``"lower"`` (a loss, an error) or
    ``"higher"`` (an accuracy). Raises ``ValueError`` when the two do not hold
    one value per seed each, for the same number of seeds.
    """
    if better not in ("lower", "higher"):
        raise ValueError(f"better must be 'lower' or 'higher', got {better!r}")
    x, y = _values(a, "a"), _values(b, "b")
    check_shape(y, x.shape, "b", names=("seeds",))
    d = x - y
    wins = int(np.sum(d < 0) if better == "lower" else np.sum(d > 0))
    return Paired(d, summarize(d), wins, int(np.sum(d == 0)), int(d.size), better)


def glue_summary(name: str, values, spec: str = ".3g") -> Summary:
    """Glue the results over seeds for the prose, and return their :class:`Summary`.

    ``name`` is the text ``"13.40 ± 0.09 (5 seeds)"`` (formatted with
    ``spec``); ``name_mean``, ``name_sd``, ``name_min``, ``name_max`` and
    ``name_n`` are the numbers, each for a glue role of its own with a
    format of its own.
    """
    s = summarize(values)
    glue(name, format(s, spec))
    for field in ("mean", "sd", "min", "max", "n"):
        glue(f"{name}_{field}", getattr(s, field))
    return s


def seeds_table(results: dict, spec: str = ".3g", per_seed: bool = False, corner: str = "") -> str:
    """A Markdown table of results over seeds: ``results[row][column]`` is one value per seed.

    Each cell is ``mean ± sd`` (``per_seed=False``) or every seed's value,
    separated by commas; a cell that is not a list of numbers (a string such
    as ``"3 of 5 solved"``) is shown as it is. Display it with
    ``IPython.display.Markdown``.
    """
    if not results:
        raise ValueError("results must hold at least one row")
    columns = list(dict.fromkeys(c for row in results.values() for c in row))

    def cell(values):
        if values is None:
            return ""
        if isinstance(values, str):
            return values
        if per_seed:
            return ", ".join(format(v, spec) for v in _values(values))
        s = summarize(values)
        return format(s.mean, spec) if s.n == 1 else f"{format(s.mean, spec)} ± {format(s.sd, spec)}"

    lines = ["| " + " | ".join([corner] + [str(c) for c in columns]) + " |",
             "|---" + "|---:" * len(columns) + "|"]
    for label, row in results.items():
        lines.append("| " + " | ".join([str(label)] + [cell(row.get(c)) for c in columns]) + " |")
    return "\n".join(lines)
