"""Rebuild ``rnncourse/data/files/fsdd-mulaw.npz`` from the original WAV files.

    python tools/build_fsdd.py [FSDD_FOLDER]     # default: ../shared/data/fsdd

Reads the 3,000 recordings ``{digit}_{speaker}_{take}.wav`` of the Free Spoken
Digit Dataset (8 kHz, 16-bit, mono), keeps every one whole, compands each
sample ``s`` (an int16) as ``mu_law_encode(s / 32768)`` with ``mu = 255`` and
stores the codes of all recordings, one after the other, with their labels, in
one ``np.savez_compressed`` file. Order: speaker (alphabetical), digit, take.
"""
from __future__ import annotations

import re
import sys
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from rnncourse.data.digits import FILE, MU, mu_law_encode  # noqa: E402

NAME = re.compile(r"(\d)_([a-z]+)_(\d+)\.wav")


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """The int16 samples and the sample rate of a mono 16-bit WAV file."""
    with wave.open(str(path)) as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(f"{path.name}: expected mono 16-bit, got {w.getnchannels()} channels, "
                             f"{8 * w.getsampwidth()} bits")
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()


def build(folder: Path, out: Path) -> dict:
    found = [(NAME.fullmatch(p.name), p) for p in folder.glob("*.wav")]
    if not found or any(m is None for m, _ in found):
        raise ValueError(f"{folder}: expected files named {{digit}}_{{speaker}}_{{take}}.wav")
    speakers = sorted({m[2] for m, _ in found})
    order = sorted(found, key=lambda mp: (mp[0][2], int(mp[0][1]), int(mp[0][3])))
    codes, lengths, rates = [], [], set()
    for _, path in order:
        samples, rate = read_wav(path)
        codes.append(mu_law_encode(samples / 32768.0))
        lengths.append(len(samples))
        rates.add(rate)
    if len(rates) != 1:
        raise ValueError(f"expected one sample rate, got {sorted(rates)}")
    np.savez_compressed(
        out,
        codes=np.concatenate(codes),
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        speaker_names=np.array(speakers),
        speaker=np.array([speakers.index(m[2]) for m, _ in order], dtype=np.int8),
        digit=np.array([int(m[1]) for m, _ in order], dtype=np.int8),
        take=np.array([int(m[3]) for m, _ in order], dtype=np.int16),
        sample_rate=np.int64(rates.pop()),
        mu=np.int64(MU),
    )
    return {"recordings": len(order), "samples": int(sum(lengths)), "bytes": out.stat().st_size}


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "fsdd"
    print(build(folder, ROOT / "rnncourse" / "data" / "files" / FILE))
