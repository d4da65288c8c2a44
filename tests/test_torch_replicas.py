"""Replica models: K models as one equal K separate models, at initialisation, forward, backward and in training."""
import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import rnncourse.torch as rt
from rnncourse import seed_everything
from rnncourse.torch.models import SequenceClassifier, SequenceRegressor
from rnncourse.torch.replicas import (ReplicaEmbedding, ReplicaGRU, ReplicaLinear, ReplicaLSTM, ReplicaRNN,
                                      ReplicaSequenceClassifier, ReplicaSequenceRegressor, replicate)
from rnncourse.train import accuracy, evaluate, evaluate_replicas, fit, fit_replicas

SEEDS = [3, 7, 11]
CELLS = ["rnn", "lstm", "gru"]
LAYERS = {"rnn": ReplicaRNN, "lstm": ReplicaLSTM, "gru": ReplicaGRU}
TWINS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def singles(make, seeds=SEEDS):
    """The models that seed_everything(seed) then make() gives, one per seed, in float64."""
    models = []
    for s in seeds:
        seed_everything(s)
        models.append(make().double())
    return models


def assert_same_weights(replicas, models, atol=0.0):
    for k, model in enumerate(models):
        ours, theirs = replicas.replica_state_dict(k), model.state_dict()
        assert set(ours) == set(theirs)
        for name in theirs:
            torch.testing.assert_close(ours[name], theirs[name], atol=atol, rtol=0, msg=f"replica {k}, {name}")


def padded_ids(T=7, B=4, V=12, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, V, (T, B), generator=g)
    lengths = torch.tensor([T, 3, 5, 1])
    for b, n in enumerate(lengths):
        ids[n:, b] = 0
    return ids, lengths


# --- initialisation -------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, True)])
def test_replica_k_is_the_model_seed_k_gives(cell, layers, bidirectional):
    kwargs = dict(vocab_size=12, cell=cell, num_layers=layers, bidirectional=bidirectional)
    replicas = ReplicaSequenceClassifier(6, 9, 5, seeds=SEEDS, **kwargs)
    assert replicas.replicas == len(SEEDS)
    assert_same_weights(replicas.double(), singles(lambda: SequenceClassifier(6, 9, 5, **kwargs)))


def test_seeds_leave_the_global_random_state_alone_and_replicas_count_draws_in_a_row():
    torch.manual_seed(5)
    ReplicaLSTM(3, 4, seeds=[0, 1])
    after = torch.rand(3)
    torch.manual_seed(5)
    assert torch.equal(torch.rand(3), after)
    torch.manual_seed(5)
    in_a_row = ReplicaGRU(3, 4, replicas=2)
    torch.manual_seed(5)
    twins = [nn.GRU(3, 4), nn.GRU(3, 4)]
    assert_same_weights(in_a_row, twins)


def test_replicate_takes_any_builder_and_keeps_its_changes():
    def make():
        model = SequenceRegressor(2, 6, 1, cell="lstm")
        with torch.no_grad():
            model.core.bias_ih_l0[6:12] = 2.0  # an open forget gate
        return model
    replicas = replicate(make, seeds=SEEDS)
    assert isinstance(replicas, ReplicaSequenceRegressor)
    assert_same_weights(replicas.double(), singles(make))
    assert torch.all(replicas.core.bias_ih_l0[:, 6:12] == 2.0)
    assert isinstance(replicate(lambda: rt.GRU(3, 4), replicas=2), ReplicaGRU)  # a scratch core too


