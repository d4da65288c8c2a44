"""Machinery shared by the from-scratch cells and sequence layers.

A model file (``rnn.py``, ``lstm.py``, ``gru.py``) writes one time step from
the equations as a function ``step(x_t, state, W_ih, W_hh, b_ih, b_hh)``; the
two base classes here do the rest, once for all three models:

* :class:`RecurrentCell` holds the weights of one cell, named as in
  ``torch.nn.RNNCell``/``LSTMCell``/``GRUCell`` (``weight_ih``, ``weight_hh``,
  ``bias_ih``, ``bias_hh``), and checks the input of one step.
* :class:`Recurrent` holds the weights of a stack of layers in one or two
  directions, named and shaped as in ``torch.nn.RNN``/``LSTM``/``GRU``
  (``weight_ih_l0``, ..., ``bias_hh_l1_reverse``), so that the state dict of a
  ``torch.nn`` module loads unchanged, and loops over layers, directions and
  time steps.

The weights of the gates are stacked along the first axis in PyTorch's order
(LSTM ``i, f, g, o``; GRU ``r, z, n``), so a layer with ``num_gates`` gates has
``weight_ih`` of shape ``(num_gates * H, D)``. Every weight and bias starts
uniform in ``[-1/sqrt(H), 1/sqrt(H)]``, as in ``torch.nn``.

A state is a tensor ``h`` for the RNN and the GRU and a pair ``(h, c)`` for the
LSTM; inside the loop it travels as a tuple of tensors, ``(h,)`` or ``(h, c)``.
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from rnncourse._checks import check_floating, check_sequence, check_shape


def _as_tuple(state) -> tuple:
    return state if isinstance(state, tuple) else (state,)


def _from_tuple(states: tuple):
    return states if len(states) > 1 else states[0]


def _check_state(state, num_states: int, shape, names, name: str) -> tuple:
    """Check a state (a tensor, or a pair for the LSTM); return it as a tuple."""
    if num_states > 1 and not (isinstance(state, (tuple, list)) and len(state) == num_states):
        raise TypeError(f"{name} must be a tuple (h, c) of {num_states} tensors, got {type(state).__name__}")
    states = tuple(state) if num_states > 1 else (state,)
    for j, s in enumerate(states):
        label = f"{name}[{j}]" if num_states > 1 else name
        check_floating(s, label)
        check_shape(s, shape, label, names=names)
    return states


def init_uniform(module: nn.Module, hidden_size: int):
    """Draw every parameter of ``module`` uniform in ``[-1/sqrt(H), 1/sqrt(H)]``, as ``torch.nn`` does."""
    bound = 1.0 / math.sqrt(hidden_size)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-bound, bound)


class _Weights(nn.Module):
    """Creation and initialisation of the stacked gate weights."""

    num_gates: int = 1  # how many gate blocks are stacked in weight_ih (RNN 1, LSTM 4, GRU 3)
    num_states: int = 1  # 1 for h, 2 for (h, c)

    def _add_weights(self, suffix: str, input_size: int, factory: dict):
        G, H = self.num_gates, self.hidden_size
        shapes = {"weight_ih": (G * H, input_size), "weight_hh": (G * H, H)}
        if self.bias:
            shapes.update({"bias_ih": (G * H,), "bias_hh": (G * H,)})
        for name, shape in shapes.items():
            self.register_parameter(name + suffix, nn.Parameter(torch.empty(shape, **factory)))

    def _weights(self, suffix: str = "") -> tuple:
        """``(W_ih, W_hh, b_ih, b_hh)`` of one layer and direction; biases ``None`` without bias."""
        if not self.bias:
            return getattr(self, "weight_ih" + suffix), getattr(self, "weight_hh" + suffix), None, None
        return tuple(getattr(self, name + suffix) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def reset_parameters(self):
        """Draw every weight and bias uniform in ``[-1/sqrt(H), 1/sqrt(H)]`` (as ``torch.nn``)."""
        init_uniform(self, self.hidden_size)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RecurrentCell(_Weights):
    """Base of one cell: one time step on a batch, weights as ``torch.nn.*Cell``.

    Subclasses set ``num_gates``, ``num_states`` and a ``step`` method.

    Parameters
    ----------
    input_size, hidden_size : int
        ``D`` and ``H``.
    bias : bool
        Whether the cell has the biases ``bias_ih`` and ``bias_hh``.
    device, dtype
        Where and in which floating type the weights are created.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self._add_weights("", input_size, {"device": device, "dtype": dtype})
        self.reset_parameters()

    def forward(self, input, hx=None):
        """One step: ``input`` ``(B, D)``, ``hx`` the previous state (zeros if ``None``).

        Returns the new state: ``h_t`` ``(B, H)``, or ``(h_t, c_t)`` for the LSTM.
        """
        check_floating(input, "input")
        check_shape(input, (None, self.input_size), "input", names=("B", "D"))
        B, H = input.shape[0], self.hidden_size
        if hx is None:
            state = tuple(input.new_zeros(B, H) for _ in range(self.num_states))
        else:
            state = _check_state(hx, self.num_states, (B, H), ("B", "H"), "hx")
        return self.step(input, _from_tuple(state), *self._weights())


