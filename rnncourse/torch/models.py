"""Small models for the application chapters, built on a recurrent core.

The core is an RNN, an LSTM or a GRU (``cell="rnn" | "lstm" | "gru"``), either
written from scratch in :mod:`rnncourse.torch` (``impl="scratch"``) or the
optimised ``torch.nn`` one (``impl="torch"``); both have the same parameters,
so a state dict moves from one to the other.

* :class:`SequenceRegressor`, :class:`SequenceClassifier`: sequence to one
  output, read from the last *valid* step of each sequence.
* :class:`CharLM`: a character-level language model (embedding, core,
  readout at every step) that carries its state for truncated BPTT and samples
  text with a temperature.

Sequences are time-major: ``(T, B, D)`` features or ``(T, B)`` token ids.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnncourse._checks import check_integer, check_sequence, check_shape
from rnncourse.torch.gru import GRU
from rnncourse.torch.lstm import LSTM
from rnncourse.torch.rnn import RNN

CORES = {
    "scratch": {"rnn": RNN, "lstm": LSTM, "gru": GRU},
    "torch": {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU},
}


def make_recurrent(cell: str, input_size: int, hidden_size: int, impl: str = "torch", **kwargs) -> nn.Module:
    """A sequence layer: ``cell`` in ``"rnn"``, ``"lstm"``, ``"gru"``; ``impl`` in ``"scratch"``, ``"torch"``.

    ``kwargs`` go to the layer (``num_layers``, ``bidirectional``, ``dropout``, ...).
    """
    if impl not in CORES:
        raise ValueError(f"impl must be one of {sorted(CORES)}, got {impl!r}")
    if cell not in CORES[impl]:
        raise ValueError(f"cell must be one of {sorted(CORES[impl])}, got {cell!r}")
    return CORES[impl][cell](input_size, hidden_size, **kwargs)


def _final_h(state):
    """``h_n`` of a state ``h_n`` or ``(h_n, c_n)``."""
    return state[0] if isinstance(state, tuple) else state


class _SequenceToOne(nn.Module):
    """Core, then a linear readout of the summary of each sequence."""

    def __init__(self, input_size, hidden_size, output_size, cell, impl, num_layers, bidirectional, dropout):
        super().__init__()
        self.embedding = None  # SequenceClassifier(vocab_size=...) embeds token ids first
        self.core = make_recurrent(cell, input_size, hidden_size, impl, num_layers=num_layers,
                                   bidirectional=bidirectional, dropout=dropout)
        self.num_directions = 2 if bidirectional else 1
        self.readout = nn.Linear(self.num_directions * hidden_size, output_size)

    def forward(self, x, lengths=None):
        """``x`` ``(T, B, D)`` (or ``(T, B)`` ids with an embedding), ``lengths`` ``(B,)`` or ``None`` -> ``(B, O)``."""
        return self.readout(self.summary(x, lengths))

    def summary(self, x, lengths=None):
        """The last layer's state at the last valid step: ``(B, num_directions * H)``.

        Without ``lengths`` every sequence runs the full ``T`` steps. With
        ``lengths``, padding after the end of a sequence is skipped: a
        ``torch.nn`` core reads a packed sequence; a scratch core runs over the
        padded batch and the output is gathered at step ``lengths - 1`` (which
        is exact in one direction only: the reverse direction of a scratch
        core would start in the padding, so that combination raises).
        """
        if self.embedding is not None:
            check_integer(x, "x")
            check_shape(x, (None, None), "x", names=("T", "B"))
            x = self.embedding(x)
        check_sequence(x, self.core.input_size, "x")
        T, B = x.shape[0], x.shape[1]
        if lengths is not None:
            lengths = torch.as_tensor(lengths)
            check_integer(lengths, "lengths")
            check_shape(lengths, (B,), "lengths", names=("B",))
            if bool((lengths < 1).any()) or bool((lengths > T).any()):
                raise ValueError(f"lengths must lie in [1, T={T}], got values from {int(lengths.min())} to {int(lengths.max())}")
            if bool((lengths == T).all()):
                lengths = None
        if lengths is not None and isinstance(self.core, nn.RNNBase):
            x = pack_padded_sequence(x, lengths.cpu(), enforce_sorted=False)
        elif lengths is not None:
            if self.num_directions == 2:
                raise ValueError("a bidirectional scratch core cannot skip the padding of variable-length "
                                 "sequences; use impl='torch' (packed sequences) or sequences of equal length")
            y, _ = self.core(x)
            last = (lengths - 1).to(y.device)
            return y[last, torch.arange(B, device=y.device)]
        _, state = self.core(x)
        h_n = _final_h(state)[-self.num_directions:]  # last layer: forward ends at T-1, reverse at 0
        return torch.cat(list(h_n), dim=1)


class SequenceRegressor(_SequenceToOne):
    """Sequence to vector: ``(T, B, D)`` -> ``(B, output_size)`` (e.g. the next ``horizon`` values).

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        ``D``, ``H`` and ``O``.
    cell : ``"rnn"``, ``"lstm"`` or ``"gru"``
    impl : ``"torch"`` (``torch.nn``) or ``"scratch"`` (:mod:`rnncourse.torch`)
    num_layers, bidirectional, dropout
        Passed to the core.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int = 1, cell: str = "lstm",
                 impl: str = "torch", num_layers: int = 1, bidirectional: bool = False, dropout: float = 0.0):
        super().__init__(input_size, hidden_size, output_size, cell, impl, num_layers, bidirectional, dropout)