# --- forward and backward -----------------------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, True)])
def test_forward_and_gradients_equal_the_separate_models(cell, layers, bidirectional):
    kwargs = dict(num_layers=layers, bidirectional=bidirectional)
    layer = LAYERS[cell](3, 5, seeds=SEEDS, **kwargs).double()
    twins = singles(lambda: TWINS[cell](3, 5, **kwargs))
    x = torch.randn(6, 4, 3, dtype=torch.float64)
    y, state = layer(x)
    L = layers * (2 if bidirectional else 1)
    assert y.shape == (3, 6, 4, 5 * (2 if bidirectional else 1))
    loss = sum((y[k] ** 2).sum() * (k + 1) for k in range(3))
    loss.backward()
    for k, twin in enumerate(twins):
        y_k, state_k = twin(x)
        torch.testing.assert_close(y[k], y_k, atol=1e-12, rtol=0)
        for ours, theirs in zip(state if cell == "lstm" else (state,), state_k if cell == "lstm" else (state_k,)):
            assert ours.shape == (3, L, 4, 5)
            torch.testing.assert_close(ours[k], theirs, atol=1e-12, rtol=0)
        ((y_k ** 2).sum() * (k + 1)).backward()
        for name, p in twin.named_parameters():
            torch.testing.assert_close(getattr(layer, name).grad[k], p.grad, atol=1e-12, rtol=0, msg=name)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_classifier_reads_padded_sequences_as_the_packed_twin_does(cell, bidirectional):
    kwargs = dict(vocab_size=12, cell=cell, num_layers=2, bidirectional=bidirectional)
    replicas = ReplicaSequenceClassifier(6, 9, 5, seeds=SEEDS, **kwargs).double()
    ids, lengths = padded_ids()
    out = replicas(ids, lengths)
    assert out.shape == (3, 4, 5)
    out.sum().backward()
    for k, twin in enumerate(singles(lambda: SequenceClassifier(6, 9, 5, **kwargs))):
        torch.testing.assert_close(out[k], twin(ids, lengths), atol=1e-12, rtol=0)
        twin(ids, lengths).sum().backward()
        assert torch.all(replicas.embedding.weight.grad[k, 0] == 0)  # the padding row learns nothing
        torch.testing.assert_close(replicas.embedding.weight.grad[k], twin.embedding.weight.grad, atol=1e-12, rtol=0)


def test_per_replica_inputs_reach_their_own_replica():
    replicas = ReplicaSequenceRegressor(2, 5, 1, cell="gru", seeds=SEEDS).double()
    x = torch.randn(3, 8, 4, 2, dtype=torch.float64)
    out = replicas(x)
    for k, twin in enumerate(singles(lambda: SequenceRegressor(2, 5, 1, cell="gru"))):
        torch.testing.assert_close(out[k], twin(x[k]), atol=1e-12, rtol=0)
    linear = ReplicaLinear(4, 2, replicas=3)
    z = torch.randn(3, 5, 6, 4)
    torch.testing.assert_close(linear(z)[1], z[1] @ linear.weight[1].T + linear.bias[1])
    embedding = ReplicaEmbedding(10, 3, padding_idx=0, seeds=[0, 1])
    ids = torch.randint(0, 10, (2, 4, 5))
    ids[:, 0] = 0
    embedding(ids).sum().backward()
    for k, twin in enumerate(singles(lambda: nn.Embedding(10, 3, padding_idx=0), [0, 1])):
        twin.float()
        twin(ids[k]).sum().backward()
        assert torch.equal(embedding(ids)[k], twin(ids[k]))
        torch.testing.assert_close(embedding.weight.grad[k], twin.weight.grad)  # none for the padding row


# --- training ----------------------------------------------------------------------------------

