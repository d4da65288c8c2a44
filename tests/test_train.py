"""rnncourse.train: fit learns, clips, stops early and restores the best weights."""
import time

import pytest
import torch

import rnncourse.book
import rnncourse.data as rd
from rnncourse.torch.models import CharLM, SequenceClassifier, SequenceRegressor
from rnncourse.train import (History, accuracy, default_device, detach_state, evaluate, fit, seed_everything,
                             sequence_cross_entropy)


def adding_data(n, T, seed, size=64):
    """The adding problem as a list of (x (T, B, 2), y (B, 1)) batches."""
    x, y = rd.adding_problem(n, T, seed=seed)
    return [(x[:, k:k + size], y[k:k + size]) for k in range(0, n, size)]


def test_reexports_from_book():
    assert seed_everything is rnncourse.book.seed_everything and default_device is rnncourse.book.default_device


def test_fit_learns_the_adding_problem():
    seed_everything(0)
    train, valid = adding_data(1024, 10, seed=0), adding_data(512, 10, seed=1)
    model = SequenceRegressor(2, 24, cell="gru")
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    start = time.perf_counter()
    history = fit(model, train, valid, torch.nn.functional.mse_loss, opt, epochs=12, device="cpu")
    assert time.perf_counter() - start < 15  # about 3 s on one busy core
    assert isinstance(history, History) and history.epochs == 12
    assert len(history.valid_loss) == 12 and len(history.grad_norm) == 12 * len(train)
    # the baseline (predict 1) scores 1/6; seeds 0-2 reach 0.002-0.004 after 12 epochs
    assert history.valid_loss[0] > 0.1 and min(history.valid_loss) < 0.02
    assert history.train_loss[-1] < history.train_loss[0] / 4
    assert evaluate(model, valid, torch.nn.functional.mse_loss) == pytest.approx(min(history.valid_loss))


def test_fit_with_lengths_and_metrics():
    """Batches (ids, lengths, labels): the model is called as model(ids, lengths)."""
    seed_everything(0)
    g = torch.Generator().manual_seed(0)
    n, T = 1024, 8
    lengths = torch.randint(1, T + 1, (n,), generator=g)
    ids = torch.randint(1, 3, (T, n), generator=g)  # tokens 1, 2; 0 is padding
    ids[torch.arange(T)[:, None] >= lengths] = 0
    labels = (ids[0] == 2).long() * 2 + (ids[lengths - 1, torch.arange(n)] == 2).long()  # first and last token
    data = [(ids[:, k:k + 64], lengths[k:k + 64], labels[k:k + 64]) for k in range(0, n, 64)]
    model = SequenceClassifier(4, 16, 4, vocab_size=3, cell="gru")
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    history = fit(model, data[:12], data[12:], torch.nn.functional.cross_entropy, opt, epochs=12,
                  metrics={"accuracy": accuracy}, device="cpu")
    assert list(history.metrics) == ["accuracy"] and len(history.metrics["accuracy"]) == 12
    assert history.metrics["accuracy"][0] < 0.9 < max(history.metrics["accuracy"])
    result = evaluate(model, data[12:], torch.nn.functional.cross_entropy, {"accuracy": accuracy})
    assert set(result) == {"loss", "accuracy"}


class RecordingSGD(torch.optim.SGD):
    """SGD that records the total gradient norm it is given at every step."""

    def __init__(self, params, lr):
        super().__init__(params, lr=lr)
        self.norms = []

    def step(self, closure=None):
        grads = [p.grad for group in self.param_groups for p in group["params"] if p.grad is not None]
        self.norms.append(float(torch.nn.utils.get_total_norm(grads)))
        return super().step(closure)


def test_clipping_bounds_the_norm_the_optimizer_sees():
    seed_everything(0)
    train, valid = adding_data(512, 30, seed=0), adding_data(128, 30, seed=1)
    model = SequenceRegressor(2, 32, cell="rnn")
    opt = RecordingSGD(model.parameters(), lr=0.5)
    clip = 0.05
    history = fit(model, train, valid, torch.nn.functional.mse_loss, opt, epochs=3, clip=clip, device="cpu")
    assert len(opt.norms) == len(history.grad_norm) == 3 * len(train)
    assert max(history.grad_norm) > 2 * clip  # clipping had work to do (the history keeps the pre-clip norm)
    assert max(opt.norms) <= clip * (1 + 1e-5)
    # without clipping the optimizer sees the full norm
    opt2 = RecordingSGD(model.parameters(), lr=1e-3)
    history2 = fit(model, train, None, torch.nn.functional.mse_loss, opt2, epochs=1, device="cpu")
    assert opt2.norms == pytest.approx(history2.grad_norm, rel=1e-6)
    with pytest.raises(ValueError, match="clip"):
        fit(model, train, None, torch.nn.functional.mse_loss, opt2, epochs=1, clip=0)


