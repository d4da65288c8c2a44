"""The chapter models: read the last valid step, carry state, sample."""
import pytest
import torch

from rnncourse.torch.models import CharLM, SequenceClassifier, SequenceRegressor, make_recurrent

V, E, H, C = 11, 5, 7, 4


def ragged_batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([6, 2, 4, 1, 6])
    ids = torch.randint(1, V, (6, len(lengths)), generator=g)
    for b, n in enumerate(lengths):
        ids[n:, b] = 0  # padding
    return ids, lengths


def one_by_one(model, ids, lengths):
    """The truth: each sequence alone, without any padding."""
    return torch.cat([model(ids[: int(n), b : b + 1]) for b, n in enumerate(lengths)])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_classifier_reads_the_last_valid_step(cell):
    torch.manual_seed(0)
    ours = SequenceClassifier(E, H, C, vocab_size=V, cell=cell, impl="scratch", num_layers=2).double()
    theirs = SequenceClassifier(E, H, C, vocab_size=V, cell=cell, impl="torch", num_layers=2).double()
    theirs.load_state_dict(ours.state_dict())
    ids, lengths = ragged_batch()
    truth = one_by_one(ours, ids, lengths)
    assert torch.allclose(ours(ids, lengths), truth, atol=1e-12)  # gathered at lengths - 1
    assert torch.allclose(theirs(ids, lengths), truth, atol=1e-12)  # packed
    assert not torch.allclose(ours(ids), truth, atol=1e-6)  # without lengths, the padding counts


def test_bidirectional_classifier_with_packing():
    torch.manual_seed(0)
    model = SequenceClassifier(E, H, C, vocab_size=V, cell="lstm", bidirectional=True, num_layers=2).double()
    ids, lengths = ragged_batch(1)
    assert model.readout.in_features == 2 * H
    assert torch.allclose(model(ids, lengths), one_by_one(model, ids, lengths), atol=1e-12)
    full = torch.full_like(lengths, ids.shape[0])
    assert torch.allclose(model(ids, full), model(ids), atol=1e-12)


def test_bidirectional_scratch_classifier():
    torch.manual_seed(0)
    ours = SequenceClassifier(E, H, C, vocab_size=V, impl="scratch", bidirectional=True).double()
    theirs = SequenceClassifier(E, H, C, vocab_size=V, impl="torch", bidirectional=True).double()
    theirs.load_state_dict(ours.state_dict())
    ids, lengths = ragged_batch(2)
    assert torch.allclose(ours(ids), theirs(ids), atol=1e-12)  # equal lengths: exact
    with pytest.raises(ValueError, match="bidirectional scratch core"):
        ours(ids, lengths)


def test_classifier_rejects_bad_lengths_and_ids():
    model = SequenceClassifier(E, H, C, vocab_size=V)
    ids, lengths = ragged_batch()
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, T=6\]"):
        model(ids, lengths + 1)
    with pytest.raises(ValueError, match=r"lengths must have shape \(B=5\), got \(3,\)"):
        model(ids, lengths[:3])
    with pytest.raises(TypeError, match="integer dtype"):
        model(ids.float(), lengths)


def test_regressor_shapes_and_float_input():
    model = SequenceRegressor(1, H, output_size=3, cell="gru")
    assert model(torch.randn(12, 8, 1)).shape == (8, 3)
    with pytest.raises(ValueError, match=r"axis 2 is 2, expected 1"):
        model(torch.randn(12, 8, 2))


def test_make_recurrent_names_the_choices():
    assert isinstance(make_recurrent("gru", 3, 4, impl="torch"), torch.nn.GRU)
    with pytest.raises(ValueError, match=r"cell must be one of \['gru', 'lstm', 'rnn'\], got 'tcn'"):
        make_recurrent("tcn", 3, 4)
    with pytest.raises(ValueError, match="impl must be one of"):
        make_recurrent("lstm", 3, 4, impl="jax")


@pytest.mark.parametrize("impl,cell", [("scratch", "lstm"), ("torch", "lstm"), ("scratch", "gru"), ("torch", "rnn")])
def test_charlm_carries_state_across_chunks(impl, cell):
    torch.manual_seed(0)
    model = CharLM(V, hidden_size=H, embedding_dim=E, cell=cell, impl=impl).double()
    x = torch.randint(0, V, (10, 3))
    whole, _ = model(x)
    first, state = model(x[:4])
    second, _ = model(x[4:], state)
    assert whole.shape == (10, 3, V)
    assert torch.allclose(torch.cat([first, second]), whole, atol=1e-12)


def test_charlm_sample():
    torch.manual_seed(0)
    model = CharLM(V, hidden_size=H, embedding_dim=E)
    prefix = [1, 2, 3]
    a = model.sample(prefix, 50, temperature=1.0, generator=torch.Generator().manual_seed(5))
    b = model.sample(torch.tensor(prefix), 50, temperature=1.0, generator=torch.Generator().manual_seed(5))
    assert a.shape == (50,) and a.dtype == torch.long and torch.equal(a, b)
    assert 0 <= a.min() and a.max() < V
    assert model.training  # restored after sampling in eval mode
    greedy = model.sample(prefix, 20, temperature=0)
    assert torch.equal(greedy, model.sample(prefix, 20, temperature=0))
    # a low temperature concentrates the draws on fewer ids than a high one
    cold = model.sample(prefix, 300, temperature=0.05, generator=torch.Generator().manual_seed(0))
    hot = model.sample(prefix, 300, temperature=5.0, generator=torch.Generator().manual_seed(0))
    assert len(cold.unique()) < len(hot.unique())
    with pytest.raises(ValueError, match="temperature"):
        model.sample(prefix, 5, temperature=-1)
    with pytest.raises(ValueError, match="at least one id"):
        model.sample([], 5)
