"""Checks for the course's code exercises.

Each checker takes the learner's function, runs it on fresh random inputs
beside the reference, and prints one line when it agrees. When it does not,
it raises :class:`ExerciseError` saying *what* differs (the type, the shape,
which entry or which gradient, and by how much) and, for the usual slips, a
hint (a transposed matrix, a missing bias, gates in the wrong order), without
printing the answer. In a student notebook the check follows the exercise
cell, so the student runs it after each attempt.

Example
-------
>>> from rnncourse import check
>>> check.rnn_step(my_rnn_step)          # doctest: +SKIP
rnn_step: correct on 4 random cases
"""
from __future__ import annotations

import numpy as np


class ExerciseError(AssertionError):
    """The learner's answer differs from the reference; the message says how."""


def agree(name: str, got, expected, *, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Raise :class:`ExerciseError` unless ``got`` matches the array ``expected``.

    The message names the first thing that differs: ``None`` returned, type,
    shape, non-finite entries, or the entry with the largest difference.
    """
    if got is None:
        raise ExerciseError(f"{name} is None: did the function forget to `return`?")
    if not hasattr(got, "shape"):
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise ExerciseError(f"{name} should be an array, got {type(got).__name__}") from None
    got = np.asarray(got)
    if got.shape != np.shape(expected):
        raise ExerciseError(f"{name} has shape {got.shape}, expected {np.shape(expected)}")
    if not np.all(np.isfinite(got)):
        raise ExerciseError(f"{name} contains NaN or infinity")
    diff = np.abs(got - expected)
    if not np.all(diff <= atol + rtol * np.abs(expected)):
        where = np.unravel_index(np.argmax(diff), diff.shape) if diff.ndim else ()
        raise ExerciseError(
            f"{name} differs from the reference: at index {tuple(int(i) for i in where)} it is "
            f"{float(got[where]):.6g}, expected {float(np.asarray(expected)[where]):.6g} "
            f"(largest difference {float(diff.max()):.3g})"
        )


def _hint(name: str, got, slips: dict) -> str:
    """The first usual slip whose result ``got`` reproduces, as a hint, or ``""``."""
    for hint, wrong in slips.items():
        if np.shape(got) == np.shape(wrong) and np.allclose(got, wrong, rtol=1e-6, atol=1e-8):
            return f" Hint: {name} is what you get {hint}."
    return ""


def _compare(name, got, expected, slips=None):
    try:
        agree(name, got, expected)
    except ExerciseError as error:
        raise ExerciseError(str(error) + _hint(name, got, slips or {})) from None


def _passed(what: str, cases: int) -> None:
    print(f"{what}: correct on {cases} random cases")


def _cases(seed: int = 0):
    """Small random shapes ``(B, D, H)``, including the degenerate size 1."""
    rng = np.random.default_rng(seed)
    return rng, [(1, 1, 1), (3, 2, 4), (2, 5, 3), (4, 3, 3)]


# -- chapter 1 ---------------------------------------------------------------

def running_mean(fn) -> None:
    """``fn(x)`` returns the running mean ``m_t`` of a 1-D array ``x``."""
    rng = np.random.default_rng(1)
    xs = [rng.normal(size=n) for n in (1, 2, 50)]
    for x in xs:
        _compare(f"running_mean(x) for len(x) = {len(x)}", fn(x.copy()), np.cumsum(x) / np.arange(1, len(x) + 1),
                 {"dividing by t - 1 or t + 1 instead of t": np.cumsum(x) / np.arange(2, len(x) + 2)})
    _passed("running_mean", len(xs))


def depth(fn) -> None:
    """``fn(s)`` returns, for each character of ``s``, how many brackets are open after it."""
    cases = ["", "()", "((a)b)c", "(a(b)c)d((e))" * 3, "))(("]
    for s in cases:
        expected = np.cumsum([1 if ch == "(" else -1 if ch == ")" else 0 for ch in s], dtype=int)
        _compare(f"depth({s!r})", fn(s), expected)
    _passed("depth", len(cases))


# -- the recurrent steps (chapters 2 and 5) ----------------------------------

def _layer(kind: str, D: int, H: int, **kwargs):
    from rnncourse import numpy as rnp

    return {"rnn": rnp.RNN, "lstm": rnp.LSTM, "gru": rnp.GRU}[kind](D, H, **kwargs)


def rnn_step(fn) -> None:
    """``fn(x_t, h_prev, W_xh, W_hh, b_h)`` returns ``h_t = tanh(W_hh h_prev + W_xh x_t + b_h)``.

    Shapes: ``x_t`` (B, D), ``h_prev`` (B, H), ``W_xh`` (H, D), ``W_hh`` (H, H), ``b_h`` (H,).
    """
    rng, cases = _cases()
    for seed, (B, D, H) in enumerate(cases):
        layer = _layer("rnn", D, H, seed=seed)
        p = layer.params
        x_t, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H))
        expected = layer.forward(x_t[None], h_prev)[1]
        got = fn(x_t.copy(), h_prev.copy(), p["W_xh"].copy(), p["W_hh"].copy(), p["b_h"].copy())
        pre = h_prev @ p["W_hh"].T + x_t @ p["W_xh"].T
        _compare(f"h_t for B={B}, D={D}, H={H}", got, expected, {
            "without the bias b_h": np.tanh(pre),
            "with W_hh transposed (h_prev @ W_hh instead of h_prev @ W_hh.T)": np.tanh(h_prev @ p["W_hh"] + x_t @ p["W_xh"].T + p["b_h"]),
            "without the tanh": pre + p["b_h"],
            "without the recurrent term W_hh h_prev": np.tanh(x_t @ p["W_xh"].T + p["b_h"]),
        })
    _passed("rnn_step", len(cases))


LSTM_GATES = ("i", "f", "g", "o")


def lstm_step(fn) -> None:
    """``fn(x_t, h_prev, c_prev, p)`` returns ``(h_t, c_t)`` of one LSTM step.

    ``p`` holds ``W_xi, W_hi, b_i`` and likewise for the gates ``f``, ``g``, ``o``
    (``W_x*`` (H, D), ``W_h*`` (H, H), ``b_*`` (H,)); ``x_t`` is (B, D), the states (B, H).
    """
    rng, cases = _cases(2)
    for seed, (B, D, H) in enumerate(cases):
        layer = _layer("lstm", D, H, seed=seed)
        p = layer.params
        x_t, h_prev, c_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
        _, (h_t, c_t) = layer.forward(x_t[None], (h_prev, c_prev))
        got = fn(x_t.copy(), h_prev.copy(), c_prev.copy(), {k: v.copy() for k, v in p.items()})
        if not (isinstance(got, tuple) and len(got) == 2):
            raise ExerciseError(f"lstm_step should return the pair (h_t, c_t), got {type(got).__name__}")
        swapped = dict(p)  # the usual slip: the input and forget gates exchanged
        for w in ("W_x", "W_h", "b_"):
            swapped[w + "i"], swapped[w + "f"] = p[w + "f"], p[w + "i"]
        reference = _layer("lstm", D, H)
        reference.params.update(swapped)
        _, (_, c_swapped) = reference.forward(x_t[None], (h_prev, c_prev))
        _compare(f"c_t for B={B}, D={D}, H={H}", got[1], c_t, {"with the input and forget gates exchanged": c_swapped})
        _compare(f"h_t for B={B}, D={D}, H={H}", got[0], h_t)
    _passed("lstm_step", len(cases))


def gradient(fn, f, x, *, eps: float = 1e-6, tol: float = 1e-6) -> None:
    """``fn(x)`` returns the gradient of the scalar function ``f`` at ``x``.

    Compared entry by entry with central differences,
    ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``, by relative error.
    """
    from rnncourse.numpy import numerical_gradient, relative_error

    x = np.array(x, dtype=np.float64)
    got = fn(x.copy())
    expected = numerical_gradient(lambda: f(x), x, eps=eps)
    agree("the gradient", got, expected, rtol=1e-3, atol=1e-6)
    error = relative_error(np.asarray(got), expected)
    if error > tol:
        raise ExerciseError(f"the gradient's relative error against central differences is {error:.2e}, above {tol:.0e}")
    print(f"gradient: relative error {error:.1e} against central differences")
