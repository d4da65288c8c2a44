"""The GRU layer in NumPy, both variants, with hand-written backpropagation through time."""
from __future__ import annotations

import numpy as np

from rnncourse.numpy._layer import RecurrentLayer, gate_views, sum_outer
from rnncourse.numpy.functional import sigmoid


class GRU(RecurrentLayer):
    r"""Gated recurrent unit (Cho et al. 2014), in PyTorch's convention for ``z_t``.

    .. math::
        r_t &= \sigma(W_{xr} x_t + W_{hr} h_{t-1} + b_r) \\
        z_t &= \sigma(W_{xz} x_t + W_{hz} h_{t-1} + b_z) \\
        n_t &= \tanh(W_{xn} x_t + b_{xn} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
        n_t &= \tanh(W_{xn} x_t + W_{hn} (r_t \odot h_{t-1}) + b_n) \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    The first line for ``n_t`` is ``reset_after=True``, the reset gate after the
    product, PyTorch's and cuDNN's form; the second is ``reset_after=False``,
    the reset gate before it, as in Cho et al. (2014).

    ``params``/``grads``: ``W_xr, W_hr, b_r, W_xz, W_hz, b_z, W_xn, W_hn`` and
    ``b_xn, b_hn`` (reset_after=True) or ``b_n`` (False); ``W_x*`` are H x D,
    ``W_h*`` H x H, ``b_*`` H. The state is ``h``, an array (B, H). Forward
    stacks the gates in PyTorch's order ``r, z, n``: ``W_x`` (3H, D), ``W_h`` (3H, H).

    Parameters
    ----------
    input_size, hidden_size : int
        ``D`` and ``H``.
    reset_after : bool
        Where the reset gate acts, see above. Only ``True`` converts to ``torch.nn.GRU``.
    seed : int or numpy Generator seed
        Initialisation, uniform in +-1/sqrt(H) like ``torch.nn.GRU``.
    dtype : np.float64 (default) or np.float32
    """

    torch_name = "GRU"
    x_weights = ("W_xr", "W_xz", "W_xn")
    h_weights = ("W_hr", "W_hz", "W_hn")

    def __init__(self, input_size: int, hidden_size: int, reset_after: bool = True, *, seed=0, dtype=np.float64):
        if not isinstance(reset_after, bool):
            raise TypeError(f"reset_after must be True or False, got {reset_after!r}")
        self.reset_after = reset_after
        self.biases = ("b_r", "b_z", ("b_xn", "b_hn") if reset_after else "b_n")
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)

    def __repr__(self):
        return super().__repr__()[:-1] + f", reset_after={self.reset_after})"

    def _kwargs_to_torch(self):
        if not self.reset_after:
            raise ValueError(
                "GRU.to_torch needs reset_after=True: torch.nn.GRU applies the reset gate after "
                "the product (W_hn h + b_hn); this layer has reset_after=False, which torch lacks"
            )
        return {}

    def _forward(self, x, h_0):
        T, B, D = x.shape
        H = self.hidden_size
        W_x, W_h = self._stack(self.x_weights), self._stack(self.h_weights)
        b_x = self._stack(("b_r", "b_z", "b_xn" if self.reset_after else "b_n"))
        # Input parts of the pre-activations of r, z, n, all steps in one product.
        a_x = (x.reshape(T * B, D) @ W_x.T).reshape(T, B, 3 * H)
        a_x += b_x
        h = np.empty((T + 1, B, H), self.dtype)  # h[t] is h_t, h[0] = h_0
        h[0] = h_0
        rz = np.empty((T, B, 2 * H), self.dtype)  # rz[t-1] holds r_t, z_t
        n = np.empty((T, B, H), self.dtype)  # n[t-1] is n_t
        # What the reset gate multiplies: reset_after, hn[t-1] = W_hn h_{t-1} + b_hn;
        # otherwise hn[t-1] = r_t h_{t-1}, the input of W_hn.
        hn = np.empty((T, B, H), self.dtype)
        W_h_T = W_h.T.copy()  # (H, 3H), contiguous for the products
        b_hn = self.params["b_hn"] if self.reset_after else None
        Wh_h = np.empty((B, 3 * H), self.dtype)  # buffer for W_h h_{t-1}
        for t in range(1, T + 1):
            h_prev = h[t - 1]
            r_t, z_t = gate_views(rz[t - 1], 2)
            if self.reset_after:
                np.matmul(h_prev, W_h_T, out=Wh_h)
                np.add(a_x[t - 1, :, : 2 * H], Wh_h[:, : 2 * H], out=rz[t - 1])
                sigmoid(rz[t - 1], out=rz[t - 1])
                np.add(Wh_h[:, 2 * H :], b_hn, out=hn[t - 1])
                np.multiply(r_t, hn[t - 1], out=n[t - 1])  # r_t (W_hn h_{t-1} + b_hn)
            else:
                np.matmul(h_prev, W_h_T[:, : 2 * H], out=Wh_h[:, : 2 * H])
                np.add(a_x[t - 1, :, : 2 * H], Wh_h[:, : 2 * H], out=rz[t - 1])
                sigmoid(rz[t - 1], out=rz[t - 1])
                np.multiply(r_t, h_prev, out=hn[t - 1])
                np.matmul(hn[t - 1], W_h_T[:, 2 * H :], out=n[t - 1])  # W_hn (r_t h_{t-1})
            n[t - 1] += a_x[t - 1, :, 2 * H :]
            np.tanh(n[t - 1], out=n[t - 1])
            np.subtract(h_prev, n[t - 1], out=h[t])
            h[t] *= z_t
            h[t] += n[t - 1]  # h_t = n_t + z_t (h_{t-1} - n_t)
        self._cache = {"x": x, "h": h, "rz": rz, "n": n, "hn": hn, "W_x": W_x, "W_h": W_h}
        return h[1:], (h[T].copy(),)

    def _backward(self, dy, dh_T, k):
        x, h, rz, n, hn, W_h = (self._cache[key] for key in ("x", "h", "rz", "n", "hn", "W_h"))
        T, B = x.shape[:2]
        H = self.hidden_size
        s = T - k  # steps s+1 .. T are backpropagated; h_s is a constant when s > 0
        # da[t-1-s] holds the gradients of the pre-activations of r_t, z_t, n_t
        # (the x side); da_h[t-1-s] those of W_h h_{t-1} (+ b_hn): they differ on n.
        da = np.empty((k, B, 3 * H), self.dtype)
        da_h = np.empty((k, B, 3 * H), self.dtype) if self.reset_after else None
        drz_da, dh_z, dn = (np.empty((B, w), self.dtype) for w in (2 * H, H, H))  # buffers
        dh = dh_T.copy()  # gradient of h_t from step t+1 (or dstate)
        for t in range(T, s, -1):
            j = t - 1 - s
            h_prev, n_t, hn_t = h[t - 1], n[t - 1], hn[t - 1]
            r_t, z_t = gate_views(rz[t - 1], 2)
            da_r, da_z, da_n = gate_views(da[j], 3)
            dh += dy[t - 1]  # dL/dh_t; h_t = n_t + z_t (h_{t-1} - n_t)
            np.multiply(dh, z_t, out=dh_z)  # the direct path to h_{t-1}
            np.subtract(dh, dh_z, out=dn)  # dL/dn_t = dh (1 - z_t)
            np.subtract(h_prev, n_t, out=da_z)
            da_z *= dh  # dL/dz_t
            np.square(n_t, out=da_n)
            np.subtract(1, da_n, out=da_n)
            da_n *= dn  # dL/da_n = dn (1 - n_t^2)
            np.subtract(1, rz[t - 1], out=drz_da)
            drz_da *= rz[t - 1]  # sigma' = sigma (1 - sigma), for r_t and z_t at once
            if self.reset_after:
                np.multiply(da_n, hn_t, out=da_r)  # dL/dr_t
                da[j, :, : 2 * H] *= drz_da
                da_h[j, :, : 2 * H] = da[j, :, : 2 * H]
                np.multiply(da_n, r_t, out=da_h[j, :, 2 * H :])  # gradient of W_hn h_{t-1} + b_hn
                np.matmul(da_h[j], W_h, out=dh)
            else:
                d_rh = da_n @ W_h[2 * H :]  # gradient of r_t h_{t-1}
                np.multiply(d_rh, h_prev, out=da_r)  # dL/dr_t
                da[j, :, : 2 * H] *= drz_da
                np.matmul(da[j, :, : 2 * H], W_h[: 2 * H], out=dh)
                dh += np.multiply(d_rh, r_t, out=d_rh)
            dh += dh_z  # dL/dh_{t-1}
        if self.reset_after:
            self._store_grads(self.h_weights, sum_outer(da_h, h[s:T]))
            self.grads["b_hn"][...] = da_h[..., 2 * H :].sum(axis=(0, 1))
        else:
            self._store_grads(self.h_weights[:2], sum_outer(da[..., : 2 * H], h[s:T]))
            self.grads["W_hn"][...] = sum_outer(da[..., 2 * H :], hn[s:])
        self._store_grads(("b_r", "b_z", "b_xn" if self.reset_after else "b_n"), da.sum(axis=(0, 1)))
        return self._input_grads(da, x, self._cache["W_x"]), (dh,)
