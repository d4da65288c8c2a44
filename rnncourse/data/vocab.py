"""A character vocabulary: characters <-> integer ids."""
from __future__ import annotations

import torch


class CharVocab:
    """The sorted set of characters of a text, each with an integer id.

    Parameters
    ----------
    text : str, or an iterable of str (e.g. a list of names)
        Every character that occurs gets an id, in sorted order.
    pad : bool
        Reserve id 0 for padding (:attr:`pad_id`); the characters then start
        at 1, and :meth:`decode` skips the padding.

    ``encode`` and ``decode`` are inverse: ``vocab.decode(vocab.encode(s)) == s``.
    A character outside the vocabulary raises a ``ValueError`` that names it.
    """

    def __init__(self, text, pad: bool = False):
        chars = sorted(set(text) if isinstance(text, str) else set().union(*map(set, text)))
        self.pad_id = 0 if pad else None
        self.chars = chars
        self.itos = ([None] if pad else []) + chars  # id -> character (None: padding)
        self.stoi = {c: i for i, c in enumerate(self.itos) if c is not None}

    def __len__(self) -> int:
        """The number of ids (the characters, plus one for padding)."""
        return len(self.itos)

    def encode(self, text: str) -> torch.Tensor:
        """The ids of the characters of ``text``: a ``LongTensor`` ``(len(text),)``."""
        try:
            return torch.tensor([self.stoi[c] for c in text], dtype=torch.long)
        except KeyError as err:
            c = err.args[0]
            raise ValueError(f"character {c!r} (U+{ord(c):04X}) at position {text.index(c)} is not in the "
                             f"vocabulary of {len(self.chars)} characters") from None

    def decode(self, ids) -> str:
        """The text of a sequence of ids (tensor, array or list); padding ids are skipped."""
        out = []
        for i in torch.as_tensor(ids).reshape(-1).tolist():
            if not 0 <= i < len(self.itos):
                raise ValueError(f"id {i} is not in the vocabulary (ids 0 to {len(self.itos) - 1})")
            if i != self.pad_id:
                out.append(self.itos[i])
        return "".join(out)

    def __repr__(self) -> str:
        return f"CharVocab({len(self.chars)} characters{', pad_id=0' if self.pad_id == 0 else ''})"
