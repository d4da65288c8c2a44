"""K independent copies of a model that train as one: results over seeds for little more than one run.

At the course's sizes a training step is a loop of tiny matrix products, and
its time goes to overhead, not arithmetic. Stack ``K`` independently
initialised copies of a model along a leading *replica* axis, and one forward
and one backward run all of them: the products become batched products
(``torch.baddbmm``), one per step for all ``K``.

Every parameter of a replica model is its single twin's parameter with a
leading axis ``K`` and the same name (``weight_ih_l0`` ``(K, 4H, D)`` for an
LSTM), so that ``replica_state_dict(k)`` loads into the twin, and replica
``k`` *is* one model:

* **Initialisation.** ``seeds=[s_0, ..., s_{K-1}]`` makes replica ``k`` the
  twin built after ``torch.manual_seed(s_k)`` (what
  :func:`rnncourse.seed_everything` does for torch), bit for bit; the global
  random state is left as it was. Without ``seeds``, the ``K`` twins are drawn
  one after another from the global generator, as ``K`` calls of the twin's
  constructor would be. :func:`replicate` does the same for any function that
  builds a model (a forget-gate bias set, say).
* **Training.** The replicas share no parameter, so the gradient of the *sum*
  of their losses is, replica by replica, the gradient of each one's own loss,
  and an element-wise optimiser (SGD, Adam, AdamW, RMSprop) updates each as
  if alone. Clip per replica, never over all of them together:
  :func:`rnncourse.train.fit_replicas` does both, and trains ``K`` replicas to
  the same weights as ``K`` separate runs of :func:`rnncourse.train.fit`, to
  round-off (tested in float64 after 20 clipped Adam steps).

Inputs are shared by all replicas (``(T, B, D)``, as the twin takes them) or
given per replica with a leading ``K`` (``(K, T, B, D)``); outputs always have
the leading ``K``. Sequences are time-major; there is no ``batch_first``.

Layers: :class:`ReplicaRNN`, :class:`ReplicaLSTM`, :class:`ReplicaGRU`
(stacked, bidirectional), :class:`ReplicaLinear`, :class:`ReplicaEmbedding`.
Models: :class:`ReplicaSequenceRegressor`, :class:`ReplicaSequenceClassifier`.
"""
from __future__ import annotations

import copy
import numbers

import torch
from torch import nn
from torch.nn import functional as F

from rnncourse._checks import check_finite, check_floating, check_integer, check_sequence, check_shape
from rnncourse.torch._recurrent import _check_state
from rnncourse.torch.gru import GRU
from rnncourse.torch.lstm import LSTM
from rnncourse.torch.models import SequenceClassifier, SequenceRegressor, _SequenceToOne
from rnncourse.torch.rnn import NONLINEARITIES, RNN

__all__ = [
    "replicate", "ReplicaRNN", "ReplicaLSTM", "ReplicaGRU", "ReplicaLinear", "ReplicaEmbedding",
    "ReplicaSequenceRegressor", "ReplicaSequenceClassifier",
]


def _build_twins(make, replicas, seeds) -> list:
    """``K`` single models from ``make()``: one per seed, or ``replicas`` in a row."""
    if replicas is not None and (isinstance(replicas, bool) or not isinstance(replicas, numbers.Integral)):
        raise TypeError(f"replicas must be an int, got {type(replicas).__name__}")
    if seeds is None:
        if replicas is None:
            raise ValueError("give the number of replicas K (replicas=K) or one seed per replica (seeds=[...])")
        if replicas < 1:
            raise ValueError(f"replicas must be at least 1, got {replicas}")
        return [make() for _ in range(replicas)]
    seeds = list(seeds)
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral):
            raise TypeError(f"seeds must be ints, got {type(s).__name__} ({s!r})")
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed, got an empty list")
    if replicas is not None and len(seeds) != replicas:
        raise ValueError(f"seeds must hold one seed per replica: expected {replicas}, got {len(seeds)}")
    twins = []
    for s in seeds:
        with torch.random.fork_rng(devices=[]):  # the caller's random state is left as it was
            torch.manual_seed(int(s))
            twins.append(make())
    return twins


