"""Gradient checking by central differences.

``f`` is a function of no arguments that returns a scalar loss computed from
arrays it can see (a layer's ``params``, an input ``x``...). The checks nudge
those arrays in place, one entry at a time, and restore them exactly::

    def loss():
        y, h_T = rnn.forward(x)
        return np.sum(w * y)

    rnn.forward(x)
    rnn.backward(w)
    assert gradcheck(loss, rnn.params, rnn.grads) < 1e-7

Use float64: in float32 the differences drown in round-off.
"""
from __future__ import annotations

import numpy as np

from rnncourse._checks import check_dtype, check_shape


def numerical_gradient(f, x, eps: float = 1e-6):
    """Central differences ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every entry ``i``.

    Parameters
    ----------
    f : callable, no arguments -> float
    x : float64 array, perturbed in place (and restored) while ``f`` runs

    Returns
    -------
    array, the shape of ``x``
    """
    check_dtype(x, np.float64, "x")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f()
        x[i] = old - eps
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic, numerical) -> float:
    """``||a - n|| / (||a|| + ||n||)`` over whole arrays (0 when both are 0).

    Below about 1e-7 the two agree to round-off, in float64; a wrong
    backward typically gives 1e-2 or more.
    """
    a, n = np.asarray(analytic, np.float64), np.asarray(numerical, np.float64)
    denominator = np.linalg.norm(a) + np.linalg.norm(n)
    return float(np.linalg.norm(a - n) / denominator) if denominator > 0 else 0.0


def gradcheck(f, params, grads, eps: float = 1e-6) -> float:
    """Relative error between ``grads`` and central differences of ``f``.

    The error is :func:`relative_error` of the whole gradient, all the arrays
    of ``params`` taken as one vector. Central differences are accurate to
    about ``1e-16 |f| / eps`` in absolute terms, so an array whose gradient
    happens to be tiny (a saturated gate) would show a large error of its own
    while the gradient is right; pass one array alone to check just that one.

    Parameters
    ----------
    f : callable, no arguments -> float, reading the arrays of ``params``
    params : float64 array, or dict of them, e.g. ``{**layer.params, "x": x}``
    grads : the analytic gradients, an array or a dict with the same keys and shapes
    eps : float, the step of the central differences

    Returns
    -------
    float
    """
    if not isinstance(params, dict):
        params, grads = {"x": params}, {"x": grads}
    if not isinstance(grads, dict) or grads.keys() != params.keys():
        given = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        raise ValueError(f"grads must have the keys of params {sorted(params)}, got {given}")
    for name, p in params.items():
        check_shape(grads[name], p.shape, f"grads[{name!r}]")
    numerical = [numerical_gradient(f, p, eps).ravel() for p in params.values()]
    analytic = [np.asarray(grads[name]).ravel() for name in params]
    return relative_error(np.concatenate(analytic), np.concatenate(numerical))
