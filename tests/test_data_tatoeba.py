"""rnncourse.data.tatoeba: the shipped pairs, their attribution, and a split that shares no sentence."""
import collections
import lzma
from pathlib import Path

import pytest

import rnncourse.data as rd

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pairs():
    return rd.load_tatoeba_cmn()


def test_counts_and_first_pair(pairs):
    assert len(pairs) == rd.tatoeba.N_PAIRS == 29155
    assert pairs[0] == rd.SentencePair("Hi.", "嗨。", "CC-BY 2.0 (France) Attribution: tatoeba.org #538123 (CM) & #891077 (Martha)")
    assert pairs[0].english == "Hi."                                  # no byte-order mark left
    assert len({p.english for p in pairs}) == 27661 and len({p.chinese for p in pairs}) == 25543
    assert not any("\u200b" in p.chinese for p in pairs)


def test_the_shipped_file_is_the_original(pairs):
    raw = lzma.decompress((ROOT / "rnncourse" / "data" / "files" / "tatoeba-cmn.txt.xz").read_bytes())
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) == 29156 and lines[-1] == ""                   # one pair a line, then an empty line
    assert [tuple(line.split("\t")) for line in lines[:-1]][100] == tuple(pairs[100])


def test_every_pair_keeps_its_attribution(pairs):
    pattern = "CC-BY 2.0 (France) Attribution: tatoeba.org #"
    assert all(p.attribution.startswith(pattern) and " & #" in p.attribution for p in pairs)
    assert len({p.attribution for p in pairs}) == len(pairs)           # one attribution per pair


def test_length_filter(pairs):
    short = rd.load_tatoeba_cmn(max_english_words=5, max_chinese_chars=8)
    expected = [p for p in pairs if len(rd.english_words(p.english)) <= 5 and len(rd.chinese_chars(p.chinese)) <= 8]
    assert short == expected and 0 < len(short) < len(pairs)
    assert len(rd.load_tatoeba_cmn(max_english_words=5)) == 6584


def test_tokenizers():
    assert rd.english_words("Don't worry, Tom.") == ["don't", "worry", ",", "tom", "."]
    assert rd.english_words("I'm 25.") == ["i'm", "25", "."]
    assert rd.chinese_chars("我 爱你。") == ["我", "爱", "你", "。"]
    with pytest.raises(TypeError, match="str"):
        rd.english_words(["Hi."])


@pytest.mark.parametrize("seed", [0, 1])
def test_split_shares_no_sentence(pairs, seed):
    parts = rd.split_pairs(pairs, (0.8, 0.1, 0.1), seed=seed)
    assert sum(map(len, parts)) == len(pairs)
    assert collections.Counter(p for part in parts for p in part) == collections.Counter(pairs)
    for side in ("english", "chinese"):
        sets = [{getattr(p, side) for p in part} for part in parts]
        assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2]), side
    assert [round(len(part) / len(pairs), 2) for part in parts] == [0.8, 0.1, 0.1]


def test_split_is_needed_and_reproducible(pairs):
    """A random split of the pairs would share sentences; the split is a function of the seed."""
    import numpy as np
    order = np.random.default_rng(0).permutation(len(pairs))
    test_english = {pairs[i].english for i in order[: len(pairs) // 10]}
    train_english = {pairs[i].english for i in order[len(pairs) // 10:]}
    assert len(test_english & train_english) > 100
    assert rd.split_pairs(pairs, seed=3) == rd.split_pairs(pairs, seed=3) != rd.split_pairs(pairs, seed=4)


def test_split_groups_chains():
    p = [("a", "x"), ("b", "x"), ("b", "y"), ("c", "z")]              # a-x-b-y is one group
    for seed in range(5):
        parts = rd.split_pairs(p, (0.5, 0.5), seed=seed)
        group = [part for part in parts if ("a", "x") in part][0]
        assert {("a", "x"), ("b", "x"), ("b", "y")} <= set(group)


def test_clear_errors(pairs):
    with pytest.raises(ValueError, match="max_english_words must be a positive int"):
        rd.load_tatoeba_cmn(max_english_words=0)
    with pytest.raises(ValueError, match="max_chinese_chars"):
        rd.load_tatoeba_cmn(max_chinese_chars=2.5)
    with pytest.raises(ValueError, match="summing to 1"):
        rd.split_pairs(pairs, (0.8, 0.1))
    with pytest.raises(ValueError, match="non-empty list"):
        rd.split_pairs([])
    with pytest.raises(TypeError, match=r"pairs\[1\]"):
        rd.split_pairs([("a", "b"), "ab"])
