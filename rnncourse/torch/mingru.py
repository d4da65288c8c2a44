"""minGRU: a gated recurrence whose gates read only the input, so it runs as a parallel scan.

Feng et al. (2024), "Were RNNs all we needed?", drop ``h_{t-1}`` from the gates
of the GRU::

    z_t = sigma(W_xz x_t + b_z)          update gate
    n_t = g(W_xn x_t + b_n)              candidate (the paper's h~_t)
    h_t = (1 - z_t) * h_{t-1} + z_t * n_t

with ``g(a) = a + 1/2`` for ``a >= 0`` and ``sigma(a)`` below, which keeps
``n_t > 0``. The recurrence is then linear in ``h``: ``h_t = a_t * h_{t-1} + b_t``
with ``a_t = 1 - z_t`` and ``b_t = z_t * n_t`` known for every ``t`` before the
first step is taken, and its solution is two cumulative operations over time
(Heinsen 2023), computed in log space so that nothing under- or overflows::

    a*_t = sum_{s <= t} log a_s
    log h_t = a*_t + logcumsumexp_{s <= t}(log b_s - a*_s)     (h_0 enters as s = 0)

Note the roles: here ``z_t`` weighs the *candidate*, whereas PyTorch's GRU
weighs ``h_{t-1}`` with its ``z_t``.

Shapes are time-major: gate pre-activations and outputs ``(T, B, H)``,
states ``(B, H)``; :class:`MinGRU` also takes ``batch_first=True``.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.functional import linear, softplus

from rnncourse._checks import check_floating, check_sequence, check_shape
from rnncourse.torch._recurrent import init_uniform

MODES = ("parallel", "sequential")


def g(a):
    """The minGRU candidate activation: ``a + 1/2`` for ``a >= 0``, ``sigmoid(a)`` below; always > 0."""
    return torch.where(a >= 0, a + 0.5, torch.sigmoid(a))


def log_g(a):
    """``log g(a)``, computed without taking the log of a small number."""
    return torch.where(a >= 0, torch.log(torch.relu(a) + 0.5), -softplus(-a))


def _check_pre(k_z, k_n, h_0):
    """Check gate pre-activations ``(T, B, H)`` and an optional ``h_0`` ``(B, H)``."""
    check_floating(k_z, "k_z")
    check_shape(k_z, (None, None, None), "k_z", names=("T", "B", "H"))
    check_sequence(k_z, k_z.shape[-1], "k_z", layout="TBH")
    check_floating(k_n, "k_n")
    check_shape(k_n, tuple(k_z.shape), "k_n", names=("T", "B", "H"))
    if h_0 is not None:
        check_floating(h_0, "h_0")
        check_shape(h_0, tuple(k_z.shape[1:]), "h_0", names=("B", "H"))


def min_gru_sequential(k_z, k_n, h_0=None):
    """The minGRU recurrence as a loop over time (the reference).

    Parameters
    ----------
    k_z, k_n : Tensor ``(T, B, H)``
        Pre-activations of the update gate and the candidate,
        ``W_xz x_t + b_z`` and ``W_xn x_t + b_n`` for every step.
    h_0 : Tensor ``(B, H)`` or None
        Initial state; zeros when ``None``.

    Returns
    -------
    h : Tensor ``(T, B, H)``, ``h_1 .. h_T``
    """
    _check_pre(k_z, k_n, h_0)
    z, n = torch.sigmoid(k_z), g(k_n)
    h_t = k_z.new_zeros(k_z.shape[1:]) if h_0 is None else h_0
    h = []
    for z_t, n_t in zip(z.unbind(0), n.unbind(0)):  # unbind: a backward linear in T (z[t] would be quadratic)
        h_t = (1 - z_t) * h_t + z_t * n_t
        h.append(h_t)
    return torch.stack(h)


def min_gru_scan(k_z, k_n, h_0=None):
    """The minGRU recurrence as a parallel scan in log space (Heinsen 2023).

    Same arguments and result as :func:`min_gru_sequential`, with no loop over
    time: two cumulative operations (``cumsum``, ``logcumsumexp``) over the
    time axis. ``h_0``, when given, must be positive (the scan works with
    ``log h``); ``None`` means zeros, as in the loop.

    Parameters
    ----------
    k_z, k_n : Tensor ``(T, B, H)``, gate and candidate pre-activations
    h_0 : Tensor ``(B, H)`` with positive entries, or None

    Returns
    -------
    h : Tensor ``(T, B, H)``
    """
    _check_pre(k_z, k_n, h_0)
    log_a = -softplus(k_z)               # log(1 - z_t)
    log_b = -softplus(-k_z) + log_g(k_n)  # log(z_t * n_t)
    if h_0 is not None:
        if not bool((h_0 > 0).all()):
            raise ValueError("h_0 must be positive for the log-space scan (it takes log h_0); "
                             "use mode='sequential' for any h_0")
        log_a = torch.cat([log_a.new_zeros((1,) + log_a.shape[1:]), log_a])
        log_b = torch.cat([torch.log(h_0)[None], log_b])
    a_star = torch.cumsum(log_a, dim=0)                        # log of a_1 a_2 ... a_t
    log_h = a_star + torch.logcumsumexp(log_b - a_star, dim=0)
    h = torch.exp(log_h)
    return h if h_0 is None else h[1:]


class MinGRU(nn.Module):
    """A minGRU layer (Feng et al. 2024): ``(output, h_n) = layer(x, h_0)``.

    ``weight_ih`` is ``[W_xz; W_xn]`` ``(2H, D)`` and ``bias_ih`` is
    ``[b_z; b_n]`` ``(2H,)``, initialised uniform in ``[-1/sqrt(H), 1/sqrt(H)]``
    as in ``torch.nn``. There is no ``weight_hh``: the gates do not read ``h_{t-1}``.

    Parameters
    ----------
    input_size, hidden_size : int
        ``D`` and ``H``.
    bias : bool
        Whether the layer has ``bias_ih``.
    batch_first : bool
        Input and output are ``(B, T, D)`` instead of ``(T, B, D)``.
    mode : ``"parallel"`` (default) or ``"sequential"``
        The log-space scan or the loop over time; the same numbers either way.
    device, dtype
        Where and in which floating type the weights are created.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, batch_first: bool = False,
                 mode: str = "parallel", device=None, dtype=None):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.batch_first, self.mode = batch_first, mode
        factory = {"device": device, "dtype": dtype}
        self.weight_ih = nn.Parameter(torch.empty(2 * hidden_size, input_size, **factory))
        self.bias_ih = nn.Parameter(torch.empty(2 * hidden_size, **factory)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """Draw every weight and bias uniform in ``[-1/sqrt(H), 1/sqrt(H)]`` (as ``torch.nn``)."""
        init_uniform(self, self.hidden_size)

    def forward(self, input, hx=None):
        """Run the layer over a batch of sequences.

        Parameters
        ----------
        input : Tensor ``(T, B, D)``, or ``(B, T, D)`` when ``batch_first``
        hx : Tensor ``(1, B, H)`` or None
            Initial state (as for a one-layer ``torch.nn.GRU``); zeros when
            ``None``. The parallel mode needs it positive.

        Returns
        -------
        output : Tensor ``(T, B, H)`` (``(B, T, H)`` when ``batch_first``), ``h_t`` at every step
        h_n : Tensor ``(1, B, H)``, the last state
        """
        check_sequence(input, self.input_size, "input", layout="BTD" if self.batch_first else "TBD")
        x = input.transpose(0, 1) if self.batch_first else input
        h_0 = None
        if hx is not None:
            check_floating(hx, "hx")
            check_shape(hx, (1, x.shape[1], self.hidden_size), "hx", names=("num_layers", "B", "H"))
            h_0 = hx[0]
        k_z, k_n = linear(x, self.weight_ih, self.bias_ih).chunk(2, dim=-1)  # all steps at once
        scan = min_gru_scan if self.mode == "parallel" else min_gru_sequential
        h = scan(k_z, k_n, h_0)
        output = h.transpose(0, 1) if self.batch_first else h
        return output, h[-1:]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        return s + f", mode={self.mode!r}"
