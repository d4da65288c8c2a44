"""Dot-product attention of a decoder over encoder states (Luong, Pham and Manning, 2015).

At output step t, with decoder state d_t and encoder states e_1 .. e_S,

    s_tj = d_t . e_j,    alpha_tj = softmax_j(s_tj),    c_t = sum_j alpha_tj e_j,

and the attentional state that a readout reads is tanh(W_c [d_t; c_t] + b_c).
Padding positions of the input get a score of -inf, hence a weight of 0.
"""
from __future__ import annotations

import torch
from torch import nn

from rnncourse._checks import check_floating, check_shape


def dot_attention(d, e, mask=None):
    """Context vectors and weights of dot-product attention, for all output steps at once.

    Parameters
    ----------
    d : tensor ``(T, B, H)``, the decoder states d_1 .. d_T
    e : tensor ``(S, B, H)``, the encoder states e_1 .. e_S
    mask : bool tensor ``(S, B)``, optional: true at the real input positions,
        false at padding; every sequence needs at least one real position.

    Returns
    -------
    c : tensor ``(T, B, H)``, the contexts c_t = sum_j alpha_tj e_j
    alpha : tensor ``(B, T, S)``, the weights; each row sums to 1
    """
    check_floating(d, "d")
    check_shape(d, (None, None, None), "d", names=("T", "B", "H"))
    _, B, H = d.shape
    check_floating(e, "e")
    check_shape(e, (None, B, H), "e", names=("S", "B", "H"))
    s = torch.einsum("tbh,sbh->bts", d, e)                       # s_tj = d_t . e_j
    if mask is not None:
        check_shape(mask, (e.shape[0], B), "mask", names=("S", "B"))
        if mask.dtype != torch.bool:
            raise TypeError(f"mask must be a bool tensor (true at real positions), got {mask.dtype}")
        if not bool(mask.any(dim=0).all()):
            raise ValueError("mask must be true at one position at least in every sequence (column), "
                             f"got an empty column at {mask.any(dim=0).logical_not().nonzero().flatten().tolist()}")
        s = s.masked_fill(~mask.T[:, None, :], float("-inf"))
    alpha = torch.softmax(s, dim=-1)                             # (B, T, S)
    c = torch.einsum("bts,sbh->tbh", alpha, e)
    return c, alpha


class DotAttention(nn.Module):
    """Dot-product attention followed by the attentional layer
    ``tanh(W_c [d_t; c_t] + b_c)``.

    Parameters
    ----------
    hidden_size : int
        ``H``, the size of the decoder and encoder states.

    Notes
    -----
    ``forward(d, e, mask)`` takes the shapes of :func:`dot_attention` and
    returns the attentional states ``(T, B, H)`` and the weights ``alpha``
    ``(B, T, S)``. The linear layer ``combine`` holds ``W_c`` ``(H, 2H)`` and
    ``b_c`` ``(H,)``.
    """

    def __init__(self, hidden_size: int):
        super().__init__()
        if not isinstance(hidden_size, int) or hidden_size < 1:
            raise ValueError(f"hidden_size must be a positive int, got {hidden_size!r}")
        self.hidden_size = hidden_size
        self.combine = nn.Linear(2 * hidden_size, hidden_size)     # W_c, b_c

    def forward(self, d, e, mask=None):
        """Attentional states ``(T, B, H)`` and weights ``(B, T, S)`` for decoder states ``d``."""
        check_shape(d, (None, None, self.hidden_size), "d", names=("T", "B", "H"))
        c, alpha = dot_attention(d, e, mask)
        return torch.tanh(self.combine(torch.cat([d, c], dim=-1))), alpha
