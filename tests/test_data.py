"""rnncourse.data: the shipped data sets, the splits and batches, the synthetic tasks."""
import os

import numpy as np
import pytest
import torch

import rnncourse.data as rd


# -- sunspots --

def test_sunspots():
    dates, values = rd.load_sunspots()
    assert dates.shape == values.shape == (2820,)
    assert dates.dtype == np.dtype("datetime64[M]") and values.dtype == np.float64
    assert str(dates[0]) == "1749-01" and str(dates[-1]) == "1983-12"
    assert (np.diff(dates) == np.timedelta64(1, "M")).all()  # every month, in order
    assert values[:3].tolist() == [58.0, 62.6, 70.0] and values[-1] == 33.4
    assert (values >= 0).all()


def test_loaders_work_from_any_directory(tmp_path):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert len(rd.load_sunspots()[1]) == 2820
        assert len(rd.load_names()[0]) == 20074
    finally:
        os.chdir(cwd)


def test_make_windows_one_and_multi_step():
    series = np.arange(10.0)
    X, Y = rd.make_windows(series, window=3)
    assert X.shape == (7, 3) and Y.shape == (7, 1)
    assert X[0].tolist() == [0, 1, 2] and Y[0].tolist() == [3] and Y[-1].tolist() == [9]
    X, Y = rd.make_windows(series, window=4, horizon=3)
    assert X.shape == (4, 4) and Y.shape == (4, 3)
    assert (Y[:, 0] == X[:, -1] + 1).all() and Y[-1].tolist() == [7, 8, 9]
    X, Y = rd.make_windows(np.stack([series, -series], 1), window=2, horizon=2)
    assert X.shape == (7, 2, 2) and Y.shape == (7, 2, 2)
    with pytest.raises(ValueError, match="too short"):
        rd.make_windows(series, window=8, horizon=3)


@pytest.mark.parametrize("window,horizon", [(24, 1), (36, 6)])
def test_chronological_split_does_not_leak(window, horizon):
    """Split the time index like the series: which steps does each part use?"""
    N = 2820
    parts = rd.chronological_split(np.arange(N), (0.7, 0.15, 0.15), context=window)
    windows = [rd.make_windows(part, window, horizon) for part in parts]
    (X_tr, Y_tr), (X_va, Y_va), (X_te, Y_te) = windows
    # targets are in time order across the parts, and no later target is an earlier part's target
    assert Y_tr.max() < Y_va.min() and Y_va.max() < Y_te.min()
    # the test windows (inputs and targets) never touch a training target, nor do validation targets
    assert not set(np.concatenate([X_te.ravel(), Y_te.ravel()])) & set(Y_tr.ravel())
    assert not set(Y_va.ravel()) & set(Y_tr.ravel())
    # each part's targets lie in its own range (after the prepended context) ...
    for j, (part, (_, Y)) in enumerate(zip(parts, windows)):
        own = part if j == 0 else part[window:]
        assert own[0] <= Y.min() and Y.max() <= own[-1]
    # ... and, with context=window, no step after the first window is lost as a target
    assert set(np.concatenate([Y.ravel() for _, Y in windows])) == set(range(window, N))


def test_chronological_split_sizes_and_errors():
    a, b, c = rd.chronological_split(np.arange(100), (0.7, 0.15, 0.15))
    assert (len(a), len(b), len(c)) == (70, 15, 15) and a[-1] + 1 == b[0] and b[-1] + 1 == c[0]
    with pytest.raises(ValueError, match="summing to 1"):
        rd.chronological_split(np.arange(100), (0.7, 0.2))
    with pytest.raises(ValueError, match="too short"):
        rd.chronological_split(np.arange(10), (0.5, 0.5), context=6)


def test_standardizer_fits_on_train_only():
    _, values = rd.load_sunspots()
    train, valid, test = rd.chronological_split(values, (0.7, 0.15, 0.15))
    scaler = rd.Standardizer().fit(train)
    z = scaler.transform(train)
    assert abs(z.mean()) < 1e-12 and abs(z.std() - 1) < 1e-12
    assert scaler.mean == pytest.approx(train.mean()) and scaler.mean != pytest.approx(values.mean())
    assert abs(scaler.transform(test).mean()) > 1e-3  # the test part keeps its own offset
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(test)), test, atol=1e-12)
    per_column = rd.Standardizer(axis=0).fit(np.stack([values, 10 * values + 3], 1))
    assert per_column.mean.shape == (2,)
    with pytest.raises(RuntimeError, match="not fitted"):
        rd.Standardizer().transform(values)
    with pytest.raises(ValueError, match="constant"):
        rd.Standardizer().fit(np.ones(5))


