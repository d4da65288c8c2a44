"""Surnames in 18 languages, splits that keep the class balance, and padded batches.

    names, labels, classes = load_names()
    train, valid, test = stratified_split(labels, (0.8, 0.1, 0.1), seed=0)
    vocab = CharVocab(names, pad=True)
    data = NamesDataset([names[i] for i in train], labels[train], vocab)
    loader = DataLoader(data, batch_size=64, shuffle=True, collate_fn=collate_names)
    for ids, lengths, y in loader:  # ids (T, B), lengths (B,), y (B,)
        packed = pack_padded_sequence(embed(ids), lengths, enforce_sorted=False)
"""
from __future__ import annotations

import numpy as np
import torch

from rnncourse.data._files import list_files, read_text
from rnncourse.data.vocab import CharVocab


def load_names():
    """20,074 surnames from 18 languages (Arabic ... Vietnamese), as UTF-8 text.

    Source: the surname data of the PyTorch tutorial "NLP From Scratch:
    Classifying Names with a Character-Level RNN" (S. Robertson; PyTorch
    tutorials, BSD-3-Clause licence). Shipped as
    ``rnncourse/data/files/names/<Language>.txt``, one name per line.

    Every line is kept (a name may appear several times, and in several
    languages); surrounding whitespace is removed (ten Chinese and Korean lines
    end in a space, a give-away of the label); accents are kept as they are.

    Returns
    -------
    names : list of str, in the order of the classes, then of the files
    labels : ndarray ``(20074,)`` int64, the index of each name's language in ``classes``
    classes : list of str, the 18 languages in alphabetical order
    """
    classes = [f[: -len(".txt")] for f in list_files("names", suffix=".txt")]
    names, labels = [], []
    for k, language in enumerate(classes):
        lines = [line.strip() for line in read_text("names", language + ".txt").splitlines()]
        lines = [line for line in lines if line]
        names += lines
        labels += [k] * len(lines)
    return names, np.array(labels, dtype=np.int64), classes


def stratified_split(labels, fractions=(0.8, 0.1, 0.1), seed: int = 0):
    """Split indices at random into parts that keep each class's share.

    Each class's examples are shuffled (``np.random.default_rng(seed)``) and
    cut in the given fractions (rounded), so a rare language has its share in
    every part.

    Parameters
    ----------
    labels : array ``(N,)`` of class indices
    fractions : positive floats summing to 1, one per part
    seed : int or ``np.random.Generator``

    Returns
    -------
    tuple of int64 index arrays, one per part, disjoint, covering ``0 .. N-1``,
    each in random order.
    """
    labels = np.asarray(labels)
    fractions = np.asarray(fractions, dtype=float)
    if labels.ndim != 1:
        raise ValueError(f"labels must have shape (N,), got shape {labels.shape}")
    if fractions.ndim != 1 or len(fractions) < 2 or (fractions <= 0).any() or abs(fractions.sum() - 1) > 1e-9:
        raise ValueError(f"fractions must be two or more positive numbers summing to 1, got {fractions.tolist()}")
    rng = np.random.default_rng(seed)
    parts = [[] for _ in fractions]
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        cuts = np.rint(np.cumsum(fractions) * len(members)).astype(int)
        for part, chunk in zip(parts, np.split(members, cuts[:-1])):
            part.append(chunk)
    return tuple(rng.permutation(np.concatenate(part)).astype(np.int64) for part in parts)


def pad_batch(sequences, pad_id: int = 0):
    """Pad 1-D id tensors of different lengths into one time-major batch.

    Returns ``ids`` ``(T, B)`` long, ``T`` the longest length, padded with
    ``pad_id`` after each sequence's end, and ``lengths`` ``(B,)`` long (on
    the CPU), ready for ``pack_padded_sequence(x, lengths, enforce_sorted=False)``.
    """
    sequences = [torch.as_tensor(s, dtype=torch.long) for s in sequences]
    if not sequences or any(s.ndim != 1 or len(s) == 0 for s in sequences):
        raise ValueError("pad_batch needs at least one sequence, each a non-empty 1-D sequence of ids")
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)
    ids = torch.nn.utils.rnn.pad_sequence(sequences, padding_value=pad_id)  # (T, B)
    return ids, lengths


def collate_names(batch, pad_id: int = 0):
    """``collate_fn`` for a ``DataLoader``: a list of ``(ids, label)`` -> ``(ids (T, B), lengths (B,), labels (B,))``."""
    ids, lengths = pad_batch([ids for ids, _ in batch], pad_id)
    return ids, lengths, torch.tensor([int(label) for _, label in batch], dtype=torch.long)


class NamesDataset(torch.utils.data.Dataset):
    """Names as ``(ids, label)`` pairs: ``ids`` a ``LongTensor`` ``(len(name),)`` from ``vocab``."""

    def __init__(self, names, labels, vocab: CharVocab):
        if len(names) != len(labels):
            raise ValueError(f"names and labels must have the same length, got {len(names)} and {len(labels)}")
        self.names, self.labels, self.vocab = list(names), np.asarray(labels), vocab

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, k):
        return self.vocab.encode(self.names[k]), int(self.labels[k])
