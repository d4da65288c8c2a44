"""Synthetic tasks, generated from a seed: long-range memory and a toy series.

Each task draws from ``np.random.default_rng(seed)`` (pass an int or a
``np.random.Generator``), so the same seed gives the same data on any machine.
"""
from __future__ import annotations

import numpy as np
import torch


def adding_problem(n: int, T: int, seed=0, dtype=torch.float32):
    """The adding problem at sequence length ``T`` (Hochreiter & Schmidhuber 1997; setup of Le, Jaitly & Hinton 2015).

    Each sequence has two input channels: a value drawn from U(0, 1) at every
    step, and a marker that is 0 except at exactly two steps, one drawn
    uniformly in the first half (``t < T // 2``) and one in the second half.
    The target is the sum of the two marked values. Predicting the mean, 1,
    every time scores a mean squared error of about 1/6 ~ 0.167: the baseline
    a model must beat.

    Returns
    -------
    x : Tensor ``(T, n, 2)``, time-major; ``x[..., 0]`` values, ``x[..., 1]`` markers
    y : Tensor ``(n, 1)``, the sums
    """
    if T < 2 or n < 1:
        raise ValueError(f"the adding problem needs T >= 2 and n >= 1, got T={T}, n={n}")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(T, n))
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    markers = np.zeros((T, n))
    markers[first, np.arange(n)] = 1.0
    markers[second, np.arange(n)] = 1.0
    x = np.stack([values, markers], axis=-1)
    y = (values * markers).sum(axis=0)[:, None]
    return torch.as_tensor(x, dtype=dtype), torch.as_tensor(y, dtype=dtype)


def copy_task(n: int, T: int, seed=0, n_symbols: int = 8, length: int = 10):
    """The copy (memory) task at lag ``T`` (Hochreiter & Schmidhuber 1997; setup of Arjovsky, Shah & Bengio 2016).

    Ids: ``0`` blank, ``1 .. n_symbols`` symbols, ``n_symbols + 1`` delimiter
    (so ``n_symbols + 2`` ids in all). Each input sequence is ``length``
    random symbols, then ``T - 1`` blanks, then the delimiter, then ``length``
    blanks, during which the model must output the symbols in order:
    ``T + 2 * length`` steps, each symbol recalled ``T + length`` steps after it
    was seen. Guessing at random gets a cross-entropy of ``log(n_symbols)``.

    Returns
    -------
    x : LongTensor ``(T + 2 * length, n)``, time-major ids
    y : LongTensor ``(length, n)``, the symbols, the targets of the last ``length`` steps
    """
    if T < 1 or n < 1 or length < 1 or n_symbols < 1:
        raise ValueError(f"copy_task needs n, T, n_symbols, length >= 1, got n={n}, T={T}, "
                         f"n_symbols={n_symbols}, length={length}")
    rng = np.random.default_rng(seed)
    symbols = rng.integers(1, n_symbols + 1, size=(length, n))
    x = np.zeros((T + 2 * length, n), dtype=np.int64)
    x[:length] = symbols
    x[length + T - 1] = n_symbols + 1  # the delimiter: "now copy"
    return torch.as_tensor(x), torch.as_tensor(symbols, dtype=torch.long)


def noisy_sine(T: int = 500, n: int | None = None, period: float = 50.0, noise: float = 0.1, seed=0):
    """A sine wave of the given ``period`` (in steps) plus Gaussian noise of standard deviation ``noise``.

    With ``n=None``: one series of phase 0, ``y`` ``(T,)``. With an int ``n``:
    ``n`` series with phases drawn from U(0, 2 pi), time-major ``y`` ``(T, n)``.

    Returns
    -------
    t : ndarray ``(T,)`` float64, the steps ``0 .. T-1``
    y : ndarray ``(T,)`` or ``(T, n)`` float64
    """
    if T < 1 or (n is not None and n < 1) or period <= 0 or noise < 0:
        raise ValueError(f"noisy_sine needs T >= 1, n >= 1, period > 0, noise >= 0, got T={T}, n={n}, "
                         f"period={period}, noise={noise}")
    rng = np.random.default_rng(seed)
    t = np.arange(T, dtype=np.float64)
    if n is None:
        return t, np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(T)
    phase = rng.uniform(0.0, 2 * np.pi, size=n)
    return t, np.sin(2 * np.pi * t[:, None] / period + phase) + noise * rng.standard_normal((T, n))