class SequenceClassifier(_SequenceToOne):
    """Sequence to class scores: ``(T, B, D)`` or ``(T, B)`` ids -> logits ``(B, num_classes)``.

    ``model(x, lengths)`` reads each sequence at its last valid step (see
    :meth:`summary`); use ``lengths`` from :func:`rnncourse.data.pad_batch`.

    Parameters
    ----------
    input_size : int
        ``D``; with ``vocab_size``, the size of the embedding of each token.
    hidden_size, num_classes : int
    vocab_size : int, optional
        If given, the input is ``(T, B)`` token ids, embedded first
        (id ``padding_idx`` embeds to zeros).
    cell, impl, num_layers, bidirectional, dropout
        As in :class:`SequenceRegressor`.
    """

    def __init__(self, input_size: int, hidden_size: int, num_classes: int, vocab_size: int | None = None,
                 cell: str = "gru", impl: str = "torch", num_layers: int = 1, bidirectional: bool = False,
                 dropout: float = 0.0, padding_idx: int | None = 0):
        super().__init__(input_size, hidden_size, num_classes, cell, impl, num_layers, bidirectional, dropout)
        if vocab_size is not None:
            self.embedding = nn.Embedding(vocab_size, input_size, padding_idx=padding_idx)


class CharLM(nn.Module):
    """Character-level language model: embedding, recurrent core, readout at every step.

    ``model(x, state=None)`` maps ids ``x`` (T, B) to ``(logits (T, B, V), state)``:
    pass the returned state (detached) with the next batch of a stream for
    truncated BPTT (see :func:`rnncourse.data.tbptt_batches`).

    Parameters
    ----------
    vocab_size : int
        ``V``, the number of characters.
    hidden_size, embedding_dim : int
    cell, impl, num_layers, dropout
        The core, as in :func:`make_recurrent`.
    """

    def __init__(self, vocab_size: int, hidden_size: int = 128, embedding_dim: int = 32, cell: str = "lstm",
                 impl: str = "torch", num_layers: int = 1, dropout: float = 0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.core = make_recurrent(cell, embedding_dim, hidden_size, impl, num_layers=num_layers, dropout=dropout)
        self.readout = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        check_integer(x, "x")
        check_shape(x, (None, None), "x", names=("T", "B"))
        y, state = self.core(self.embedding(x), state)
        return self.readout(y), state

    @torch.no_grad()
    def sample(self, prefix, length: int, temperature: float = 1.0, generator: torch.Generator | None = None):
        """Generate ``length`` ids after ``prefix`` (a non-empty sequence of ids).

        Each next id is drawn from ``softmax(logits / temperature)``: a low
        temperature sharpens the distribution, a high one flattens it, and
        ``temperature=0`` takes the most likely id. ``generator`` (a CPU
        ``torch.Generator``) makes the draw reproducible. Returns a CPU
        ``LongTensor`` ``(length,)`` of the new ids only; decode it with the
        vocabulary, e.g. ``vocab.decode(model.sample(vocab.encode("ROMEO:"), 200))``.
        """
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        prefix = torch.as_tensor(prefix, dtype=torch.long)
        check_shape(prefix, (None,), "prefix", names=("T",))
        if len(prefix) == 0:
            raise ValueError("prefix must hold at least one id, got an empty sequence")
        device = next(self.parameters()).device
        was_training = self.training
        self.eval()
        try:
            logits, state = self(prefix.to(device)[:, None])
            out = []
            for _ in range(length):
                last = logits[-1, 0].double().cpu()  # (V,)
                if temperature == 0:
                    next_id = last.argmax().reshape(1)
                else:
                    probs = torch.softmax(last / temperature, dim=0)
                    next_id = torch.multinomial(probs, 1, generator=generator)
                out.append(next_id)
                logits, state = self(next_id.to(device)[:, None], state)
        finally:
            self.train(was_training)
        return torch.cat(out) if out else torch.zeros(0, dtype=torch.long)
