"""What the NumPy RNN, LSTM and GRU layers share: parameters, input checks,
stacking of per-gate weights, and conversion to and from ``torch.nn``.

Design
------
The public face of a layer is ``params``, one array per symbol of the text
(``W_xi``, ``W_hi``, ``b_i``, ...), and ``grads`` with the same keys. For
speed, ``forward`` stacks the per-gate arrays in PyTorch's gate order
(``np.concatenate``, cheap next to the matrix products), so that one product
serves all gates; ``backward`` splits the stacked gradients back into
``grads``. Hence an optimizer that updates ``params[name]`` in place (or
replaces it) is seen by the next ``forward``, and ``backward`` writes
``grads[name]`` in place (overwriting, not accumulating), so a dict that
merges the ``grads`` of several layers stays valid. ``backward`` uses the
weights of the ``forward`` it follows (the cache keeps them).

Arrays are time-major: ``x`` is ``(T, B, D)``, hidden states ``(B, H)``.
Inside the layers ``h[t]`` is :math:`h_t` for ``t = 0..T`` (``h[0]`` is the
initial state), while per-step arrays such as ``x`` are indexed from 0, so
``x[t - 1]`` is :math:`x_t`.
"""
from __future__ import annotations

import numpy as np

from rnncourse._checks import check_dtype, check_finite, check_floating, check_sequence, check_shape


def check_size(value, name: str) -> int:
    """A layer size: raise unless ``value`` is an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def float_dtype(dtype) -> np.dtype:
    """A layer's dtype: raise unless ``dtype`` is float32 or float64."""
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
    return np.dtype(dtype)


def chunks(x, size: int):
    """Consecutive time slices ``x[0:size], x[size:2 size], ...`` of a long sequence.

    For stateful training with truncated BPTT, carry the final state of one
    chunk into the next: in NumPy a state is a plain array, so it is already
    "detached": ``backward`` stops at the chunk's initial state and returns
    its gradient, which the caller drops::

        state = None
        for x_chunk in chunks(x, 25):
            y, state = layer.forward(x_chunk, state)
            ...                     # loss and dy of this chunk
            layer.backward(dy)      # gradient flows through these 25 steps only
            optimizer.step(layer.grads)
    """
    size = check_size(size, "size")
    return (x[start : start + size] for start in range(0, len(x), size))


def gate_views(a, n: int):
    """The ``n`` gate blocks of a stacked array ``(..., n H)``, as views ``(..., H)``."""
    H = a.shape[-1] // n
    return tuple(a[..., j * H : (j + 1) * H] for j in range(n))


def sum_outer(d, v):
    """``sum_t d_t^T v_t`` over all leading axes, as one matrix product.

    ``d`` is ``(..., G)``, ``v`` is ``(..., K)`` with the same leading shape;
    the result is ``(G, K)``, e.g. ``dW_x = sum_outer(da, x)``.
    """
    return d.reshape(-1, d.shape[-1]).T @ v.reshape(-1, v.shape[-1])


