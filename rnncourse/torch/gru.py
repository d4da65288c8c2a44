"""The GRU from its equations, in PyTorch's variant (autograd does the backward).

    r_t = sigma(W_xr x_t + b_ir + W_hr h_{t-1} + b_hr)          reset gate
    z_t = sigma(W_xz x_t + b_iz + W_hz h_{t-1} + b_hz)          update gate
    n_t = tanh(W_xn x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))   candidate
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}

PyTorch applies the reset gate *after* the product with ``W_hn`` (and its bias
``b_hn``), which is why the GRU keeps two biases that do not merge into one.
Blocks are stacked in the order ``r, z, n``: ``weight_ih`` is
``[W_xr; W_xz; W_xn]`` ``(3H, D)``, ``weight_hh`` is ``[W_hr; W_hz; W_hn]`` ``(3H, H)``.
"""
from __future__ import annotations

import torch
from torch.nn.functional import linear

from rnncourse.torch._recurrent import Recurrent, RecurrentCell


def gru_step(x_t, h_prev, W_ih, W_hh, b_ih=None, b_hh=None):
    """One step: ``x_t`` ``(B, D)``, ``h_prev`` ``(B, H)`` -> ``h_t`` ``(B, H)``."""
    gx_r, gx_z, gx_n = linear(x_t, W_ih, b_ih).chunk(3, 1)  # W_x. x_t + b_i.
    gh_r, gh_z, gh_n = linear(h_prev, W_hh, b_hh).chunk(3, 1)  # W_h. h_{t-1} + b_h.
    r_t = torch.sigmoid(gx_r + gh_r)
    z_t = torch.sigmoid(gx_z + gh_z)
    n_t = torch.tanh(gx_n + r_t * gh_n)
    h_t = (1 - z_t) * n_t + z_t * h_prev
    return h_t


class GRUCell(RecurrentCell):
    """One GRU step, as ``torch.nn.GRUCell(input_size, hidden_size, bias)``.

    ``cell(x_t (B, D), h_prev (B, H) or None) -> h_t (B, H)``.
    """

    num_gates, num_states = 3, 1
    step = staticmethod(gru_step)


class GRU(Recurrent):
    """Sequence GRU, as ``torch.nn.GRU`` (same arguments, shapes and parameter names).

    ``gru(x (T, B, D), h_0 (L*dirs, B, H) or None) -> (y (T, B, dirs*H), h_n (L*dirs, B, H))``.
    See :class:`rnncourse.torch._recurrent.Recurrent`.
    """

    num_gates, num_states = 3, 1
    step = staticmethod(gru_step)
