"""The LSTM from its equations, in PyTorch (autograd does the backward).

    i_t = sigma(W_xi x_t + W_hi h_{t-1} + b_i)     input gate
    f_t = sigma(W_xf x_t + W_hf h_{t-1} + b_f)     forget gate
    g_t = tanh(W_xg x_t + W_hg h_{t-1} + b_g)      candidate
    o_t = sigma(W_xo x_t + W_ho h_{t-1} + b_o)     output gate
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

The four blocks are stacked in PyTorch's order ``i, f, g, o``:
``weight_ih`` is ``[W_xi; W_xf; W_xg; W_xo]`` ``(4H, D)``, ``weight_hh`` is
``[W_hi; W_hf; W_hg; W_ho]`` ``(4H, H)``, and each ``b_`` is ``bias_ih + bias_hh``.
"""
from __future__ import annotations

import torch
from torch.nn.functional import linear

from rnncourse.torch._recurrent import Recurrent, RecurrentCell


def lstm_step(x_t, state, W_ih, W_hh, b_ih=None, b_hh=None):
    """One step: ``x_t`` ``(B, D)``, ``state = (h_prev, c_prev)``
    ``(B, H)`` each -> ``(h_t, c_t)``. (Shown in chapter 5: lines of at most
    79 characters.)"""
    h_prev, c_prev = state
    # the four gates' pre-activations, side by side: (B, 4H)
    gates = linear(x_t, W_ih, b_ih) + linear(h_prev, W_hh, b_hh)
    i_t, f_t, g_t, o_t = gates.chunk(4, 1)
    i_t, f_t, o_t = torch.sigmoid(i_t), torch.sigmoid(f_t), torch.sigmoid(o_t)
    g_t = torch.tanh(g_t)
    c_t = f_t * c_prev + i_t * g_t
    h_t = o_t * torch.tanh(c_t)
    return h_t, c_t


class LSTMCell(RecurrentCell):
    """One LSTM step, as ``torch.nn.LSTMCell(input_size, hidden_size, bias)``.

    ``cell(x_t (B, D), (h_prev, c_prev) or None) -> (h_t, c_t)``, each ``(B, H)``.
    """

    num_gates, num_states = 4, 2
    step = staticmethod(lstm_step)


class LSTM(Recurrent):
    """Sequence LSTM, as ``torch.nn.LSTM`` (same arguments, shapes and parameter names; no ``proj_size``).

    ``lstm(x (T, B, D), (h_0, c_0) or None) -> (y (T, B, dirs*H), (h_n, c_n))``,
    states ``(L*dirs, B, H)``. See :class:`rnncourse.torch._recurrent.Recurrent`.
    """

    num_gates, num_states = 4, 2
    step = staticmethod(lstm_step)