def adding_batches(n, T=6, B=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(n):
        x = torch.rand(T, B, 2, generator=g, dtype=torch.float64)
        batches.append((x, x[..., 0].sum(0, keepdim=True).T / T))
    return batches


@pytest.mark.parametrize("cell", CELLS)
def test_twenty_clipped_adam_steps_equal_separate_runs(cell):
    train, valid = adding_batches(10), adding_batches(2, seed=1)

    def make():
        return SequenceRegressor(2, 6, 1, cell=cell)

    replicas = ReplicaSequenceRegressor(2, 6, 1, cell=cell, seeds=SEEDS).double()
    optimizer = torch.optim.Adam(replicas.parameters(), lr=0.05)
    history = fit_replicas(replicas, train, valid, F.mse_loss, optimizer, epochs=2, clip=0.05,
                           restore_best=False, device="cpu", progress=False)
    for k, twin in enumerate(singles(make)):
        alone = fit(twin, train, valid, F.mse_loss, torch.optim.Adam(twin.parameters(), lr=0.05), epochs=2,
                    clip=0.05, restore_best=False, device="cpu", progress=False)
        assert len(history[k].grad_norm) == 20
        assert sum(n > 0.05 for n in alone.grad_norm) >= 10  # clipping acted on most steps
        np.testing.assert_allclose(history[k].grad_norm, alone.grad_norm, rtol=1e-10)
        np.testing.assert_allclose(history[k].train_loss, alone.train_loss, rtol=1e-10)
        np.testing.assert_allclose(history[k].valid_loss, alone.valid_loss, rtol=1e-10)
        assert_same_weights(_only(replicas, k), [twin], atol=1e-10)


def test_clipping_is_per_replica():
    # Replica 1's gradient is scaled up 1000 times; a clip over all replicas together would
    # shrink replica 0's steps too, and it would no longer match its separate run.
    train = adding_batches(5)
    replicas = ReplicaSequenceRegressor(2, 4, 1, cell="gru", seeds=[0, 1]).double()
    twin = singles(lambda: SequenceRegressor(2, 4, 1, cell="gru"), [0])[0]

    calls = []

    def loss(output, target):  # called for replica 0, then replica 1, on every batch
        calls.append(1)
        return (1.0 if len(calls) % 2 else 1000.0) * F.mse_loss(output, target)

    history = fit_replicas(replicas, train, None, loss, torch.optim.SGD(replicas.parameters(), lr=0.1),
                           epochs=1, clip=0.1, device="cpu", progress=False)
    alone = fit(twin, train, None, F.mse_loss, torch.optim.SGD(twin.parameters(), lr=0.1), epochs=1, clip=0.1,
                device="cpu", progress=False)
    assert min(history[1].grad_norm) > 10 * max(history[0].grad_norm)  # a joint clip would bind on 0
    np.testing.assert_allclose(history[0].grad_norm, alone.grad_norm, rtol=1e-10)
    assert_same_weights(_only(replicas, 0), [twin], atol=1e-12)


@pytest.mark.parametrize("restore_best", [True, False])
def test_early_stopping_and_best_state_per_replica(restore_best):
    # A learning rate that makes some replicas diverge and stop early while others improve;
    # a stopped replica's weights are held while the others train on.
    train, valid = adding_batches(4), adding_batches(2, seed=1)
    seeds = [0, 1, 2, 3]
    replicas = ReplicaSequenceRegressor(2, 5, 1, cell="rnn", seeds=seeds).double()
    history = fit_replicas(replicas, train, valid, F.mse_loss, torch.optim.Adam(replicas.parameters(), lr=0.3),
                           epochs=12, clip=1.0, patience=2, metrics={"mae": lambda o, t: (o - t).abs().mean()},
                           restore_best=restore_best, device="cpu", progress=False)
    epochs = [h.epochs for h in history]
    assert len(set(epochs)) > 1, epochs  # the replicas stopped at different epochs
    for k, twin in enumerate(singles(lambda: SequenceRegressor(2, 5, 1, cell="rnn"), seeds)):
        alone = fit(twin, train, valid, F.mse_loss, torch.optim.Adam(twin.parameters(), lr=0.3), epochs=12,
                    clip=1.0, patience=2, metrics={"mae": lambda o, t: (o - t).abs().mean()},
                    restore_best=restore_best, device="cpu", progress=False)
        assert (history[k].epochs, history[k].best_epoch, history[k].stopped_early) == \
            (alone.epochs, alone.best_epoch, alone.stopped_early)
        np.testing.assert_allclose(history[k].valid_loss, alone.valid_loss, rtol=1e-10)
        np.testing.assert_allclose(history[k].metrics["mae"], alone.metrics["mae"], rtol=1e-10)
        assert_same_weights(_only(replicas, k), [twin], atol=1e-10)
    scores = evaluate_replicas(replicas, valid, F.mse_loss)
    if restore_best:
        np.testing.assert_allclose(scores, history.best(), rtol=1e-10)
    else:
        np.testing.assert_allclose(scores, [h.valid_loss[-1] for h in history], rtol=1e-10)
    np.testing.assert_allclose(scores[0], evaluate(replicas.single(0), valid, F.mse_loss), rtol=1e-10)


def _only(replicas, k):
    one = copy.deepcopy(replicas)
    for p in one.parameters():
        p.data = p.data[k : k + 1].clone()
    one.replicas = 1
    return one


def test_replica_data_gives_each_replica_its_own_batches():
    data = [adding_batches(3, seed=s) for s in (0, 1)]
    stacked = [tuple(torch.stack(parts) for parts in zip(*batches)) for batches in zip(*data)]
    replicas = ReplicaSequenceClassifier(2, 4, 3, cell="lstm", seeds=[0, 1]).double()
    labelled = [(x, (t[..., 0] * 3).long().clamp(max=2)) for x, t in stacked]
    fit_replicas(replicas, labelled, None, F.cross_entropy, torch.optim.Adam(replicas.parameters(), lr=0.01),
                 epochs=1, device="cpu", replica_data=True, progress=False)
    for k, twin in enumerate(singles(lambda: SequenceClassifier(2, 4, 3, cell="lstm"), [0, 1])):
        own = [(x[k], t[k]) for x, t in labelled]
        fit(twin, own, None, F.cross_entropy, torch.optim.Adam(twin.parameters(), lr=0.01), epochs=1,
            device="cpu", progress=False)
        assert_same_weights(_only(replicas, k), [twin], atol=1e-12)
    acc = evaluate_replicas(replicas, labelled, F.cross_entropy, {"accuracy": accuracy}, replica_data=True)
    assert acc["accuracy"].shape == (2,) and acc["loss"].shape == (2,)


# --- conversion --------------------------------------------------------------------------------

def test_one_replica_to_and_from_the_torch_nn_model():
    replicas = ReplicaSequenceRegressor(2, 5, 1, cell="lstm", num_layers=2, replicas=3)
    single = replicas.single(2)
    assert isinstance(single, SequenceRegressor) and isinstance(single.core, nn.LSTM)
    x = torch.randn(7, 4, 2)
    torch.testing.assert_close(single(x), replicas(x)[2])
    other = SequenceRegressor(2, 5, 1, cell="lstm", num_layers=2)
    replicas.load_replica_state_dict(0, other.state_dict())
    torch.testing.assert_close(replicas(x)[0], other(x))
    torch.testing.assert_close(replicas(x)[2], single(x))  # the others untouched
    twins = [replicas.single(k) for k in range(3)]
    assert_same_weights(ReplicaSequenceRegressor.from_twins(twins), twins)


# --- bad input ---------------------------------------------------------------------------------

def test_bad_input_raises_a_clear_error():
    with pytest.raises(ValueError, match="at least 1, got 0"):
        ReplicaLSTM(3, 4, replicas=0)
    with pytest.raises(TypeError, match="replicas must be an int"):
        ReplicaLSTM(3, 4, replicas=2.0)
    with pytest.raises(ValueError, match="one seed per replica: expected 3, got 2"):
        ReplicaGRU(3, 4, replicas=3, seeds=[0, 1])
    with pytest.raises(ValueError, match="give the number of replicas"):
        ReplicaGRU(3, 4)
    with pytest.raises(TypeError, match="seeds must be ints"):
        ReplicaRNN(3, 4, seeds=[0, "1"])
    with pytest.raises(TypeError, match="no replica version of Conv1d"):
        replicate(lambda: nn.Conv1d(2, 2, 3), replicas=2)
    model = ReplicaSequenceRegressor(2, 4, 1, cell="gru", replicas=3)
    state = model.state_dict()
    with pytest.raises(ValueError, match="holds 2 replicas of .*the model K=3"):
        model.load_state_dict({name: t[:2] for name, t in state.items()})
    with pytest.raises(ValueError, match=r"must have shape \(3, 12, 4\), got \(3, 12, 5\)"):
        model.load_state_dict({**state, "core.weight_hh_l0": torch.zeros(3, 12, 5)})
    with pytest.raises(ValueError, match=r"core.weight_hh_l0 must have shape \(12, 4\) for one replica, got \(12, 5\)"):
        model.load_replica_state_dict(1, {**model.replica_state_dict(0), "core.weight_hh_l0": torch.zeros(12, 5)})
    with pytest.raises(ValueError, match="missing"):
        model.load_replica_state_dict(1, {"readout.weight": torch.zeros(1, 4)})
    with pytest.raises(ValueError, match=r"replica index must lie in \[0, K=3\), got 3"):
        model.replica_state_dict(3)
    with pytest.raises(ValueError, match=r"input must have shape \(K=3, T, B, D=2\)"):
        model(torch.randn(2, 5, 4, 2))
    with pytest.raises(ValueError, match=r"\(T, B, D=2\)"):
        model(torch.randn(5, 4, 3))
    with pytest.raises(ValueError, match=r"hx must have shape \(K=3"):
        model.core(torch.randn(5, 4, 2), torch.zeros(2, 1, 4, 4))
    with pytest.raises(ValueError, match="leading replica axis of size K=3"):
        ReplicaLinear(4, 2, replicas=3)(torch.randn(2, 4))
    with pytest.raises(ValueError, match="time-major"):
        replicate(lambda: nn.GRU(2, 3, batch_first=True), replicas=2)
    with pytest.raises(TypeError, match="replica model"):
        fit_replicas(nn.Linear(2, 1), [(torch.randn(3, 2), torch.randn(3, 1))], None, F.mse_loss,
                     torch.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1), epochs=1, progress=False)
    with pytest.raises(ValueError, match="leading replica axis of size K=3"):
        fit_replicas(model, [(torch.randn(5, 4, 2), torch.randn(4, 1))], None, F.mse_loss,
                     torch.optim.SGD(model.parameters(), lr=0.1), epochs=1, replica_data=True, progress=False)
