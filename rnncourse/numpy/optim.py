"""Optimizers and gradient clipping over ``params``/``grads`` dicts.

An optimizer holds the ``params`` dict it was built with and updates its
arrays in place, name by name, from the ``grads`` dict given to ``step``;
several layers train together through merged dicts (their keys differ)::

    params = {**rnn.params, **out.params}
    opt = Adam(params, lr=1e-3)
    ...                                   # forward, loss, backward
    clip_grad_norm({**rnn.grads, **out.grads}, 5.0)
    opt.step({**rnn.grads, **out.grads})

The formulas are PyTorch's (``torch.optim.SGD``, ``Adagrad``, ``Adam``
without weight decay), so that both give the same steps.
"""
from __future__ import annotations

import numpy as np

from rnncourse._checks import check_finite, check_shape


class Optimizer:
    """Base class: checks ``grads`` against ``params``, then ``_update`` each array in place."""

    def __init__(self, params: dict, lr: float):
        if not isinstance(params, dict) or not params:
            raise TypeError(f"params must be a non-empty dict of arrays, got {type(params).__name__}")
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr}")
        self.params, self.lr = params, lr
        self.state = {name: {} for name in params}  # per-parameter buffers
        self.t = 0  # steps taken

    def step(self, grads: dict):
        """Update every array of ``params`` in place from ``grads`` (same keys and shapes)."""
        if not isinstance(grads, dict) or grads.keys() != self.params.keys():
            given = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
            raise ValueError(f"grads must have the keys of params {sorted(self.params)}, got {given}")
        for name, g in grads.items():
            check_shape(g, self.params[name].shape, f"grads[{name!r}]")
            check_finite(g, f"grads[{name!r}]")
        self.t += 1
        for name, p in self.params.items():
            self._update(p, grads[name], self.state[name])

    def _update(self, p, g, state):
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with momentum ``mu``: ``v = mu v + g;  p -= lr v``."""

    def __init__(self, params: dict, lr: float = 0.1, momentum: float = 0.0):
        super().__init__(params, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must lie in [0, 1), got {momentum}")
        self.momentum = momentum

    def _update(self, p, g, state):
        if self.momentum:
            v = state.setdefault("v", np.zeros_like(p))
            v *= self.momentum
            v += g
            g = v
        p -= self.lr * g


class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011): ``G += g^2;  p -= lr g / (sqrt(G) + eps)``."""

    def __init__(self, params: dict, lr: float = 1e-2, eps: float = 1e-10):
        super().__init__(params, lr)
        self.eps = eps

    def _update(self, p, g, state):
        G = state.setdefault("G", np.zeros_like(p))
        G += g * g
        p -= self.lr * g / (np.sqrt(G) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), with bias correction at step ``t`` (from 1).

    ``m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;``
    ``p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)``.
    """

    def __init__(self, params: dict, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"betas must lie in [0, 1), got {betas}")
        self.betas, self.eps = betas, eps

    def _update(self, p, g, state):
        b1, b2 = self.betas
        m = state.setdefault("m", np.zeros_like(p))
        v = state.setdefault("v", np.zeros_like(p))
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        m_hat = m / (1 - b1**self.t)
        v_hat = v / (1 - b2**self.t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def global_norm(grads: dict) -> float:
    """``sqrt(sum of squares)`` of all the arrays in ``grads``, as one vector."""
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads.values())))


def clip_grad_norm(grads: dict, max_norm: float) -> float:
    """Rescale all ``grads`` in place so that their global norm is at most ``max_norm``.

    When the norm ``N`` exceeds ``max_norm``, every gradient is multiplied by
    ``max_norm / N`` (the direction is kept); otherwise nothing changes.
    Returns ``N``, the norm before clipping.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    norm = global_norm(grads)
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


def clip_grad_value(grads: dict, clip_value: float) -> float:
    """Clip every entry of ``grads`` in place to ``[-clip_value, clip_value]``.

    Unlike clipping by norm, this changes the direction. Returns the global
    norm before clipping.
    """
    if not clip_value > 0:
        raise ValueError(f"clip_value must be positive, got {clip_value}")
    norm = global_norm(grads)
    for g in grads.values():
        np.clip(g, -clip_value, clip_value, out=g)
    return norm
