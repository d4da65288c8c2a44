"""Spoken digits: the Free Spoken Digit Dataset, 3,000 recordings at 8 kHz.

    data = load_spoken_digits()                    # every recording
    data = load_spoken_digits(speakers=["george"], takes=range(5))
    x = data.waveforms[0]                          # float32 in [-1, 1], (L,)
    data.digits[0], data.speakers[0], data.takes[0], data.sample_rate

The recordings ship as 8-bit mu-law codes (``mu = 255``, the companding of
telephone speech) in one compressed file, ``rnncourse/data/files/fsdd-mulaw.npz``,
built from the original 16-bit WAV files by ``tools/build_fsdd.py``; see the
README next to it. :func:`mu_law_encode` and :func:`mu_law_decode` are the two
directions of that companding.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncourse.data._files import data_file

FILE = "fsdd-mulaw.npz"
MU = 255
N_TAKES = 50


class SpokenDigits(NamedTuple):
    """Recordings with their labels, all in the same order.

    ``waveforms`` list of ``N`` float32 arrays ``(L_n,)`` in ``[-1, 1]``;
    ``digits`` ``(N,)`` int64, 0-9; ``speakers`` ``(N,)`` str; ``takes``
    ``(N,)`` int64, 0-49; ``sample_rate`` 8000 (Hz).
    """

    waveforms: list
    digits: np.ndarray
    speakers: np.ndarray
    takes: np.ndarray
    sample_rate: int


def mu_law_encode(x, mu: int = MU) -> np.ndarray:
    """Compand ``x`` (floats in ``[-1, 1]``) and quantise it to codes ``0 .. mu`` (uint8 for ``mu = 255``).

    ``y = sign(x) log(1 + mu |x|) / log(1 + mu)``, then ``code = floor((y + 1) / 2 * mu + 0.5)``
    (the convention of ``torchaudio.functional.mu_law_encoding``).
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must hold floats in [-1, 1], got dtype {x.dtype} (divide int16 samples by 32768)")
    if x.size and (np.abs(x) > 1).any():
        raise ValueError(f"x must lie in [-1, 1], got values up to {float(np.abs(x).max()):.3g} in size")
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return np.floor((y + 1) / 2 * mu + 0.5).astype(np.uint8 if mu <= 255 else np.int64)


def mu_law_decode(codes, mu: int = MU) -> np.ndarray:
    """Codes ``0 .. mu`` back to float32 samples in ``[-1, 1]``: the inverse companding."""
    codes = np.asarray(codes)
    if not np.issubdtype(codes.dtype, np.integer):
        raise TypeError(f"codes must be integers 0 .. {mu}, got dtype {codes.dtype}")
    y = codes.astype(np.float64) / mu * 2 - 1
    return (np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu).astype(np.float32)


def _selection(name: str, wanted, allowed: list, kind: tuple, spelled: str) -> list:
    """``wanted`` (one value or an iterable of them) as a list, checked against ``allowed``."""
    values = [wanted] if isinstance(wanted, (str, int, np.integer)) else list(wanted)
    if not values:
        raise ValueError(f"{name} must name at least one value, got an empty selection")
    for v in values:
        if not isinstance(v, kind) or isinstance(v, bool):
            raise TypeError(f"{name} must hold {kind[0].__name__} values, got {v!r} ({type(v).__name__})")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"{name} must be among {spelled}, got {unknown}")
    return values


def load_spoken_digits(speakers=None, takes=None) -> SpokenDigits:
    """The Free Spoken Digit Dataset: digits 0-9 spoken in English, 8 kHz mono.

    Source: Z. Jackson, C. Souza, J. Flaks, Y. Pan, H. Nicolas and A. Thite,
    *Free Spoken Digit Dataset* (github.com/Jakobovski/free-spoken-digit-dataset,
    commit 26eb9aa), Creative Commons Attribution-ShareAlike 4.0. Six speakers
    (george, jackson, lucas, nicolas, theo, yweweler) each say each digit 50
    times (takes 0-49): 3,000 recordings of 0.14 to 2.28 s. Every recording is
    kept whole; the samples are stored as 8-bit mu-law codes, so each decoded
    sample differs from the original 16-bit one by at most half a quantisation
    step: ``log(1 + mu) (1 + mu |x|) / mu**2``, under 2.5% of the sample for
    samples above 5% of full scale (the README of the data folder gives details).

    Parameters
    ----------
    speakers : str or iterable of str, optional
        Keep these speakers only (default: all six).
    takes : int or iterable of int, optional
        Keep these takes only, each in ``0 .. 49`` (the data set's own test
        split is takes 0-4 of every speaker).

    Returns
    -------
    SpokenDigits
        ``(waveforms, digits, speakers, takes, sample_rate)``, ordered by
        speaker, then digit, then take.
    """
    with data_file(FILE).open("rb") as f, np.load(f) as z:
        codes, offsets = z["codes"], z["offsets"]
        all_speakers, speaker_index = z["speaker_names"], z["speaker"]
        digit, take, sample_rate = z["digit"], z["take"], int(z["sample_rate"])
    names = all_speakers[speaker_index]
    keep = np.ones(len(names), dtype=bool)
    if speakers is not None:
        keep &= np.isin(names, _selection("speakers", speakers, all_speakers.tolist(), (str,),
                                          ", ".join(all_speakers)))
    if takes is not None:
        keep &= np.isin(take, _selection("takes", takes, list(range(N_TAKES)), (int, np.integer),
                                         f"0 .. {N_TAKES - 1}"))
    keep = np.flatnonzero(keep)
    samples = mu_law_decode(np.arange(MU + 1))[codes]    # decode by table look-up
    waveforms = [samples[offsets[n]:offsets[n + 1]] for n in keep]
    return SpokenDigits(waveforms, digit[keep].astype(np.int64), names[keep],
                        take[keep].astype(np.int64), sample_rate)
