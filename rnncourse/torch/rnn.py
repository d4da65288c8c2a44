"""The Elman RNN from its equation, in PyTorch (autograd does the backward).

    h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h),   b_h = b_ih + b_hh

``torch.nn`` keeps two biases, ``bias_ih`` and ``bias_hh``; only their sum
``b_h`` matters. :class:`RNNCell` is one step, :class:`RNN` the sequence layer
(stacked, bidirectional), both drop-in replacements of their ``torch.nn`` twins.
"""
from __future__ import annotations

import torch
from torch.nn.functional import linear

from rnncourse.torch._recurrent import Recurrent, RecurrentCell

NONLINEARITIES = {"tanh": torch.tanh, "relu": torch.relu}


def rnn_step(x_t, h_prev, W_xh, W_hh, b_ih=None, b_hh=None, nonlinearity: str = "tanh"):
    """One step: ``x_t`` ``(B, D)``, ``h_prev`` ``(B, H)``, ``W_xh`` ``(H, D)``, ``W_hh`` ``(H, H)`` -> ``h_t`` ``(B, H)``."""
    a_t = linear(x_t, W_xh, b_ih) + linear(h_prev, W_hh, b_hh)  # x_t @ W_xh.T + h_prev @ W_hh.T + b_h
    h_t = NONLINEARITIES[nonlinearity](a_t)
    return h_t


class _Elman:
    """What the RNN cell and layer share: the nonlinearity, and the step that uses it."""

    num_gates, num_states = 1, 1

    def _set_nonlinearity(self, nonlinearity: str):
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {sorted(NONLINEARITIES)}, got {nonlinearity!r}")
        self.nonlinearity = nonlinearity

    def step(self, x_t, h_prev, W_xh, W_hh, b_ih, b_hh):
        """One step with this module's nonlinearity: :func:`rnn_step`."""
        return rnn_step(x_t, h_prev, W_xh, W_hh, b_ih, b_hh, self.nonlinearity)

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + f", nonlinearity={self.nonlinearity!r}"


class RNNCell(_Elman, RecurrentCell):
    """One RNN step, as ``torch.nn.RNNCell(input_size, hidden_size, bias, nonlinearity)``.

    ``cell(x_t (B, D), h_prev (B, H) or None) -> h_t (B, H)``. Parameters
    ``weight_ih`` ``(H, D)`` (= ``W_xh``), ``weight_hh`` ``(H, H)``, ``bias_ih``, ``bias_hh`` ``(H,)``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, device=device, dtype=dtype)
        self._set_nonlinearity(nonlinearity)


class RNN(_Elman, Recurrent):
    """Sequence RNN, as ``torch.nn.RNN`` (same arguments, shapes and parameter names).

    ``rnn(x (T, B, D), h_0 (L*dirs, B, H) or None) -> (y (T, B, dirs*H), h_n (L*dirs, B, H))``.
    See :class:`rnncourse.torch._recurrent.Recurrent` for the arguments.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self._set_nonlinearity(nonlinearity)
