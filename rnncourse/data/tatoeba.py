"""English-Mandarin sentence pairs from Tatoeba, and a split that shares no sentence.

    pairs = load_tatoeba_cmn(max_english_words=6)
    train, valid, test = split_pairs(pairs, (0.8, 0.1, 0.1), seed=0)
    english_words(pairs[0].english)      # ['hi', '.']
    chinese_chars(pairs[0].chinese)      # ['嗨', '。']

Every pair keeps its attribution (the Tatoeba sentence numbers and their
authors), as the data's licence, CC BY 2.0 France, asks.
"""
from __future__ import annotations

import lzma
import re
from typing import NamedTuple

import numpy as np

from rnncourse.data._files import data_file

N_PAIRS = 29155
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|\S")


class SentencePair(NamedTuple):
    """An English sentence, its Chinese translation, and their Tatoeba attribution."""

    english: str
    chinese: str
    attribution: str


def english_words(text: str) -> list[str]:
    """The words of an English sentence: lower case, punctuation marks apart.

    ``"Don't worry, Tom."`` gives ``["don't", 'worry', ',', 'tom', '.']``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _WORD.findall(text.lower())


def chinese_chars(text: str) -> list[str]:
    """The characters of a Chinese sentence, without spaces: ``"你好。"`` gives ``['你', '好', '。']``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return [c for c in text if not c.isspace()]


def load_tatoeba_cmn(max_english_words: int | None = None, max_chinese_chars: int | None = None):
    """29,155 English-Mandarin sentence pairs from Tatoeba, optionally only the short ones.

    Source: sentences from Tatoeba (https://tatoeba.org), as compiled by
    manythings.org (its ``cmn-eng`` file); Creative Commons Attribution 2.0
    France. Shipped unchanged, compressed with xz, as
    ``rnncourse/data/files/tatoeba-cmn.txt.xz``: one pair a line, English, a
    tab, Chinese (simplified), a tab, the attribution of both sentences.

    Cleaning: the byte-order mark at the start of the file and the five
    zero-width spaces (U+200B) in Chinese sentences are removed; nothing else
    changes. Some English sentences have several translations (``"Hi."``:
    ``"嗨。"`` and ``"你好。"``), some Chinese sentences translate several
    English ones, and 100 (English, Chinese) pairs occur twice with different
    attributions: all are kept.

    Parameters
    ----------
    max_english_words : int, optional
        Keep the pairs whose English sentence has at most this many words, as
        counted by :func:`english_words` (punctuation marks count as words).
    max_chinese_chars : int, optional
        Keep the pairs whose Chinese sentence has at most this many characters
        (:func:`chinese_chars`, punctuation included).

    Returns
    -------
    list of :class:`SentencePair` ``(english, chinese, attribution)``, in the
    file's order (from short to long).
    """
    for name, limit in (("max_english_words", max_english_words), ("max_chinese_chars", max_chinese_chars)):
        if limit is not None and (not isinstance(limit, (int, np.integer)) or isinstance(limit, bool) or limit < 1):
            raise ValueError(f"{name} must be a positive int or None, got {limit!r}")
    text = lzma.decompress(data_file("tatoeba-cmn.txt.xz").read_bytes()).decode("utf-8-sig")
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"tatoeba-cmn.txt line {number}: expected 3 tab-separated fields, got {len(fields)}")
        english, chinese, attribution = fields
        pair = SentencePair(english, chinese.replace("\u200b", ""), attribution)
        if max_english_words is not None and len(english_words(pair.english)) > max_english_words:
            continue
        if max_chinese_chars is not None and len(chinese_chars(pair.chinese)) > max_chinese_chars:
            continue
        pairs.append(pair)
    return pairs


def _components(pairs) -> np.ndarray:
    """For each pair, the id of its connected component in the graph whose nodes are
    the sentences (English and Chinese apart) and whose edges are the pairs."""
    parent = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]          # path halving
            node = parent[node]
        return node

    for english, chinese, *_ in pairs:
        a, b = root(("en", english)), root(("zh", chinese))
        if a != b:
            parent[a] = b
    roots = [root(("en", p[0])) for p in pairs]
    ids = {r: k for k, r in enumerate(dict.fromkeys(roots))}
    return np.array([ids[r] for r in roots], dtype=np.int64)


def split_pairs(pairs, fractions=(0.8, 0.1, 0.1), seed=0):
    """Split sentence pairs into parts such that no sentence, on either side, is in two parts.

    Pairs that share an English or a Chinese sentence, directly or through a
    chain of such pairs, form a group; the groups are shuffled
    (``np.random.default_rng(seed)``) and dealt out in turn, each to the part
    furthest below its share. A random split of the pairs themselves would put
    the same English sentence, with another translation, in training and in
    test.

    Parameters
    ----------
    pairs : list of :class:`SentencePair` (or of ``(english, chinese, ...)`` tuples)
    fractions : positive floats summing to 1, one per part
    seed : int or ``np.random.Generator``

    Returns
    -------
    tuple of lists of pairs, one per part, each in the order of ``pairs``; the
    sizes follow ``fractions`` to within the largest group (a few pairs).
    """
    if not isinstance(pairs, (list, tuple)) or not pairs:
        raise ValueError(f"pairs must be a non-empty list of sentence pairs, got {type(pairs).__name__}"
                         + (" of length 0" if isinstance(pairs, (list, tuple)) else ""))
    bad = next((i for i, p in enumerate(pairs) if not (isinstance(p, tuple) and len(p) >= 2
                                                         and isinstance(p[0], str) and isinstance(p[1], str))), None)
    if bad is not None:
        raise TypeError(f"pairs[{bad}] must be a SentencePair or an (english, chinese, ...) tuple of str, "
                        f"got {pairs[bad]!r}")
    fractions = np.asarray(fractions, dtype=float)
    if fractions.ndim != 1 or len(fractions) < 2 or (fractions <= 0).any() or abs(fractions.sum() - 1) > 1e-9:
        raise ValueError(f"fractions must be two or more positive numbers summing to 1, got {fractions.tolist()}")
    component = _components(pairs)
    sizes = np.bincount(component)
    rng = np.random.default_rng(seed)
    part_of = np.empty(len(sizes), dtype=np.int64)
    filled = np.zeros(len(fractions))
    for c in rng.permutation(len(sizes)):
        k = int(np.argmin(filled / fractions))           # the part furthest below its share
        part_of[c] = k
        filled[k] += sizes[c]
    where = part_of[component]
    return tuple([p for p, k in zip(pairs, where) if k == part] for part in range(len(fractions)))
