"""Tiny Shakespeare, and batches for truncated backpropagation through time."""
from __future__ import annotations

import math

import torch

from rnncourse._checks import check_integer, check_shape
from rnncourse.data._files import read_text


def load_shakespeare() -> str:
    """Tiny Shakespeare: 1,115,394 characters of plays, plain ASCII (65 distinct characters).

    Source: compiled by A. Karpathy for the char-rnn project (MIT licence);
    the text itself is in the public domain. Shipped as
    ``rnncourse/data/files/tinyshakespeare.txt``.
    """
    return read_text("tinyshakespeare.txt")


class TBPTTBatches:
    """Batches of a token stream for truncated BPTT (see :func:`tbptt_batches`).

    Iterable any number of times (one pass per epoch); ``len()`` is the
    number of batches.
    """

    def __init__(self, ids, batch_size: int, seq_len: int, drop_last: bool = False):
        ids = torch.as_tensor(ids)
        check_integer(ids, "ids")
        check_shape(ids, (None,), "ids", names=("N",))
        ids = ids.long()
        if batch_size < 1 or seq_len < 1:
            raise ValueError(f"batch_size and seq_len must be at least 1, got {batch_size} and {seq_len}")
        L = (len(ids) - 1) // batch_size  # steps per stream
        if L < 1:
            raise ValueError(f"{len(ids)} ids are too few for batch_size={batch_size}")
        # stream b holds ids[b*L : (b+1)*L]; its targets are the same ids shifted by one
        self.x = ids[: batch_size * L].reshape(batch_size, L).T  # (L, B)
        self.y = ids[1 : batch_size * L + 1].reshape(batch_size, L).T  # (L, B)
        self.seq_len, self.drop_last = seq_len, drop_last

    def __len__(self) -> int:
        L = self.x.shape[0]
        return L // self.seq_len if self.drop_last else math.ceil(L / self.seq_len)

    def __iter__(self):
        for k in range(len(self)):
            t = slice(k * self.seq_len, (k + 1) * self.seq_len)
            yield self.x[t], self.y[t]


def tbptt_batches(ids, batch_size: int, seq_len: int, drop_last: bool = False) -> TBPTTBatches:
    """Lay a stream of ids into ``batch_size`` contiguous streams, cut into chunks of ``seq_len`` steps.

    Column ``b`` of consecutive batches continues the same stretch of text, so
    the hidden state at the end of one batch is the right initial state for
    the next one (carry it, detached: truncated BPTT).

    Parameters
    ----------
    ids : 1-D ``LongTensor`` ``(N,)`` (e.g. ``vocab.encode(text)``)
    batch_size : int
        ``B``, the number of parallel streams, each ``(N - 1) // B`` steps long
        (the few ids left over at the end are dropped).
    seq_len : int
        ``T``, the steps per batch (the last batch may be shorter, unless ``drop_last``).

    Returns
    -------
    An iterable of ``(x, y)``, both ``(T, B)`` ``LongTensor``, time-major,
    with ``y[t] = `` the id after ``x[t]`` in the stream. It can be iterated
    again for every epoch, and has a ``len()``.
    """
    return TBPTTBatches(ids, batch_size, seq_len, drop_last)