class Recurrent(_Weights):
    """Base of a sequence layer: ``num_layers`` stacked, one or two directions.

    Same call convention, shapes and parameter names as ``torch.nn.RNN``,
    ``torch.nn.LSTM`` and ``torch.nn.GRU``. Subclasses set ``num_gates``,
    ``num_states`` and a ``step`` method.

    Parameters
    ----------
    input_size, hidden_size : int
        ``D`` and ``H``.
    num_layers : int
        Layers stacked: layer ``l + 1`` reads the outputs of layer ``l``.
    bias : bool
        Whether each layer has the biases ``bias_ih_l{l}`` and ``bias_hh_l{l}``.
    batch_first : bool
        Input and output are ``(B, T, D)`` instead of ``(T, B, D)``. The state
        stays ``(num_layers * num_directions, B, H)``, as in ``torch.nn``.
    dropout : float
        Dropout on the outputs of every layer but the last, in training mode.
    bidirectional : bool
        Run a second layer backwards in time; the outputs are concatenated.
    device, dtype
        Where and in which floating type the weights are created.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None):
        super().__init__()
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout must be a probability in [0, 1], got {dropout}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        factory = {"device": device, "dtype": dtype}
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes(layer):
                self._add_weights(suffix, layer_input, factory)
        self.reset_parameters()

    def _suffixes(self, layer: int):
        return [f"_l{layer}", f"_l{layer}_reverse"][: self.num_directions]

    def forward(self, input, hx=None):
        """Run the layers over a batch of sequences.

        Parameters
        ----------
        input : Tensor ``(T, B, D)``, or ``(B, T, D)`` when ``batch_first``
        hx : initial state, ``h_0`` ``(num_layers * num_directions, B, H)``, or
            ``(h_0, c_0)`` for the LSTM; zeros when ``None``.

        Returns
        -------
        output : Tensor ``(T, B, num_directions * H)`` (``(B, T, ...)`` when
            ``batch_first``), the last layer's ``h_t`` at every step.
        h_n : the final state of every layer and direction, shaped as ``hx``.
        """
        if isinstance(input, PackedSequence):
            raise TypeError(
                f"{type(self).__name__} from rnncourse.torch takes a padded tensor, got a PackedSequence; "
                "use torch.nn for packed sequences, or pass the padded batch and read each sequence "
                "at its last valid step (rnncourse.torch.models does this)"
            )
        check_sequence(input, self.input_size, "input", layout="BTD" if self.batch_first else "TBD")
        x = input.transpose(0, 1) if self.batch_first else input
        B, H = x.shape[1], self.hidden_size
        LD = self.num_layers * self.num_directions
        if hx is None:
            h_0 = tuple(x.new_zeros(LD, B, H) for _ in range(self.num_states))
        else:
            h_0 = _check_state(hx, self.num_states, (LD, B, H), ("num_layers*num_directions", "B", "H"), "hx")

        final = []  # the last state of each layer and direction, in the order of h_0
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                k = layer * self.num_directions + direction
                state = tuple(s[k] for s in h_0)
                y, state = self._run(x, state, self._weights(suffix), reverse=direction == 1)
                outputs.append(y)
                final.append(state)
            x = torch.cat(outputs, dim=2) if len(outputs) > 1 else outputs[0]
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = nn.functional.dropout(x, self.dropout, training=True)

        output = x.transpose(0, 1) if self.batch_first else x
        h_n = tuple(torch.stack([state[j] for state in final]) for j in range(self.num_states))
        return output, _from_tuple(h_n)

    def _run(self, x, state: tuple, weights: tuple, reverse: bool):
        """One layer in one direction over ``x`` ``(T, B, D)``; returns ``(T, B, H)`` and the last state."""
        x_ts = x.unbind(0)  # unbind, not x[t]: the backward of T slices would be quadratic in T
        h = [None] * len(x_ts)
        for t in (reversed(range(len(x_ts))) if reverse else range(len(x_ts))):
            state = _as_tuple(self.step(x_ts[t], _from_tuple(state), *weights))
            h[t] = state[0]
        return torch.stack(h), state

    def extra_repr(self) -> str:
        s = super().extra_repr()
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        for name, default in (("batch_first", False), ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                s += f", {name}={getattr(self, name)}"
        return s
