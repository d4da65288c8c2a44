"""The vanilla (Elman) RNN layer in NumPy, with hand-written backpropagation through time."""
from __future__ import annotations

import numpy as np

from rnncourse.numpy._layer import RecurrentLayer, sum_outer


class RNN(RecurrentLayer):
    r"""Vanilla recurrent layer (Elman 1990).

    .. math:: h_t = \phi(W_{xh} x_t + W_{hh} h_{t-1} + b_h), \quad \phi = \tanh \text{ or relu}

    Parameters
    ----------
    input_size, hidden_size : int
        ``D`` and ``H``.
    nonlinearity : "tanh" (default) or "relu"
    seed : int or numpy Generator seed
        Initialisation, uniform in +-1/sqrt(H) like ``torch.nn.RNN``.
    dtype : np.float64 (default) or np.float32

    ``params``/``grads``: ``W_xh`` (H, D), ``W_hh`` (H, H), ``b_h`` (H,).
    The state is ``h``, an array (B, H).
    """

    torch_name = "RNN"
    x_weights, h_weights, biases = ("W_xh",), ("W_hh",), ("b_h",)

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh", *, seed=0, dtype=np.float64):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)

    def __repr__(self):
        return super().__repr__()[:-1] + f", nonlinearity={self.nonlinearity!r})"

    @classmethod
    def _kwargs_from_torch(cls, module):
        return {"nonlinearity": module.nonlinearity}

    def _kwargs_to_torch(self):
        return {"nonlinearity": self.nonlinearity}

    def _forward(self, x, h_0):
        T, B, D = x.shape
        H = self.hidden_size
        # Copies, so that backward uses the weights of this forward.
        W_xh, W_hh, b_h = (self.params[name].copy() for name in ("W_xh", "W_hh", "b_h"))
        # h[t] is h_t. It first holds the input part W_xh x_t + b_h of the
        # pre-activation a_t, all steps in one product; the loop adds W_hh h_{t-1}
        # and applies phi in place.
        h = np.empty((T + 1, B, H), self.dtype)
        h[0] = h_0
        h[1:] = (x.reshape(T * B, D) @ W_xh.T).reshape(T, B, H)
        h[1:] += b_h
        W_hh_T = W_hh.T.copy()  # contiguous for the product
        Whh_h = np.empty((B, H), self.dtype)  # buffer for W_hh h_{t-1}
        for t in range(1, T + 1):
            h[t] += np.matmul(h[t - 1], W_hh_T, out=Whh_h)
            if self.nonlinearity == "tanh":
                np.tanh(h[t], out=h[t])
            else:
                np.maximum(h[t], 0, out=h[t])
        self._cache = {"x": x, "h": h, "W_xh": W_xh, "W_hh": W_hh}
        return h[1:], (h[T].copy(),)

    def _backward(self, dy, dh_T, k):
        x, h, W_xh, W_hh = (self._cache[key] for key in ("x", "h", "W_xh", "W_hh"))
        T = len(x)
        s = T - k  # steps s+1 .. T are backpropagated; h_s is a constant when s > 0
        # phi'(a_t) from h_t = phi(a_t): 1 - h_t^2 for tanh, [h_t > 0] for relu;
        # for all kept steps at once, as it does not depend on the upstream gradient.
        dphi = 1 - h[s + 1 :] ** 2 if self.nonlinearity == "tanh" else (h[s + 1 :] > 0).astype(self.dtype)
        da = np.empty_like(dphi)  # da[t-1-s]: gradient of a_t = W_xh x_t + W_hh h_{t-1} + b_h
        dh = dh_T.copy()  # gradient of h_t from step t+1 (or dstate)
        for t in range(T, s, -1):
            dh += dy[t - 1]  # dL/dh_t
            np.multiply(dh, dphi[t - 1 - s], out=da[t - 1 - s])
            np.matmul(da[t - 1 - s], W_hh, out=dh)  # dL/dh_{t-1}
        self.grads["W_hh"][...] = sum_outer(da, h[s:T])
        self.grads["b_h"][...] = da.sum(axis=(0, 1))
        return self._input_grads(da, x, W_xh), (dh,)