class _Replicated(nn.Module):
    """What every replica module shares: ``K``, the twin, and moving one replica in and out.

    A subclass implements ``_setup(twins)``, which reads its configuration from
    the first twin and takes its parameters from all of them (see
    :meth:`_stack`). ``Class(*twin_args, replicas=K, seeds=None, **twin_kwargs)``
    builds the twins with ``Class.twin(*twin_args, **twin_kwargs)``.
    """

    twin = None  # the single model's class (or a function building it)

    def __init__(self, *args, replicas: int | None = None, seeds=None, **kwargs):
        super().__init__()
        self._setup(_build_twins(lambda: type(self).twin(*args, **kwargs), replicas, seeds))

    @classmethod
    def from_twins(cls, twins):
        """The replica model whose replica ``k`` has the weights of ``twins[k]`` (copied)."""
        twins = list(twins)
        if not twins:
            raise ValueError(f"{cls.__name__}.from_twins needs at least one model, got none")
        self = cls.__new__(cls)
        nn.Module.__init__(self)
        self._setup(twins)
        return self

    def _remember(self, twins):
        self.replicas = len(twins)
        # a template of the twin, kept out of the module's parameters and state dict
        object.__setattr__(self, "_template", copy.deepcopy(twins[0]))

    def _stack(self, twins, names):
        """Register parameters ``names`` stacked over the twins: ``(K, *shape)``."""
        self._remember(twins)
        for name in names:
            p = [getattr(t, name, None) for t in twins]
            if any(q is None for q in p):
                self.register_parameter(name, None)
                continue
            if any(q.shape != p[0].shape for q in p):
                raise ValueError(f"the models differ in the shape of {name}: {[tuple(q.shape) for q in p]}")
            self.register_parameter(name, nn.Parameter(torch.stack([q.detach() for q in p]).clone()))

    def _check_replica(self, k):
        if isinstance(k, bool) or not isinstance(k, numbers.Integral):
            raise TypeError(f"a replica index must be an int, got {type(k).__name__}")
        if not 0 <= k < self.replicas:
            raise ValueError(f"replica index must lie in [0, K={self.replicas}), got {k}")

    def _check_replica_axis(self, x, name: str):
        """Raise unless ``x`` has the leading replica axis ``K``."""
        if x.ndim == 0 or x.shape[0] != self.replicas:
            raise ValueError(f"{name} must have a leading replica axis of size K={self.replicas}, "
                             f"got shape {tuple(x.shape)}")

    def replica_state_dict(self, k: int) -> dict:
        """Replica ``k``'s weights as the twin's state dict (copies): loads into the ``torch.nn`` model."""
        self._check_replica(k)
        return {name: t[k].detach().clone() for name, t in self.state_dict().items()}

    def load_replica_state_dict(self, k: int, state_dict: dict):
        """Set replica ``k``'s weights from a state dict of the twin (e.g. a trained ``torch.nn`` model)."""
        self._check_replica(k)
        own = self.state_dict()
        missing, unexpected = sorted(set(own) - set(state_dict)), sorted(set(state_dict) - set(own))
        if missing or unexpected:
            raise ValueError(f"the state dict does not fit one replica of {type(self).__name__}: "
                             f"missing {missing}, unexpected {unexpected}")
        for name, value in state_dict.items():
            if tuple(value.shape) != tuple(own[name].shape[1:]):
                raise ValueError(f"{name} must have shape {tuple(own[name].shape[1:])} for one replica, "
                                 f"got {tuple(value.shape)}")
        with torch.no_grad():
            for name, value in state_dict.items():
                own[name][k].copy_(value)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """As ``nn.Module.load_state_dict``, with a clear error for a state of another ``K`` or shape."""
        own = self.state_dict()
        for name, value in state_dict.items():
            if name not in own:
                continue  # strict loading reports unexpected keys
            if value.ndim == 0 or value.shape[0] != self.replicas:
                raise ValueError(f"the state holds {value.shape[0] if value.ndim else 'no'} replicas of {name}, "
                                 f"the model K={self.replicas}")
            if value.shape != own[name].shape:
                raise ValueError(f"{name} must have shape {tuple(own[name].shape)}, got {tuple(value.shape)}")
        return super().load_state_dict(state_dict, strict=strict, assign=assign)

    def single(self, k: int) -> nn.Module:
        """A new single model (the twin) holding replica ``k``'s weights, on this model's device and dtype."""
        p = next(self.parameters())
        model = copy.deepcopy(self._template).to(device=p.device, dtype=p.dtype)
        model.load_state_dict(self.replica_state_dict(k))
        return model

    def extra_repr(self) -> str:
        return f"K={self.replicas}"