# -- Shakespeare --

def test_shakespeare_and_vocab_round_trip():
    text = rd.load_shakespeare()
    assert isinstance(text, str) and len(text) == 1_115_394
    assert text.startswith("First Citizen:")
    vocab = rd.CharVocab(text)
    assert len(vocab) == 65 and vocab.pad_id is None
    ids = vocab.encode(text[:5000])
    assert ids.dtype == torch.long and ids.shape == (5000,) and 0 <= ids.min() and ids.max() < 65
    assert vocab.decode(ids) == text[:5000]
    assert vocab.decode(ids.numpy()) == vocab.decode(ids.tolist()) == text[:5000]
    with pytest.raises(ValueError, match=r"character 'é' \(U\+00E9\) at position 2 is not in the vocabulary"):
        vocab.encode("caé")
    with pytest.raises(ValueError, match="id 65 is not in the vocabulary"):
        vocab.decode([3, 65])


def test_tbptt_batches_are_contiguous_streams():
    ids = torch.arange(1000)
    batches = rd.tbptt_batches(ids, batch_size=4, seq_len=32)
    L = 999 // 4  # steps per stream
    assert len(batches) == -(-L // 32) and len(list(batches)) == len(batches)  # re-iterable
    xs, ys = zip(*batches)
    assert all(x.shape == y.shape and x.dtype == torch.long and x.shape[1] == 4 for x, y in zip(xs, ys))
    assert xs[0].shape == (32, 4) and xs[-1].shape == (L - 32 * (len(xs) - 1), 4)
    x, y = torch.cat(xs), torch.cat(ys)
    assert (y == x + 1).all()  # each target is the next id of the stream
    assert (x[:, 1:] == x[:, :-1] + L).all() and x[0, 0] == 0  # column b continues where it left off
    assert (xs[1][0] == xs[0][-1] + 1).all()  # batch k+1 continues batch k in every column
    assert len(rd.tbptt_batches(ids, 4, 32, drop_last=True)) == L // 32
    with pytest.raises(TypeError, match="integer dtype"):
        rd.tbptt_batches(torch.rand(100), 4, 8)


# -- names --

def test_names():
    names, labels, classes = rd.load_names()
    assert len(names) == len(labels) == 20074 and labels.dtype == np.int64
    assert len(classes) == 18 and classes[0] == "Arabic" and classes[-1] == "Vietnamese"
    assert classes == sorted(classes)
    counts = dict(zip(classes, np.bincount(labels)))
    assert counts["Russian"] == 9408 and counts["Vietnamese"] == 73 and counts["Korean"] == 94
    assert all(n == n.strip() and n for n in names)
    assert "Müller" in names and sum(not n.isascii() for n in names) > 100  # UTF-8, accents kept
    assert names[labels.tolist().index(classes.index("Polish"))].isalpha()


def test_stratified_split():
    _, labels, classes = rd.load_names()
    parts = rd.stratified_split(labels, (0.8, 0.1, 0.1), seed=0)
    joined = np.concatenate(parts)
    assert sorted(joined.tolist()) == list(range(len(labels)))  # disjoint and complete
    overall = np.bincount(labels) / len(labels)
    for part in parts:
        share = np.bincount(labels[part], minlength=len(classes)) / len(part)
        assert np.abs(share - overall).max() < 0.002
        assert (np.bincount(labels[part], minlength=len(classes)) > 0).all()  # every language in every part
    again = rd.stratified_split(labels, (0.8, 0.1, 0.1), seed=0)
    other = rd.stratified_split(labels, (0.8, 0.1, 0.1), seed=1)
    assert all((a == b).all() for a, b in zip(parts, again))
    assert not (parts[1] == other[1][: len(parts[1])]).all()


def test_padded_batches_for_packing():
    names, labels, classes = rd.load_names()
    vocab = rd.CharVocab(names, pad=True)
    assert vocab.pad_id == 0 and vocab.itos[0] is None and len(vocab) == len(vocab.chars) + 1
    assert vocab.decode(vocab.encode(names[123])) == names[123]
    data = rd.NamesDataset(names, labels, vocab)
    batch = [data[k] for k in (5, 9000, 20000)]
    ids, lengths, y = rd.collate_names(batch)
    assert ids.dtype == lengths.dtype == y.dtype == torch.long
    assert ids.shape == (max(len(names[k]) for k in (5, 9000, 20000)), 3)
    assert lengths.tolist() == [len(names[k]) for k in (5, 9000, 20000)]
    assert y.tolist() == [labels[k] for k in (5, 9000, 20000)]
    for b, k in enumerate((5, 9000, 20000)):
        assert vocab.decode(ids[:, b]) == names[k] and (ids[lengths[b]:, b] == 0).all()
    packed = torch.nn.utils.rnn.pack_padded_sequence(ids, lengths, enforce_sorted=False)
    unpacked, back = torch.nn.utils.rnn.pad_packed_sequence(packed)
    assert torch.equal(unpacked, ids) and torch.equal(back, lengths)
    loader = torch.utils.data.DataLoader(data, batch_size=64, collate_fn=rd.collate_names)
    ids, lengths, y = next(iter(loader))
    assert ids.shape[1] == 64 and ids.shape[0] == lengths.max()
    with pytest.raises(ValueError, match="non-empty"):
        rd.pad_batch([torch.tensor([1, 2]), torch.tensor([], dtype=torch.long)])


# -- synthetic tasks --

def test_adding_problem():
    x, y = rd.adding_problem(500, 40, seed=3)
    assert x.shape == (40, 500, 2) and y.shape == (500, 1) and x.dtype == y.dtype == torch.float32
    values, markers = x[..., 0], x[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert set(markers.unique().tolist()) == {0.0, 1.0}
    assert (markers.sum(0) == 2).all()
    assert (markers[:20].sum(0) == 1).all() and (markers[20:].sum(0) == 1).all()  # one in each half
    marked = [values[markers[:, b] == 1, b].sum() for b in range(500)]
    assert torch.allclose(y[:, 0], torch.stack(marked))
    assert torch.equal(rd.adding_problem(500, 40, seed=3)[0], x)
    assert not torch.equal(rd.adding_problem(500, 40, seed=4)[0], x)
    # the baseline: predicting 1 always gives a mean squared error near 1/6
    assert abs(((y - 1) ** 2).mean().item() - 1 / 6) < 0.03


def test_copy_task():
    T, k, S = 30, 5, 6
    x, y = rd.copy_task(200, T, seed=0, n_symbols=S, length=k)
    assert x.shape == (T + 2 * k, 200) and y.shape == (k, 200) and x.dtype == y.dtype == torch.long
    assert torch.equal(x[:k], y)  # the targets are the symbols seen first
    assert ((y >= 1) & (y <= S)).all()
    assert (x[k : k + T - 1] == 0).all() and (x[k + T - 1] == S + 1).all() and (x[k + T :] == 0).all()
    assert (x == S + 1).sum() == 200  # exactly one delimiter per sequence
    assert torch.equal(rd.copy_task(200, T, seed=0, n_symbols=S, length=k)[0], x)
    assert not torch.equal(rd.copy_task(200, T, seed=1, n_symbols=S, length=k)[0], x)


def test_noisy_sine():
    t, y = rd.noisy_sine(T=400, period=40.0, noise=0.0)
    assert t.shape == y.shape == (400,)
    np.testing.assert_allclose(y, np.sin(2 * np.pi * t / 40), atol=1e-12)
    t, y = rd.noisy_sine(T=400, n=8, noise=0.1, seed=2)
    assert y.shape == (400, 8)
    np.testing.assert_array_equal(rd.noisy_sine(T=400, n=8, noise=0.1, seed=2)[1], y)
    clean = rd.noisy_sine(T=400, n=8, noise=0.0, seed=2)[1]  # same seed: same phases
    assert np.abs(clean).max() <= 1 and 0.09 < np.std(y - clean) < 0.11