class RecurrentLayer:
    """Base class of :class:`RNN`, :class:`LSTM` and :class:`GRU`.

    A subclass names its parameters, per gate and in PyTorch's gate order, in
    ``x_weights`` (``H x D``), ``h_weights`` (``H x H``) and ``biases``
    (``H``): a bias is a name where the math has one bias (PyTorch's
    ``b_ih + b_hh``), or a pair ``(ih_name, hh_name)`` where it has two. It
    writes ``_forward(x, *state) -> (y, final_state)``, which sets
    ``self._cache`` (with ``"x"``), and ``_backward(dy, *dstate, k) -> (dx,
    dstate_0)``, which backpropagates through the last ``k`` steps and fills
    ``grads``; states are tuples of arrays, one per ``state_names``.
    """

    torch_name = ""  # "RNN", "LSTM" or "GRU": the torch.nn class
    state_names = ("h",)  # ("h", "c") for the LSTM
    x_weights: tuple = ()
    h_weights: tuple = ()
    biases: tuple = ()

    def __init__(self, input_size: int, hidden_size: int, *, seed=0, dtype=np.float64):
        self.input_size = check_size(input_size, "input_size")
        self.hidden_size = check_size(hidden_size, "hidden_size")
        self.dtype = float_dtype(dtype)
        D, H = self.input_size, self.hidden_size
        # torch.nn's initialisation: every weight and bias uniform in +-1/sqrt(H).
        rng = np.random.default_rng(seed)
        bound = 1 / np.sqrt(H)
        self.params = {}
        for W_x, W_h, b in zip(self.x_weights, self.h_weights, self.biases):
            shapes = {W_x: (H, D), W_h: (H, H)} | {name: (H,) for name in ((b,) if isinstance(b, str) else b)}
            for name, shape in shapes.items():
                self.params[name] = rng.uniform(-bound, bound, shape).astype(self.dtype)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._cache = None

    def __repr__(self):
        return f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size}, dtype={self.dtype})"

    # -- forward and backward: checks, then the model's own _forward/_backward --

    def forward(self, x, state=None):
        """Run the whole sequence.

        Parameters
        ----------
        x : array (T, B, D), the layer's dtype
        state : initial state, ``h_0`` of shape (B, H) (the LSTM: a tuple
            ``(h_0, c_0)``); ``None`` means zeros.

        Returns
        -------
        y : array (T, B, H), the hidden states ``h_1 .. h_T`` (torch's ``output``),
            a view of the cache that ``backward`` reads: copy it before changing it in place.
        state : the final state ``h_T`` (the LSTM: ``(h_T, c_T)``), new arrays.
        """
        check_sequence(x, self.input_size, "x")
        check_dtype(x, self.dtype, "x")
        state = self._state_arrays(state, x.shape[1], "state", "_0")
        y, final = self._forward(x, *state)
        return y, self._packed(final)

    def backward(self, dy, dstate=None, k=None):
        """Backpropagation through time, from the cache of the last ``forward``.

        Parameters
        ----------
        dy : array (T, B, H), gradient of the loss with respect to ``y``.
        dstate : gradient with respect to the final state, shaped like it
            (``None`` means zeros).
        k : int, optional
            Truncated BPTT: backpropagate through the last ``k`` steps only.
            This is exactly full BPTT of the loss restricted to the last ``k``
            steps, ``sum_{t > T-k} <dy_t, h_t> + <dstate, state_T>``, with the
            state at step ``T - k`` held constant (detached). Dropped: the
            upstream gradients ``dy[:T-k]`` and every path through
            ``h_{T-k}``. So ``dx[:T-k]`` is zero, the returned initial-state
            gradient is zero, and the parameter gradients sum over steps
            ``T-k+1 .. T``. ``None`` or ``k >= T`` is full BPTT.

        Returns
        -------
        dx : array (T, B, D)
        dstate_0 : gradient with respect to the initial state, shaped like it.

        Fills ``self.grads`` (overwriting it).
        """
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward() was called before forward(): there is no cache to backpropagate through")
        T, B = self._cache["x"].shape[:2]
        check_floating(dy, "dy")
        check_shape(dy, (T, B, self.hidden_size), "dy", names=("T", "B", "H"))
        check_dtype(dy, self.dtype, "dy")
        check_finite(dy, "dy")
        dstate = self._state_arrays(dstate, B, "dstate", "_T", prefix="d")
        if k is None:
            k = T
        elif isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"k must be an int (steps to backpropagate) or None, got {type(k).__name__}")
        elif k < 1:
            raise ValueError(f"k must be at least 1 (steps to backpropagate), got {k}")
        dx, dstate_0 = self._backward(dy, *dstate, k=min(int(k), T))
        if k < T:  # truncated: the state at step T-k is a constant
            dstate_0 = tuple(np.zeros_like(d) for d in dstate_0)
        return dx, self._packed(dstate_0)

    def _state_arrays(self, state, B, what, suffix, prefix=""):
        """``state`` as a tuple of checked (B, H) arrays, one per ``state_names``."""
        names = tuple(f"{prefix}{s}{suffix}" for s in self.state_names)
        H = self.hidden_size
        if state is None:
            return tuple(np.zeros((B, H), self.dtype) for _ in names)
        if len(names) == 1:
            if isinstance(state, (tuple, list)):
                raise TypeError(f"{what} of {type(self).__name__} must be one array {names[0]} of shape (B, H), got a {type(state).__name__}")
            state = (state,)
        elif not isinstance(state, (tuple, list)) or len(state) != len(names):
            given = f"a {type(state).__name__} of length {len(state)}" if isinstance(state, (tuple, list)) else type(state).__name__
            raise TypeError(f"{what} of {type(self).__name__} must be a tuple ({', '.join(names)}) of arrays of shape (B, H), got {given}")
        for name, s in zip(names, state):
            check_floating(s, name)
            check_shape(s, (B, H), name, names=("B", "H"))
            check_dtype(s, self.dtype, name)
            check_finite(s, name)
        return tuple(state)

    def _packed(self, arrays):
        return arrays[0] if len(arrays) == 1 else tuple(arrays)

    # -- per-gate parameters <-> stacked arrays --

    def _stack(self, names):
        """The per-gate arrays ``names`` stacked along the first axis, e.g. ``W_x`` (4H, D)."""
        return np.concatenate([self.params[name] for name in names])

    def _store_grads(self, names, stacked):
        """Split a stacked gradient into the per-gate ``grads``, in place."""
        for name, block in zip(names, np.split(stacked, len(names))):
            self.grads[name][...] = block

    def _input_grads(self, da, x, W_x):
        """After the time loop: ``dW_x = sum_t da_t^T x_t`` into ``grads`` and ``dx = da W_x``.

        ``da`` (k, B, G) holds the gradients of the stacked pre-activations of
        the last ``k`` steps; ``dx`` is zero before them (truncated BPTT).
        """
        s = len(x) - len(da)
        self._store_grads(self.x_weights, sum_outer(da, x[s:]))
        dx = np.zeros_like(x)
        dx[s:] = (da.reshape(-1, da.shape[-1]) @ W_x).reshape(x[s:].shape)
        return dx

    # -- torch.nn plumbing --

    @classmethod
    def _torch_class(cls):
        import torch

        return getattr(torch.nn, cls.torch_name)

    @classmethod
    def _kwargs_from_torch(cls, module) -> dict:
        """Constructor arguments read from a torch module (the RNN's nonlinearity)."""
        return {}

    def _kwargs_to_torch(self) -> dict:
        """Constructor arguments of the torch module; raises if torch has no such variant."""
        return {}

    @classmethod
    def from_torch(cls, module):
        """A layer with the weights of a one-layer, time-major, unidirectional ``torch.nn`` module.

        PyTorch's stacked ``weight_ih_l0``/``weight_hh_l0`` are split per gate;
        its two biases are summed where the math has one bias. The dtype
        follows the module's (float32 or float64).
        """
        import torch

        expected = cls._torch_class()
        if not isinstance(module, expected):
            raise TypeError(f"{cls.__name__}.from_torch expects a torch.nn.{cls.torch_name}, got {type(module).__name__}")
        config = {"num_layers": 1, "bidirectional": False, "batch_first": False, "proj_size": 0}
        for attr, want in config.items():
            got = getattr(module, attr, want)
            if got != want:
                raise ValueError(f"{cls.__name__}.from_torch supports {attr}={want} only, got {attr}={got}")
        W_ih, W_hh = (p.detach().cpu().numpy() for p in (module.weight_ih_l0, module.weight_hh_l0))
        dtypes = {torch.float32: np.float32, torch.float64: np.float64}
        if module.weight_ih_l0.dtype not in dtypes:
            raise TypeError(f"{cls.__name__}.from_torch expects float32 or float64 weights, got {module.weight_ih_l0.dtype}")
        if module.bias:
            b_ih, b_hh = (p.detach().cpu().numpy() for p in (module.bias_ih_l0, module.bias_hh_l0))
        else:
            b_ih = b_hh = np.zeros(W_ih.shape[0], W_ih.dtype)
        layer = cls(module.input_size, module.hidden_size, dtype=dtypes[module.weight_ih_l0.dtype], **cls._kwargs_from_torch(module))
        per_gate = [np.split(a, len(layer.biases)) for a in (W_ih, W_hh, b_ih, b_hh)]  # PyTorch's gate order
        for W_x, W_h, b, W_ih_g, W_hh_g, b_ih_g, b_hh_g in zip(layer.x_weights, layer.h_weights, layer.biases, *per_gate):
            layer.params[W_x][...] = W_ih_g
            layer.params[W_h][...] = W_hh_g
            if isinstance(b, str):
                layer.params[b][...] = b_ih_g + b_hh_g
            else:
                layer.params[b[0]][...], layer.params[b[1]][...] = b_ih_g, b_hh_g
        return layer

    def to_torch(self):
        """The equivalent ``torch.nn`` module (one layer, time-major), in the layer's dtype.

        A single bias goes to ``bias_ih_l0`` with zeros in ``bias_hh_l0``; a
        pair ``(ih, hh)`` (the GRU's ``b_xn``, ``b_hn``) goes to both.
        """
        import torch

        kwargs = self._kwargs_to_torch()
        dtype = torch.float32 if self.dtype == np.float32 else torch.float64
        module = self._torch_class()(self.input_size, self.hidden_size, dtype=dtype, **kwargs)
        zeros = np.zeros(self.hidden_size, self.dtype)
        b_ih = [self.params[b] if isinstance(b, str) else self.params[b[0]] for b in self.biases]
        b_hh = [zeros if isinstance(b, str) else self.params[b[1]] for b in self.biases]
        stacked = {
            "weight_ih_l0": self._stack(self.x_weights),
            "weight_hh_l0": self._stack(self.h_weights),
            "bias_ih_l0": np.concatenate(b_ih),
            "bias_hh_l0": np.concatenate(b_hh),
        }
        with torch.no_grad():
            for name, value in stacked.items():
                getattr(module, name).copy_(torch.from_numpy(value))
        return module
