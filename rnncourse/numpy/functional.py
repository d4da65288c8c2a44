"""Activations and losses, numerically stable, with their gradients.

Every function takes NumPy arrays and keeps their dtype. The losses return
``(loss, gradient)``: the mean loss as a Python float and the gradient of that
mean with respect to the prediction, ready for the layer's ``backward``.
"""
from __future__ import annotations

import numpy as np

from rnncourse._checks import check_finite, check_floating, check_integer, check_shape


def sigmoid(a, out=None):
    """Logistic function ``1 / (1 + exp(-a))``, elementwise.

    Computed as ``(1 + tanh(a / 2)) / 2``, which is the same function but never
    overflows (``exp(-a)`` does for ``a < -709`` in float64, ``-88`` in float32)
    and saturates cleanly to exactly 0 and 1. ``out`` may be ``a`` itself.
    """
    if out is None:  # a new array, or a scalar for a scalar ``a``
        return 0.5 + 0.5 * np.tanh(0.5 * np.asarray(a))
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def tanh(a, out=None):
    """Hyperbolic tangent, elementwise: ``np.tanh``, already stable (saturates to +-1)."""
    return np.tanh(a, out=out)


def relu(a, out=None):
    """Rectified linear unit ``max(a, 0)``, elementwise."""
    return np.maximum(a, 0, out=out)


def log_softmax(logits, axis: int = -1):
    """``log softmax(logits)`` along ``axis``, stable for any finite logits.

    Shifts by the maximum first, so that the largest exponent is ``exp(0) = 1``.
    """
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(logits, axis: int = -1):
    """``exp(logits) / sum(exp(logits))`` along ``axis``, stable for any finite logits."""
    e = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_cross_entropy(logits, targets):
    """Mean cross-entropy of ``softmax(logits)`` against class indices, and its gradient.

    Parameters
    ----------
    logits : array (..., O), floating
        Unnormalised scores, e.g. ``y`` of shape ``(T, B, O)`` or ``(B, O)``.
    targets : integer array (...)
        Class indices in ``[0, O)``, the shape of ``logits`` without its last axis.

    Returns
    -------
    loss : float
        ``-mean(log softmax(logits)[..., targets])`` over all positions.
    dlogits : array (..., O)
        ``(softmax(logits) - onehot(targets)) / N`` with ``N`` the number of positions.
    """
    check_floating(logits, "logits")
    check_finite(logits, "logits")
    check_integer(targets, "targets")
    check_shape(targets, logits.shape[:-1], "targets")
    O = logits.shape[-1]
    if targets.size and (targets.min() < 0 or targets.max() >= O):
        raise ValueError(f"targets must lie in [0, {O}) (O={O} classes), got values in [{targets.min()}, {targets.max()}]")
    log_p = log_softmax(logits).reshape(-1, O)
    rows = np.arange(log_p.shape[0])
    flat_targets = targets.reshape(-1)
    N = log_p.shape[0]
    loss = -log_p[rows, flat_targets].sum() / N
    dlogits = np.exp(log_p)
    dlogits[rows, flat_targets] -= 1
    dlogits /= N
    return float(loss), dlogits.reshape(logits.shape)


def mse(pred, target):
    """Mean squared error over all entries, and its gradient.

    Parameters
    ----------
    pred, target : arrays of the same shape, floating

    Returns
    -------
    loss : float
        ``mean((pred - target) ** 2)``.
    dpred : array, shape of ``pred``
        ``2 (pred - target) / N`` with ``N = pred.size``.
    """
    check_floating(pred, "pred")
    check_floating(target, "target")
    check_shape(target, pred.shape, "target")
    check_finite(pred, "pred")
    check_finite(target, "target")
    diff = pred - target
    return float(np.mean(diff**2)), diff * (2 / diff.size)
