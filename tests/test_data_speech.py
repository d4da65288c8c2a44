"""rnncourse.data.load_spoken_digits: the Free Spoken Digit Dataset shipped as mu-law codes."""
import wave
from pathlib import Path

import numpy as np
import pytest

import rnncourse.data as rd
from rnncourse.data.digits import mu_law_decode, mu_law_encode

WAVS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "fsdd"
SPEAKERS = ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]


def quantisation_bound(x, decoded, mu=255):
    """The largest error of mu-law quantisation for samples ``x`` decoded as ``decoded``."""
    return np.log1p(mu) * (1 + mu * np.maximum(np.abs(x), np.abs(decoded))) / mu ** 2 + 1e-6


@pytest.fixture(scope="module")
def data():
    return rd.load_spoken_digits()


def test_counts_and_labels(data):
    assert len(data.waveforms) == len(data.digits) == len(data.speakers) == len(data.takes) == 3000
    assert data.sample_rate == 8000
    assert sorted(set(data.speakers.tolist())) == SPEAKERS
    # every (speaker, digit, take) once: 6 x 10 x 50
    triples = set(zip(data.speakers.tolist(), data.digits.tolist(), data.takes.tolist()))
    assert len(triples) == 3000
    assert {d for _, d, _ in triples} == set(range(10)) and {t for _, _, t in triples} == set(range(50))
    assert data.digits.dtype == np.int64 and data.takes.dtype == np.int64
    # ordered by speaker, then digit, then take
    order = list(zip(data.speakers.tolist(), data.digits.tolist(), data.takes.tolist()))
    assert order == sorted(order)


def test_waveforms(data):
    lengths = np.array([len(x) for x in data.waveforms])
    assert all(x.dtype == np.float32 and x.ndim == 1 for x in data.waveforms)
    assert lengths.sum() == 10_498_424                     # every sample of the 3,000 WAV files
    assert 0.14 < lengths.min() / 8000 < 0.15 and 2.28 < lengths.max() / 8000 < 2.29
    assert max(float(np.abs(x).max()) for x in data.waveforms) <= 1.0
    # speech, not silence: every recording has energy well above the quantisation floor
    assert min(float(np.sqrt(np.mean(x ** 2))) for x in data.waveforms) > 1e-3


def test_subsets():
    george = rd.load_spoken_digits(speakers="george", takes=range(5))
    assert len(george.waveforms) == 50 and set(george.speakers) == {"george"}
    assert sorted(set(george.takes.tolist())) == [0, 1, 2, 3, 4]
    two = rd.load_spoken_digits(speakers=["theo", "lucas"], takes=7)
    assert len(two.waveforms) == 20 and set(two.speakers) == {"lucas", "theo"}
    full = rd.load_spoken_digits()
    k = int(np.flatnonzero((full.speakers == "theo") & (full.digits == 3) & (full.takes == 7))[0])
    j = int(np.flatnonzero((two.speakers == "theo") & (two.digits == 3))[0])
    assert np.array_equal(two.waveforms[j], full.waveforms[k])


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(speakers="alice"), ValueError, "george, jackson"),
    (dict(speakers=[]), ValueError, "at least one"),
    (dict(speakers=[3]), TypeError, "str"),
    (dict(takes=50), ValueError, "0 .. 49"),
    (dict(takes=[-1, 2]), ValueError, "0 .. 49"),
    (dict(takes=[1.0]), TypeError, "int"),
    (dict(takes=True), TypeError, "int"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        rd.load_spoken_digits(**kwargs)


def test_mu_law_round_trip_within_half_a_step():
    x = np.linspace(-1, 1, 200_001)
    codes = mu_law_encode(x)
    assert codes.dtype == np.uint8 and codes.min() == 0 and codes.max() == 255
    levels = mu_law_decode(np.arange(256))
    assert np.all(np.diff(levels) > 0) and levels[0] == -1 and levels[-1] == 1
    assert np.array_equal(mu_law_encode(levels.astype(np.float64)), np.arange(256))   # levels are fixed points
    # the error of rounding y = F(x) to the nearest of the 256 levels (spaced 2 / mu) is
    # at most 1 / mu in y, so at most F^-1's slope, log(1 + mu) (1 + mu |x|) / mu, times 1 / mu in x
    assert np.all(np.abs(levels[codes] - x) <= quantisation_bound(x, levels[codes]))
    # near zero the steps are fine, near full scale coarse: the relative error is about 2% at most
    big = np.abs(x) > 0.05
    assert np.max(np.abs(levels[codes] - x)[big] / np.abs(x[big])) < 0.025


def test_mu_law_errors():
    with pytest.raises(TypeError, match="32768"):
        mu_law_encode(np.array([1, 2], dtype=np.int16))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        mu_law_encode(np.array([0.5, 1.5]))
    with pytest.raises(TypeError, match="integers"):
        mu_law_decode(np.array([0.5]))


@pytest.mark.skipif(not WAVS.is_dir(), reason=f"the original WAV files are not at {WAVS}")
def test_round_trip_to_the_original_wav_files(data):
    """Every shipped recording equals its WAV file within the mu-law quantisation error."""
    levels = mu_law_decode(np.arange(256))
    worst = 0.0
    for x, d, s, t in zip(data.waveforms, data.digits, data.speakers, data.takes):
        with wave.open(str(WAVS / f"{d}_{s}_{t}.wav")) as w:
            original = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2") / 32768.0
        assert original.shape == x.shape, (d, s, t)
        assert np.array_equal(levels[mu_law_encode(original)], x)     # the stored codes are the encoded WAV
        bound = quantisation_bound(original, x)
        assert np.all(np.abs(x - original) <= bound), (d, s, t)
        worst = max(worst, float((np.abs(x - original) / bound).max()))
    assert worst > 0.8          # the bound is tight, not vacuous