def linear_task(slope, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(256, 1, generator=g)
    return [(x[k:k + 32], slope * x[k:k + 32]) for k in range(0, 256, 32)]


@pytest.mark.parametrize("restore_best", [True, False])
def test_early_stopping_restores_the_best_weights(restore_best):
    """Train towards slope 2, validate on slope 1: validation is best when w passes 1."""
    model = torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.zeros_(model.weight)
    train, valid = linear_task(2.0, 0), linear_task(1.0, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    mse = torch.nn.functional.mse_loss
    history = fit(model, train, valid, mse, opt, epochs=100, patience=3, restore_best=restore_best, device="cpu")
    best = history.best_epoch
    assert 0 < best < 50 and history.stopped_early
    assert history.epochs == best + 1 + 3  # stopped after 3 epochs without improvement
    assert min(history.valid_loss) == history.valid_loss[best] < history.valid_loss[-1]
    final = evaluate(model, valid, mse)
    if restore_best:
        assert final == pytest.approx(history.valid_loss[best], rel=1e-6)
    else:
        assert final == pytest.approx(history.valid_loss[-1], rel=1e-6)


class StateRecorder(torch.nn.Module):
    """Records the state each call receives; returns (output, new state)."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))
        self.seen = []

    def forward(self, x, state):
        self.seen.append(None if state is None else (state.requires_grad, float(state)))
        new = (x.sum() * self.w) + (0 if state is None else state)
        return new.reshape(1), new


def test_stateful_fit_carries_and_detaches_the_state():
    model = StateRecorder()
    data = [(torch.ones(1), torch.zeros(1))] * 3
    fit(model, data, None, torch.nn.functional.mse_loss, torch.optim.SGD(model.parameters(), lr=0.0),
        epochs=2, stateful=True, device="cpu")
    assert model.seen == [None, (False, 1.0), (False, 2.0)] * 2  # reset each epoch, carried, detached
    assert detach_state((torch.ones(1, requires_grad=True) * 2,))[0].requires_grad is False


def test_stateful_char_model_learns_beyond_one_chunk():
    """In 'aab' repeated, the next character after 'a' depends on the one before:
    with chunks of 4 steps the state must be carried over to predict every step."""
    seed_everything(0)
    vocab = rd.CharVocab("ab")
    ids = vocab.encode("aab" * 700)
    train, valid = rd.tbptt_batches(ids[:1500], 8, 4), rd.tbptt_batches(ids[1500:], 4, 4)
    model = CharLM(len(vocab), hidden_size=16, embedding_dim=4, cell="gru")
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    history = fit(model, train, valid, sequence_cross_entropy, opt, epochs=6, stateful=True, device="cpu")
    assert min(history.valid_loss) < 0.03  # seeds 0-2: about 0.004
    stateless = evaluate(model, valid, sequence_cross_entropy)  # each chunk from a zero state
    assert stateless > 0.08  # seeds 0-2: about 0.13


def test_progress_bar_is_quiet_under_tests_and_with_the_env_var(capsys, monkeypatch):
    model = torch.nn.Linear(1, 1)
    data = linear_task(1.0, 0)
    args = (model, data, data, torch.nn.functional.mse_loss, torch.optim.SGD(model.parameters(), lr=0.01), 2)
    monkeypatch.delenv("RNNCOURSE_QUIET", raising=False)  # CI sets it
    fit(*args, device="cpu")
    assert capsys.readouterr().err == ""
    fit(*args, device="cpu", progress=True)
    assert "epochs" in capsys.readouterr().err
    monkeypatch.setenv("RNNCOURSE_QUIET", "1")
    fit(*args, device="cpu", progress=True)
    assert capsys.readouterr().err == ""


def test_bad_batches_raise():
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    mse = torch.nn.functional.mse_loss
    with pytest.raises(TypeError, match="re-iterable"):
        fit(model, iter(linear_task(1.0, 0)), None, mse, opt, 1, device="cpu")
    with pytest.raises(TypeError, match=r"tuple \(inputs..., target\)"):
        fit(model, [torch.ones(1)], None, mse, opt, 1, device="cpu")
    with pytest.raises(ValueError, match="no batches"):
        fit(model, [], None, mse, opt, 1, device="cpu")