def replicate(make, seeds=None, replicas: int | None = None) -> _Replicated:
    """``K`` replicas of the model that ``make()`` builds, as one replica model.

    Replica ``k`` is ``make()`` run after ``torch.manual_seed(seeds[k])``, bit
    for bit (the global random state is restored afterwards); without
    ``seeds``, ``make()`` is called ``replicas`` times in a row. ``make`` may
    return an ``nn.RNN``/``LSTM``/``GRU`` (``torch.nn`` or
    :mod:`rnncourse.torch`), an ``nn.Linear``, an ``nn.Embedding``, a
    :class:`~rnncourse.torch.models.SequenceRegressor` or a
    :class:`~rnncourse.torch.models.SequenceClassifier`; it may change their
    weights (a forget-gate bias, an identity matrix) before returning them.

    >>> from rnncourse.torch.models import SequenceRegressor
    >>> adders = replicate(lambda: SequenceRegressor(2, 32, 1, cell="gru"),
    ...                    seeds=range(5))
    >>> adders.replicas
    5
    """
    twins = _build_twins(make, replicas, seeds)
    return _replica_class(twins[0]).from_twins(twins)


def _replica_class(model):
    for kinds, cls in REPLICA_OF:
        if isinstance(model, kinds):
            return cls
    raise TypeError(f"no replica version of {type(model).__name__}; supported: "
                    + ", ".join(k.__name__ for kinds, _ in REPLICA_OF for k in kinds))


def _bmm(x, W, b=None):
    """``x @ W.T + b`` replica by replica: ``x`` ``(K, N, D)``, ``W`` ``(K, O, D)``, ``b`` ``(K, O)`` -> ``(K, N, O)``."""
    if b is None:
        return torch.bmm(x, W.transpose(1, 2))
    return torch.baddbmm(b.unsqueeze(1), x, W.transpose(1, 2))


class ReplicaLinear(_Replicated):
    """``K`` copies of ``nn.Linear(in_features, out_features, bias)``: ``(K, ..., in)`` -> ``(K, ..., out)``.

    Parameters ``weight`` ``(K, out, in)`` and ``bias`` ``(K, out)``. The
    input must carry the replica axis. Keyword-only ``replicas``, ``seeds``: see
    :mod:`rnncourse.torch.replicas`.
    """

    twin = nn.Linear

    def _setup(self, twins):
        self.in_features, self.out_features = twins[0].in_features, twins[0].out_features
        self._stack(twins, ("weight", "bias"))

    def forward(self, x):
        """``x`` ``(K, ..., in_features)`` -> ``(K, ..., out_features)``."""
        check_floating(x, "x")
        self._check_replica_axis(x, "x")
        if x.shape[-1] != self.in_features:
            raise ValueError(f"x must have a last axis of size in_features={self.in_features}, got shape {tuple(x.shape)}")
        y = _bmm(x.reshape(self.replicas, -1, self.in_features), self.weight, self.bias)
        return y.reshape(*x.shape[:-1], self.out_features)


class ReplicaEmbedding(_Replicated):
    """``K`` copies of ``nn.Embedding(num_embeddings, embedding_dim, padding_idx)``.

    ``ids`` ``(K, ...)`` -> ``(K, ..., embedding_dim)``, each replica looking up
    its own table ``weight[k]`` (``weight`` is ``(K, V, E)``). As in
    ``nn.Embedding``, the row ``padding_idx`` gets no gradient.
    """

    twin = nn.Embedding

    def _setup(self, twins):
        first = twins[0]
        self.num_embeddings, self.embedding_dim = first.num_embeddings, first.embedding_dim
        self.padding_idx = first.padding_idx
        if first.max_norm is not None:
            raise ValueError("ReplicaEmbedding does not support max_norm")
        self._stack(twins, ("weight",))

    def forward(self, ids):
        """``ids`` ``(K, ...)`` integer -> ``(K, ..., embedding_dim)``."""
        check_integer(ids, "ids")
        self._check_replica_axis(ids, "ids")
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.num_embeddings):
            raise ValueError(f"ids must lie in [0, {self.num_embeddings}), got values from {int(ids.min())} "
                             f"to {int(ids.max())}")
        K, V = self.replicas, self.num_embeddings
        offset = (torch.arange(K, device=ids.device) * V).view(K, *([1] * (ids.ndim - 1)))
        e = F.embedding(ids + offset, self.weight.reshape(K * V, self.embedding_dim))
        if self.padding_idx is not None:  # no gradient reaches the padding row, as in nn.Embedding
            e = torch.where((ids == self.padding_idx).unsqueeze(-1), e.detach(), e)
        return e


