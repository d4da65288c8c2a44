"""The LSTM layer in NumPy, with hand-written backpropagation through time."""
from __future__ import annotations

import numpy as np

from rnncourse.numpy._layer import RecurrentLayer, gate_views, sum_outer
from rnncourse.numpy.functional import sigmoid


class LSTM(RecurrentLayer):
    r"""Long short-term memory (Hochreiter & Schmidhuber 1997, with Gers et al.'s forget gate).

    .. math::
        i_t &= \sigma(W_{xi} x_t + W_{hi} h_{t-1} + b_i) \\
        f_t &= \sigma(W_{xf} x_t + W_{hf} h_{t-1} + b_f) \\
        g_t &= \tanh(W_{xg} x_t + W_{hg} h_{t-1} + b_g) \\
        o_t &= \sigma(W_{xo} x_t + W_{ho} h_{t-1} + b_o) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t &= o_t \odot \tanh(c_t)

    ``params``/``grads``: ``W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xg, W_hg, b_g,
    W_xo, W_ho, b_o`` (``W_x*`` are H x D, ``W_h*`` H x H, ``b_*`` H). The
    state is the tuple ``(h, c)``. Forward stacks the gates in PyTorch's order
    ``i, f, g, o``: ``W_x`` (4H, D), ``W_h`` (4H, H), ``b`` (4H,).

    Parameters
    ----------
    input_size, hidden_size : int
        ``D`` and ``H``.
    seed : int or numpy Generator seed
        Initialisation, uniform in +-1/sqrt(H) like ``torch.nn.LSTM``.
    dtype : np.float64 (default) or np.float32
    """

    torch_name = "LSTM"
    state_names = ("h", "c")
    x_weights = ("W_xi", "W_xf", "W_xg", "W_xo")
    h_weights = ("W_hi", "W_hf", "W_hg", "W_ho")
    biases = ("b_i", "b_f", "b_g", "b_o")

    def _forward(self, x, h_0, c_0):
        T, B, D = x.shape
        H = self.hidden_size
        W_x, W_h, b = self._stack(self.x_weights), self._stack(self.h_weights), self._stack(self.biases)
        # One tanh call activates all four gates: sigma(a) = (1 + tanh(a/2)) / 2, so
        # with half = 1/2 on the rows of i, f, o and 1 on those of g,
        #     (i_t, f_t, g_t, o_t) = half * tanh(half * a_t) + (1 - half),
        # and half * a_t comes straight out of the products of weights scaled by half.
        half = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], self.dtype), H)  # (4H,)
        # Pre-activations a_t = W_x x_t + W_h h_{t-1} + b (times half): the input
        # part of all steps in one product; the loop adds W_h h_{t-1}, then
        # activates in place, so that gates[t-1] holds i_t, f_t, g_t, o_t.
        gates = (x.reshape(T * B, D) @ (half[:, None] * W_x).T).reshape(T, B, 4 * H)
        gates += half * b
        W_h_T = (half[:, None] * W_h).T.copy()  # (H, 4H), contiguous for the product
        h = np.empty((T + 1, B, H), self.dtype)  # h[t] is h_t, h[0] = h_0
        c = np.empty((T + 1, B, H), self.dtype)
        tanh_c = np.empty((T, B, H), self.dtype)  # tanh_c[t-1] is tanh(c_t)
        h[0], c[0] = h_0, c_0
        Wh_h, i_g = np.empty((B, 4 * H), self.dtype), np.empty((B, H), self.dtype)  # buffers
        for t in range(1, T + 1):
            a_t = gates[t - 1]
            a_t += np.matmul(h[t - 1], W_h_T, out=Wh_h)
            np.tanh(a_t, out=a_t)
            a_t *= half
            a_t += 1 - half
            i_t, f_t, g_t, o_t = gate_views(a_t, 4)
            np.multiply(f_t, c[t - 1], out=c[t])
            c[t] += np.multiply(i_t, g_t, out=i_g)  # c_t = f_t c_{t-1} + i_t g_t
            np.tanh(c[t], out=tanh_c[t - 1])
            np.multiply(o_t, tanh_c[t - 1], out=h[t])  # h_t = o_t tanh(c_t)
        self._cache = {"x": x, "h": h, "c": c, "tanh_c": tanh_c, "gates": gates, "W_x": W_x, "W_h": W_h}
        return h[1:], (h[T].copy(), c[T].copy())

    def _backward(self, dy, dh_T, dc_T, k):
        x, h, c, tanh_c, gates = (self._cache[key] for key in ("x", "h", "c", "tanh_c", "gates"))
        W_h = self._cache["W_h"]
        T, B = x.shape[:2]
        H = self.hidden_size
        s = T - k  # steps s+1 .. T are backpropagated; h_s, c_s are constants when s > 0
        # sigma' = sigma (1 - sigma) and tanh' = (1 - g)(1 + g) are both (1 - G)(G + m)
        # for the gate values G, with m = 0 on the rows of i, f, o and 1 on those of g.
        m = np.repeat(np.array([0.0, 0.0, 1.0, 0.0], self.dtype), H)
        da = np.empty((k, B, 4 * H), self.dtype)  # da[t-1-s]: gradient of a_t (i, f, g, o)
        dG = np.empty((B, 4 * H), self.dtype)  # gradient of the gate values (i_t, f_t, g_t, o_t)
        G_m, dh_dc = np.empty((B, 4 * H), self.dtype), np.empty((B, H), self.dtype)  # buffers
        dh, dc = dh_T.copy(), dc_T.copy()  # gradients of h_t, c_t from step t+1 (or dstate)
        di, df, dg, do = gate_views(dG, 4)
        for t in range(T, s, -1):
            G, da_t = gates[t - 1], da[t - 1 - s]
            i_t, f_t, g_t, o_t = gate_views(G, 4)
            dh += dy[t - 1]  # dL/dh_t
            np.multiply(dh, tanh_c[t - 1], out=do)
            np.square(tanh_c[t - 1], out=dh_dc)
            np.subtract(1, dh_dc, out=dh_dc)
            dh_dc *= o_t  # dh_t/dc_t = o_t (1 - tanh(c_t)^2)
            dh_dc *= dh
            dc += dh_dc  # dL/dc_t
            np.multiply(dc, g_t, out=di)
            np.multiply(dc, c[t - 1], out=df)
            np.multiply(dc, i_t, out=dg)
            dc *= f_t  # dL/dc_{t-1}
            np.add(G, m, out=G_m)
            np.subtract(1, G, out=da_t)
            da_t *= G_m
            da_t *= dG  # da_t = dG (1 - G)(G + m)
            np.matmul(da_t, W_h, out=dh)  # dL/dh_{t-1}
        self._store_grads(self.h_weights, sum_outer(da, h[s:T]))
        self._store_grads(self.biases, da.sum(axis=(0, 1)))
        return self._input_grads(da, x, self._cache["W_x"]), (dh, dc)
