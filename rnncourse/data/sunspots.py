"""Monthly sunspot numbers and the tools to forecast a series honestly.

A forecast is trained on the past and judged on the future: split the series
in time order (:func:`chronological_split`), fit the scaler on the training
part only (:class:`Standardizer`), then cut each part into windows
(:func:`make_windows`)::

    dates, values = load_sunspots()
    train, valid, test = chronological_split(values, (0.7, 0.15, 0.15), context=24)
    scaler = Standardizer().fit(train)
    X_train, Y_train = make_windows(scaler.transform(train), window=24)
"""
from __future__ import annotations

import csv
import io

import numpy as np

from rnncourse.data._files import read_text


def load_sunspots():
    """Zurich monthly mean sunspot numbers, January 1749 to December 1983.

    Source: Andrews & Herzberg (1985), *Data: A Collection of Problems from
    Many Fields for the Student and Research Worker* (Springer), via R. J.
    Hyndman's Time Series Data Library; public factual data. Shipped as
    ``rnncourse/data/files/monthly-sunspots.csv``.

    Returns
    -------
    dates : ndarray ``(2820,)`` of ``datetime64[M]``, ``1749-01`` ... ``1983-12``
    values : ndarray ``(2820,)`` float64, the monthly mean sunspot number
    """
    rows = list(csv.reader(io.StringIO(read_text("monthly-sunspots.csv"))))
    header, rows = rows[0], [r for r in rows[1:] if r]
    if header != ["Month", "Sunspots"]:
        raise ValueError(f"monthly-sunspots.csv must have the columns Month, Sunspots; got {header}")
    dates = np.array([r[0] for r in rows], dtype="datetime64[M]")
    values = np.array([float(r[1]) for r in rows], dtype=np.float64)
    return dates, values


def make_windows(series, window: int, horizon: int = 1):
    """Cut a series into overlapping (input, target) windows for forecasting.

    Window ``k`` reads ``series[k : k + window]`` and predicts the next
    ``horizon`` values ``series[k + window : k + window + horizon]``
    (``horizon=1``: one-step; larger: multi-step).

    Parameters
    ----------
    series : array ``(N,)`` or ``(N, F)`` (``F`` features per step)
    window, horizon : int, at least 1

    Returns
    -------
    X : ndarray ``(K, window)`` (or ``(K, window, F)``), ``K = N - window - horizon + 1``
    Y : ndarray ``(K, horizon)`` (or ``(K, horizon, F)``)

    For a recurrent model, ``X.T[..., None]`` (1-D series) is time-major ``(window, K, 1)``.
    """
    series = np.asarray(series)
    if series.ndim not in (1, 2):
        raise ValueError(f"series must have shape (N,) or (N, F), got shape {series.shape}")
    if window < 1 or horizon < 1:
        raise ValueError(f"window and horizon must be at least 1, got window={window}, horizon={horizon}")
    K = len(series) - window - horizon + 1
    if K < 1:
        raise ValueError(f"series of length {len(series)} is too short for window={window} + horizon={horizon}")
    X = np.stack([series[k : k + window] for k in range(K)])
    Y = np.stack([series[k + window : k + window + horizon] for k in range(K)])
    return X, Y


def chronological_split(series, fractions=(0.7, 0.15, 0.15), context: int = 0):
    """Split a series in time order into consecutive parts (train, validation, test, ...).

    The targets of part ``j`` are its own range of time steps; the parts do not
    overlap, and every later part starts after every earlier one ends, so no
    future value ever becomes a training target. With ``context=window``, each
    later part is returned with the ``window`` steps before it prepended (as
    inputs only: the past is known when forecasting), so that
    ``make_windows(part, window, horizon)`` yields windows whose targets all lie
    in that part, and no step's target is lost at the boundaries.

    Parameters
    ----------
    series : array ``(N, ...)``
    fractions : sequence of positive floats summing to 1, one per part
    context : int, steps of the previous part to prepend to each later part

    Returns
    -------
    list of arrays, one per part. Tip: split ``np.arange(N)`` the same way to
    see which time steps each part and each window uses.
    """
    series = np.asarray(series)
    fractions = np.asarray(fractions, dtype=float)
    if fractions.ndim != 1 or len(fractions) < 2 or (fractions <= 0).any() or abs(fractions.sum() - 1) > 1e-9:
        raise ValueError(f"fractions must be two or more positive numbers summing to 1, got {fractions.tolist()}")
    N = len(series)
    cuts = np.rint(np.cumsum(fractions) * N).astype(int)
    starts = np.concatenate([[0], cuts[:-1]])
    if (cuts - starts <= 0).any() or (starts[1:] < context).any():
        raise ValueError(f"a series of {N} steps is too short for fractions {fractions.tolist()} and context={context}")
    return [series[start - context if j else 0 : stop] for j, (start, stop) in enumerate(zip(starts, cuts))]


class Standardizer:
    """Shift and scale to zero mean and unit variance, with statistics from ``fit`` only.

    Fit it on the training part, then transform every part with the training
    statistics, so that nothing about the validation or test data leaks into
    the model. ``axis=None`` uses one mean and standard deviation for all
    values; ``axis=0`` one per feature (columns).
    """

    def __init__(self, axis: int | None = None):
        self.axis = axis
        self.mean = self.std = None

    def fit(self, x) -> "Standardizer":
        x = np.asarray(x, dtype=np.float64)
        self.mean, self.std = x.mean(axis=self.axis), x.std(axis=self.axis)
        if np.any(self.std == 0):
            raise ValueError("cannot standardize: the data given to fit() are constant (standard deviation 0)")
        return self

    def _check_fitted(self):
        if self.mean is None:
            raise RuntimeError("Standardizer is not fitted: call fit(train) first")

    def transform(self, x):
        """``(x - mean) / std``."""
        self._check_fitted()
        return (np.asarray(x) - self.mean) / self.std

    def inverse_transform(self, z):
        """``z * std + mean``, back to the original units."""
        self._check_fitted()
        return np.asarray(z) * self.std + self.mean

    def __repr__(self) -> str:
        if self.mean is None:
            return "Standardizer(not fitted)"
        return f"Standardizer(mean={np.round(self.mean, 4)}, std={np.round(self.std, 4)})"