# One time step of each cell for K replicas at once. The input's share of the
# pre-activations, gx_t = W_x. x_t + b_i. (K, B, G*H), comes precomputed: the
# layer computes it for all T steps in one batched product. Gate order as in
# torch.nn: LSTM i, f, g, o; GRU r, z, n.

def _rnn_step(gx_t, state, W_hh, b_hh, nonlinearity="tanh"):
    (h_prev,) = state
    h_t = NONLINEARITIES[nonlinearity](gx_t + _bmm(h_prev, W_hh, b_hh))  # tanh(W_xh x_t + W_hh h_{t-1} + b_h)
    return (h_t,)


def _lstm_step(gx_t, state, W_hh, b_hh):
    h_prev, c_prev = state
    a_t = gx_t + _bmm(h_prev, W_hh, b_hh)  # (K, B, 4H)
    H = h_prev.shape[-1]
    i_t, f_t, _, o_t = torch.sigmoid(a_t).split(H, dim=-1)  # sigma of the g block is not used
    g_t = torch.tanh(a_t[..., 2 * H : 3 * H])
    c_t = f_t * c_prev + i_t * g_t
    return o_t * torch.tanh(c_t), c_t  # h_t = o_t * tanh(c_t)


def _gru_step(gx_t, state, W_hh, b_hh):
    (h_prev,) = state
    H = h_prev.shape[-1]
    gh = _bmm(h_prev, W_hh, b_hh)  # W_h. h_{t-1} + b_h.  (K, B, 3H)
    r_t, z_t = torch.sigmoid(gx_t[..., : 2 * H] + gh[..., : 2 * H]).split(H, dim=-1)
    n_t = torch.tanh(gx_t[..., 2 * H :] + r_t * gh[..., 2 * H :])
    return (n_t + z_t * (h_prev - n_t),)  # (1 - z_t) n_t + z_t h_{t-1}, one product fewer


