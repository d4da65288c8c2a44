"""The output layer ``y_t = W_hy h_t + b_y``, applied at every step."""
from __future__ import annotations

import numpy as np

from rnncourse._checks import check_dtype, check_finite, check_floating, check_shape
from rnncourse.numpy._layer import check_size, float_dtype


class Output:
    """Affine read-out of the hidden states, the same weights at every step.

    Parameters
    ----------
    hidden_size, output_size : int
        ``H`` and ``O``.
    seed : int or numpy Generator seed
        Initialisation, uniform in +-1/sqrt(H) like ``torch.nn.Linear``.
    dtype : np.float64 (default) or np.float32

    ``params``/``grads``: ``W_hy`` (O, H) and ``b_y`` (O,).
    """

    def __init__(self, hidden_size: int, output_size: int, *, seed=0, dtype=np.float64):
        self.hidden_size = check_size(hidden_size, "hidden_size")
        self.output_size = check_size(output_size, "output_size")
        self.dtype = float_dtype(dtype)
        rng = np.random.default_rng(seed)
        bound = 1 / np.sqrt(self.hidden_size)
        self.params = {
            "W_hy": rng.uniform(-bound, bound, (self.output_size, self.hidden_size)).astype(self.dtype),
            "b_y": rng.uniform(-bound, bound, self.output_size).astype(self.dtype),
        }
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._cache = None

    def __repr__(self):
        return f"Output(hidden_size={self.hidden_size}, output_size={self.output_size}, dtype={self.dtype})"

    def forward(self, h):
        """``y = h W_hy^T + b_y``.

        Parameters
        ----------
        h : array (..., H), e.g. (T, B, H) or (B, H), the layer's dtype

        Returns
        -------
        y : array (..., O)
        """
        check_floating(h, "h")
        check_shape(h, (None,) * (h.ndim - 1) + (self.hidden_size,), "h")
        check_dtype(h, self.dtype, "h")
        check_finite(h, "h")
        W_hy, b_y = self.params["W_hy"].copy(), self.params["b_y"]  # backward uses this W_hy
        self._cache = (h, W_hy)
        return h @ W_hy.T + b_y

    def backward(self, dy):
        """Gradients from ``dy`` (the shape of ``y``): fills ``grads``, returns ``dh``."""
        if self._cache is None:
            raise RuntimeError("Output.backward() was called before forward(): there is no cache")
        h, W_hy = self._cache
        check_floating(dy, "dy")
        check_shape(dy, h.shape[:-1] + (self.output_size,), "dy")
        check_dtype(dy, self.dtype, "dy")
        check_finite(dy, "dy")
        d2, h2 = dy.reshape(-1, self.output_size), h.reshape(-1, self.hidden_size)
        self.grads["W_hy"][...] = d2.T @ h2  # sum over all steps and sequences
        self.grads["b_y"][...] = d2.sum(axis=0)
        return dy @ W_hy