class _ReplicaRecurrent(_Replicated):
    """``K`` copies of a stacked, possibly bidirectional recurrent layer (time-major).

    Arguments as the twin (``torch.nn.RNN``/``LSTM``/``GRU``) takes them, no
    ``batch_first``; keyword-only ``replicas`` and ``seeds``. Parameters are the
    twin's, with a leading ``K``: ``weight_ih_l0`` ``(K, G*H, D)``, ...
    """

    num_gates = num_states = None

    def _setup(self, twins):
        first = twins[0]
        if getattr(first, "batch_first", False):
            raise ValueError(f"{type(self).__name__} is time-major: build the twin without batch_first")
        if getattr(first, "proj_size", 0):
            raise ValueError(f"{type(self).__name__} does not support proj_size")
        for name in ("input_size", "hidden_size", "num_layers", "bias", "dropout", "bidirectional"):
            setattr(self, name, getattr(first, name))
        self.nonlinearity = getattr(first, "nonlinearity", "tanh")
        self.num_directions = 2 if self.bidirectional else 1
        self._stack(twins, [name + suffix for layer in range(self.num_layers) for suffix in self._suffixes(layer)
                            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")])

    def _suffixes(self, layer: int):
        return [f"_l{layer}", f"_l{layer}_reverse"][: self.num_directions]

    def forward(self, input, hx=None, lengths=None):
        """Run the ``K`` replicas over a batch of sequences.

        Parameters
        ----------
        input : Tensor ``(T, B, D)``, the same for every replica, or ``(K, T, B, D)``
        hx : initial state ``(K, num_layers * num_directions, B, H)`` (a pair for
            the LSTM); zeros when ``None``.
        lengths : optional ``(B,)`` or ``(K, B)`` valid lengths: the state stops
            changing after a sequence's last valid step, in both directions, so
            ``h_n`` is what a packed sequence gives ``torch.nn``.

        Returns
        -------
        output : ``(K, T, B, num_directions * H)``, the last layer's ``h_t``
        h_n : ``(K, num_layers * num_directions, B, H)``, or ``(h_n, c_n)``
        """
        K, H = self.replicas, self.hidden_size
        if torch.is_tensor(input) and input.ndim == 4:
            check_floating(input, "input")
            check_shape(input, (K, None, None, self.input_size), "input", names=("K", "T", "B", "D"))
            check_finite(input, "input")
        else:
            check_sequence(input, self.input_size, "input")
        T, B = input.shape[-3], input.shape[-2]
        LD = self.num_layers * self.num_directions
        if hx is None:
            h_0 = tuple(input.new_zeros(K, LD, B, H) for _ in range(self.num_states))
        else:
            h_0 = _check_state(hx, self.num_states, (K, LD, B, H), ("K", "num_layers*num_directions", "B", "H"), "hx")
        valid = None if lengths is None else self._valid_steps(lengths, T, B)

        x, final = input, []
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                W_ih, W_hh, b_ih, b_hh = (getattr(self, n + suffix) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
                gx = self._input_share(x, W_ih, b_ih)  # (K, T, B, G*H)
                state = tuple(s[:, layer * self.num_directions + direction] for s in h_0)
                y, state = self._run(gx, state, W_hh, b_hh, valid, reverse=direction == 1)
                outputs.append(y)
                final.append(state)
            x = torch.cat(outputs, dim=-1) if len(outputs) > 1 else outputs[0]
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        h_n = tuple(torch.stack([state[j] for state in final], dim=1) for j in range(self.num_states))
        return x, (h_n if self.num_states > 1 else h_n[0])

    def _valid_steps(self, lengths, T, B):
        """``(T, K or 1, B, 1)`` booleans: step ``t`` lies inside sequence ``b``."""
        lengths = torch.as_tensor(lengths)
        check_integer(lengths, "lengths")
        if lengths.ndim == 1:
            check_shape(lengths, (B,), "lengths", names=("B",))
            lengths = lengths.unsqueeze(0)
        else:
            check_shape(lengths, (self.replicas, B), "lengths", names=("K", "B"))
        if bool((lengths < 1).any()) or bool((lengths > T).any()):
            raise ValueError(f"lengths must lie in [1, T={T}], got values from {int(lengths.min())} to {int(lengths.max())}")
        steps = torch.arange(T, device=lengths.device).view(T, 1, 1)
        return (steps < lengths.unsqueeze(0)).unsqueeze(-1)

    def _input_share(self, x, W_ih, b_ih):
        """``W_x. x_t + b_i.`` for every step in one product: ``(K, T, B, G*H)``."""
        T, B, D = x.shape[-3:]
        if x.ndim == 3:  # shared input: one (T B, D) matrix against K weight matrices
            gx = torch.matmul(x.reshape(1, T * B, D), W_ih.transpose(1, 2))
            gx = gx if b_ih is None else gx + b_ih.unsqueeze(1)
        else:
            gx = _bmm(x.reshape(self.replicas, T * B, D), W_ih, b_ih)
        return gx.view(self.replicas, T, B, -1)

    def _run(self, gx, state, W_hh, b_hh, valid, reverse):
        gx_ts = gx.unbind(1)  # unbind, not gx[:, t]: the backward stays linear in T
        h = [None] * len(gx_ts)
        for t in (reversed(range(len(gx_ts))) if reverse else range(len(gx_ts))):
            new = self._step(gx_ts[t], state, W_hh, b_hh)
            state = new if valid is None else tuple(torch.where(valid[t], n, s) for n, s in zip(new, state))
            h[t] = state[0]
        return torch.stack(h, dim=1), state

    def extra_repr(self) -> str:
        s = f"K={self.replicas}, {self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class ReplicaRNN(_ReplicaRecurrent):
    """``K`` copies of ``torch.nn.RNN`` (tanh or relu), run as one: see :class:`ReplicaLSTM` for the call.

    Arguments as ``torch.nn.RNN`` (``nonlinearity``, ``num_layers``,
    ``bidirectional``, ...; no ``batch_first``), plus keyword-only
    ``replicas`` and ``seeds``.
    """

    twin, num_gates, num_states = nn.RNN, 1, 1

    def _step(self, gx_t, state, W_hh, b_hh):
        return _rnn_step(gx_t, state, W_hh, b_hh, self.nonlinearity)


class ReplicaLSTM(_ReplicaRecurrent):
    """``K`` copies of ``torch.nn.LSTM``, run as one.

    Arguments as ``torch.nn.LSTM`` (no ``batch_first``, no ``proj_size``),
    plus keyword-only ``replicas`` and ``seeds``;
    ``lstm(x (T, B, D) or (K, T, B, D), (h_0, c_0) or None, lengths=None)`` ->
    ``(y (K, T, B, dirs*H), (h_n, c_n))``, states ``(K, L*dirs, B, H)``.
    Replica ``k``'s weights load into ``torch.nn.LSTM`` (:meth:`single`).
    """

    twin, num_gates, num_states = nn.LSTM, 4, 2
    _step = staticmethod(_lstm_step)


class ReplicaGRU(_ReplicaRecurrent):
    """``K`` copies of ``torch.nn.GRU`` (PyTorch's variant: reset after the product), run as one.

    Arguments as ``torch.nn.GRU`` (no ``batch_first``), plus keyword-only
    ``replicas`` and ``seeds``; call as
    :class:`ReplicaLSTM`, with a state ``h`` instead of ``(h, c)``.
    """

    twin, num_gates, num_states = nn.GRU, 3, 1
    _step = staticmethod(_gru_step)


class _ReplicaSequenceToOne(_Replicated):
    """Replicas of :class:`~rnncourse.torch.models.SequenceRegressor`/``SequenceClassifier``."""

    def _setup(self, twins):
        kinds = {type(t) for t in twins}
        if len(kinds) > 1:
            raise TypeError(f"the models must be of one class, got {sorted(k.__name__ for k in kinds)}")
        self._remember(twins)
        self.num_directions = twins[0].num_directions
        self.embedding = None if twins[0].embedding is None else ReplicaEmbedding.from_twins([t.embedding for t in twins])
        self.core = _replica_class(twins[0].core).from_twins([t.core for t in twins])
        self.readout = ReplicaLinear.from_twins([t.readout for t in twins])

    def forward(self, x, lengths=None):
        """``x`` ``(T, B, D)`` or ``(K, T, B, D)`` (ids ``(T, B)`` or ``(K, T, B)`` with an
        embedding), ``lengths`` ``(B,)``, ``(K, B)`` or ``None`` -> ``(K, B, O)``."""
        return self.readout(self.summary(x, lengths))

    def summary(self, x, lengths=None):
        """The last layer's state at each sequence's last valid step: ``(K, B, num_directions * H)``.

        As the twin with a ``torch.nn`` core (packed sequences): with
        ``lengths``, neither direction reads the padding.
        """
        if self.embedding is not None:
            check_integer(x, "x")
            if x.ndim == 2:
                x = x.unsqueeze(0).expand(self.replicas, *x.shape)
            check_shape(x, (self.replicas, None, None), "x", names=("K", "T", "B"))
            x = self.embedding(x)
        _, state = self.core(x, lengths=lengths)
        h_n = state[0] if isinstance(state, tuple) else state
        return torch.cat(list(h_n[:, -self.num_directions:].unbind(1)), dim=-1)


class ReplicaSequenceRegressor(_ReplicaSequenceToOne):
    """``K`` copies of :class:`~rnncourse.torch.models.SequenceRegressor`: ``(T, B, D)`` -> ``(K, B, O)``.

    Same arguments as the twin (whose core is ``torch.nn``), plus keyword-only
    ``replicas`` and ``seeds``: ``ReplicaSequenceRegressor(2, 32, 1, cell="gru",
    seeds=range(5))`` holds the five models that ``SequenceRegressor(2, 32, 1,
    cell="gru")`` gives after ``torch.manual_seed(0)``, ..., ``(4)``.
    """

    twin = SequenceRegressor


class ReplicaSequenceClassifier(_ReplicaSequenceToOne):
    """``K`` copies of :class:`~rnncourse.torch.models.SequenceClassifier`: -> logits ``(K, B, C)``.

    Same arguments as the twin (``vocab_size`` for token ids), plus keyword-only
    ``replicas`` and ``seeds``; ``model(x, lengths)`` reads each sequence at its
    last valid step, as the twin with a ``torch.nn`` core does.
    """

    twin = SequenceClassifier


REPLICA_OF = [
    ((nn.RNN, RNN), ReplicaRNN),
    ((nn.LSTM, LSTM), ReplicaLSTM),
    ((nn.GRU, GRU), ReplicaGRU),
    ((nn.Linear,), ReplicaLinear),
    ((nn.Embedding,), ReplicaEmbedding),
    ((SequenceRegressor,), ReplicaSequenceRegressor),
    ((SequenceClassifier,), ReplicaSequenceClassifier),
]
