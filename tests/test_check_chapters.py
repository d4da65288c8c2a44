"""The exercise checks of chapters 2-14 pass the hidden solutions and
fail typical wrong answers with their own message.

Each check is run on the solution as the chapter's solution cell defines it
(``hidden_solution``, read from the notebook, so that a test cannot go on
checking a stale copy), and on wrong answers: copies of the solution with
knobs that make the usual slips, or answers written for the test. Chapters 4
and 6 still pass copies for some of their checks."""
import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from rnncourse import check
from rnncourse.check import ExerciseError
from rnncourse.data import VideoClips, make_windows, moving_dot_clips
from rnncourse.numpy import sigmoid
from rnncourse.torch import SequenceRegressor
from rnncourse.train import fit

torch.set_num_threads(1)


# -- chapter 7 ---------------------------------------------------------------

def test_p_unseen_passes_the_solution(capsys):
    check.p_unseen(hidden_solution("07_sunspots.ipynb", "p_unseen"))
    assert "agrees with a simulation" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, match", [
    (lambda q, W: (1 - q) ** W, r"\(1 - q\)\^W.*all \*test\* windows"),
    (lambda q, W: q ** (W + 1), "W \\+ 1 windows"),
    (lambda q, W: 1 - q**W, "chance that the target is seen"),
    (lambda q, W: q * W, r"p_unseen\(0.3, 3\) = 0.9, but a simulation"),
    (lambda q, W: None, "should be a number"),
])
def test_p_unseen_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.p_unseen(wrong)


def test_p_unseen_tells_q_from_1_minus_q():
    """The chapter's old check used q = 0.5, where the two agree; this one does not."""
    with pytest.raises(ExerciseError, match="1 - q"):
        check.p_unseen(lambda q, W: (1 - q) ** W if q != 0.5 else q**W)


def time_major(batch):
    windows, targets = zip(*batch)
    return torch.stack(windows, dim=1), torch.stack(targets)


def loader(X, Y, batch_size=64, shuffle=False):
    dataset = torch.utils.data.TensorDataset(torch.tensor(X[..., None], dtype=torch.float32),
                                             torch.tensor(Y, dtype=torch.float32))
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, collate_fn=time_major)


class ChangeForecaster(nn.Module):
    """The chapter's forecaster: x_t + readout(h_t)."""

    def __init__(self, cell, H, horizon=1):
        super().__init__()
        self.net = SequenceRegressor(1, H, horizon, cell=cell)

    def forward(self, x):
        return x[-1] + self.net(x)


def train(model, X_train, Y_train, X_valid, Y_valid, epochs=30):
    """As the chapter's `train_forecaster`: Adam, clipping, the best validation epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    fit(model, loader(X_train, Y_train, shuffle=True), loader(X_valid, Y_valid, batch_size=1024),
        nn.functional.mse_loss, optimizer, epochs, clip=1.0, progress=False)
    return model


def train_level_forecaster(X_train, Y_train, X_valid, Y_valid):
    """As the solution of ex. 7.3, for the test that trains it on other data."""
    return train(SequenceRegressor(1, 32, 1, cell="lstm"), X_train, Y_train, X_valid, Y_valid)


def sunspot_windows(horizon=1):
    """Standardized windows of the sunspot series' first and last parts, as the chapter's."""
    from rnncourse.data import load_sunspots

    _, x = load_sunspots()
    z = (x - x[:1974].mean()) / x[:1974].std()
    return make_windows(z[:600], 24, horizon), make_windows(z[-400:], 24, horizon)


def test_trains_on_its_arguments_passes_the_solutions(capsys):
    torch.manual_seed(0)
    chapter = dict(SequenceRegressor=SequenceRegressor, fit=fit, device=torch.device("cpu"), H=32, EPOCHS=30)
    level = hidden_solution("07_sunspots.ipynb", "train_level_forecaster", helpers=("time_major", "loader"),
                            **chapter)
    direct = hidden_solution("07_sunspots.ipynb", "train_direct", best="gru", **chapter,
                             helpers=("time_major", "loader", "ChangeForecaster", "train_forecaster"))
    check.trains_on_its_arguments(level, name="train_level_forecaster")
    check.trains_on_its_arguments(direct, horizon=12, name="train_direct")
    assert capsys.readouterr().out.count("learns the series it is given") == 2


def test_trains_on_its_arguments_catches_other_data():
    """Trained on the chapter's windows (the test part, say) instead of its arguments."""
    torch.manual_seed(0)
    (X, Y), (X_test, Y_test) = sunspot_windows()
    with pytest.raises(ExerciseError, match="must train on the windows it is given"):
        check.trains_on_its_arguments(lambda *args: train_level_forecaster(X_test, Y_test, X, Y))


@pytest.mark.parametrize("wrong, match", [
    (lambda *args: SequenceRegressor(1, 32, 1, cell="lstm"), "no better than forecasting 0"),  # not trained
    (lambda *args: None, "forget to `return`"),
    (lambda X, Y, Xv, Yv: train(SequenceRegressor(1, 32, 1), X, Y, Xv, Yv, epochs=1), "and it must train"),
])
def test_trains_on_its_arguments_catches(wrong, match):
    torch.manual_seed(0)
    with pytest.raises(ExerciseError, match=match):
        check.trains_on_its_arguments(wrong)


def test_trains_on_its_arguments_wants_one_output_per_month():
    torch.manual_seed(0)
    with pytest.raises(ExerciseError, match=r"expected \(165, 12\): one output per month"):
        check.trains_on_its_arguments(lambda *args: ChangeForecaster("gru", 8, 1), horizon=12)


def test_no_skip():
    check.no_skip(SequenceRegressor(1, 8, 1, cell="lstm"))
    check.no_skip(SequenceRegressor(1, 8, 1, cell="lstm").double())
    with pytest.raises(ExerciseError, match="still adds the last month"):
        check.no_skip(ChangeForecaster("lstm", 8))


def k_ahead_mae(direct, one_step, series, k, *, W=24, mean=80.0, std=60.0, horizon=None,
                target_column=None, recursive_column=None, units=True):
    """A copy of ex. 7.4's solution, with knobs for the usual slips."""
    X, Y = make_windows(series, W, horizon=horizon or k)
    to_units = (lambda v: mean + std * v) if units else (lambda v: v)
    target = to_units(Y[:, k - 1 if target_column is None else target_column])
    direct_k = to_units(direct(X)[:, k - 1])
    forecasts, window = [], X
    for _ in range(k):  # the chapter's recursive_forecast
        forecasts.append(one_step(window))
        window = np.concatenate([window[:, 1:], forecasts[-1][:, None]], axis=1)
    recursive_k = to_units(np.stack(forecasts, axis=1))[:, k - 1 if recursive_column is None else recursive_column]
    return np.mean(np.abs(direct_k - target)), np.mean(np.abs(recursive_k - target))


def test_k_ahead_mae_passes_the_solution(capsys):
    from rnncourse.data import Standardizer

    scaler = Standardizer()
    scaler.mean, scaler.std = 80.0, 60.0
    check.k_ahead_mae(hidden_solution("07_sunspots.ipynb", "k_ahead_mae", helpers=("recursive_forecast",),
                                      make_windows=make_windows, W=24, scaler=scaler), scale=60.0)
    check.k_ahead_mae(k_ahead_mae, scale=60.0)
    assert capsys.readouterr().out.count("right months and units") == 2


@pytest.mark.parametrize("wrong, match", [
    # the target one month early (column k - 2)
    (lambda d, s, series, k: k_ahead_mae(d, s, series, k, target_column=k - 2),
     "direct MAE is 0.6, expected 0.*compared with another month"),
    # the recursive forecast one step short
    (lambda d, s, series, k: k_ahead_mae(d, s, series, k, recursive_column=k - 2),
     "recursive MAE is 0.6, expected 0.*column k - 1"),
    # targets of horizon k + 1, their last column taken as month t + k
    (lambda d, s, series, k: k_ahead_mae(d, s, series, k, horizon=k + 1, target_column=k),
     "direct MAE is 0.6, expected 0.*compared with another month"),
    # errors in standardized units
    (lambda d, s, series, k: k_ahead_mae(d, s, series, k, units=False), "standardized units"),
    # the recursive forecast made with other models than one_step
    (lambda d, s, series, k: k_ahead_mae(d, lambda X: X[:, -1], series, k), "must iterate one_step"),
    (lambda d, s, series, k: k_ahead_mae(d, s, series, k)[0], "the pair"),
])
def test_k_ahead_mae_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.k_ahead_mae(wrong, scale=60.0)


# -- chapter 3 ---------------------------------------------------------------

def forward(p, x, h_0):
    """Chapter 3's forward pass: outputs (T, B, O) and all the states (T + 1, B, H)."""
    h = np.empty((len(x) + 1, *h_0.shape))
    h[0] = h_0
    for t in range(1, len(x) + 1):
        h[t] = np.tanh(h[t - 1] @ p["W_hh"].T + x[t - 1] @ p["W_xh"].T + p["b_h"])
    return h[1:] @ p["W_hy"].T + p["b_y"], h


def backward(p, x, h, dy, dh_T=None):
    """Chapter 3's BPTT: the gradients, dL/dx and dL/dh_0."""
    g = {name: np.zeros_like(value) for name, value in p.items()}
    dx = np.zeros_like(x)
    dh_next = np.zeros_like(h[0]) if dh_T is None else dh_T
    for t in range(len(x), 0, -1):
        da_t = (1 - h[t] ** 2) * (dy[t - 1] @ p["W_hy"] + dh_next)
        g["W_hy"] += dy[t - 1].T @ h[t]
        g["b_y"] += dy[t - 1].sum(axis=0)
        g["W_hh"] += da_t.T @ h[t - 1]
        g["W_xh"] += da_t.T @ x[t - 1]
        g["b_h"] += da_t.sum(axis=0)
        dx[t - 1] = da_t @ p["W_xh"]
        dh_next = da_t @ p["W_hh"]
    return g, dx, dh_next


def dmse(y, target):
    return 2 * (y - target) / y.size


def bptt_pass(p, x, h_0, target):
    y, h = forward(p, x, h_0)
    return backward(p, x, h, dmse(y, target))


def bptt_checkpointed(p, x, h_0, target, c, *, copy=True, hand_back=True):
    """A copy of ex. 3.4's solution; `copy=False` is the view trap, `hand_back=False`
    drops dh_T between segments (truncated BPTT)."""
    starts = range(0, len(x), c)
    checkpoints, outputs, state = {}, np.empty(target.shape), h_0
    for s in starts:
        checkpoints[s] = state
        outputs[s : s + c], segment = forward(p, x[s : s + c], state)
        state = segment[-1].copy() if copy else segment[-1]
    dy = dmse(outputs, target)
    total = {name: np.zeros_like(value) for name, value in p.items()}
    dh_end = None
    for s in reversed(starts):
        segment = forward(p, x[s : s + c], checkpoints[s])[1]
        grads_s, _, dh_end = backward(p, x[s : s + c], segment, dy[s : s + c], dh_end if hand_back else None)
        for name in total:
            total[name] += grads_s[name]
    return total


@pytest.fixture(scope="module")
def bptt_args():
    rng = np.random.default_rng(0)
    B, H, D = 16, 32, 4
    bound = 1 / np.sqrt(H)
    shapes = {"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,), "W_hy": (1, H), "b_y": (1,)}
    p = {name: rng.uniform(-bound, bound, shape) for name, shape in shapes.items()}
    return p, rng.normal(size=(1024, B, D)), np.zeros((B, H)), rng.normal(size=(1024, B, 1))


def test_checkpointing_passes_the_solution(bptt_args, capsys):
    solution = hidden_solution("03_bptt.ipynb", "bptt_checkpointed", helpers=("forward", "backward", "mse"))
    check.checkpointing(solution, bptt_pass, bptt_args, 32)
    check.checkpointing(bptt_checkpointed, bptt_pass, bptt_args, 32)
    assert capsys.readouterr().out.count("right gradients, peak memory") == 2


@pytest.mark.parametrize("wrong, match", [
    # state = h_s[-1]: a view that keeps each segment's states alive
    (lambda *args: bptt_checkpointed(*args, copy=False), r"a slice such as `h_s\[-1\]` is a view"),
    # the exact gradient, but with every state kept
    (lambda p, x, h_0, target, c: bptt_pass(p, x, h_0, target)[0], "should hold about T/c \\+ c states"),
    # no dL/dh handed between segments: truncated BPTT
    (lambda *args: bptt_checkpointed(*args, hand_back=False), "without it, this is truncated BPTT"),
    (lambda *args: bptt_pass(*args[:4]), "should return a dict of gradients"),
])
def test_checkpointing_catches(bptt_args, wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.checkpointing(wrong, bptt_pass, bptt_args, 32)


# -- chapter 5 ---------------------------------------------------------------

GATES = "ifgo"


def lstm_step(x_t, h_prev, c_prev, p):
    """Chapter 5's lstm_step: eight products, one per gate and input."""
    a = {k: x_t @ p["W_x" + k].T + h_prev @ p["W_h" + k].T + p["b_" + k] for k in GATES}
    c_t = sigmoid(a["f"]) * c_prev + sigmoid(a["i"]) * np.tanh(a["g"])
    return sigmoid(a["o"]) * np.tanh(c_t), c_t


def lstm_step_stacked(x_t, h_prev, c_prev, p, order=GATES, transposed=False):
    """A copy of ex. 5.3's solution (with the weights multiplied from the left
    when `transposed`)."""
    W_x = np.concatenate([p["W_x" + k] for k in order])
    W_h = np.concatenate([p["W_h" + k] for k in order])
    b = np.concatenate([p["b_" + k] for k in order])
    a = (W_x @ x_t.T + W_h @ h_prev.T).T + b if transposed else x_t @ W_x.T + h_prev @ W_h.T + b
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_t), c_t


def lstm_step_joint(x_t, h_prev, c_prev, p):
    """Stacked another way: one product of [x_t, h_prev] with [W_x | W_h]."""
    W = np.concatenate([np.concatenate([p["W_x" + k], p["W_h" + k]], axis=1) for k in GATES])
    a = np.concatenate([x_t, h_prev], axis=1) @ W.T + np.concatenate([p["b_" + k] for k in GATES])
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_t), c_t


@pytest.mark.parametrize("answer", [
    lambda *args: hidden_solution("05_gates.ipynb", "lstm_step_stacked", helpers=("sigmoid",), GATES=GATES)(*args),
    lstm_step_stacked,
    lambda *args: lstm_step_stacked(*args, transposed=True),
    lstm_step_joint,
], ids=["chapter", "stacked", "transposed", "joint"])
def test_stacked_lstm_passes_the_solutions(answer, capsys):
    check.lstm_step(answer, stacked=True)
    assert "lstm_step: correct on 4 random cases" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, match", [
    # eight products, one per gate and input: correct values, nothing stacked
    (lambda x, h, c, p: lstm_step(x, h, c, p), r"at most 5 columns for H = 5: the gates are still computed one"),
    (lambda x, h, c, p: lstm_step_stacked(x, h, c, p, order="figo"), "input and forget gates exchanged"),
    (lambda x, h, c, p: lstm_step_stacked(x, h, c, p)[0], "pair"),
])
def test_stacked_lstm_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.lstm_step(wrong, stacked=True)


def test_unstacked_lstm_passes_without_stacked():
    check.lstm_step(lstm_step)


def gru_step_backward(dh_t, x_t, h_prev, p, *, carousel=True, reset_in_m=True, z_sign=1):
    """A copy of ex. 5.4's solution, with knobs for the usual slips."""
    r_t = sigmoid(x_t @ p["W_xr"].T + h_prev @ p["W_hr"].T + p["b_r"])
    z_t = sigmoid(x_t @ p["W_xz"].T + h_prev @ p["W_hz"].T + p["b_z"])
    m_t = h_prev @ p["W_hn"].T + p["b_hn"]
    n_t = np.tanh(x_t @ p["W_xn"].T + p["b_xn"] + r_t * m_t)
    da_n = dh_t * (1 - z_t) * (1 - n_t**2)
    da_z = z_sign * dh_t * (h_prev - n_t) * z_t * (1 - z_t)
    da_r = da_n * m_t * r_t * (1 - r_t)
    dm = da_n * r_t if reset_in_m else da_n
    grads = {"W_xr": da_r.T @ x_t, "W_hr": da_r.T @ h_prev, "b_r": da_r.sum(0),
             "W_xz": da_z.T @ x_t, "W_hz": da_z.T @ h_prev, "b_z": da_z.sum(0),
             "W_xn": da_n.T @ x_t, "b_xn": da_n.sum(0), "W_hn": dm.T @ h_prev, "b_hn": dm.sum(0)}
    dx_t = da_r @ p["W_xr"] + da_z @ p["W_xz"] + da_n @ p["W_xn"]
    dh_prev = dh_t * z_t * carousel + da_r @ p["W_hr"] + da_z @ p["W_hz"] + dm @ p["W_hn"]
    return dx_t, dh_prev, grads


def test_gru_step_backward_passes_the_solution(capsys):
    check.gru_step_backward(hidden_solution("05_gates.ipynb", "gru_step_backward", helpers=("sigmoid", "gru_step")))
    check.gru_step_backward(gru_step_backward)
    assert capsys.readouterr().out.count("all 12 gradients agree") == 2


@pytest.mark.parametrize("wrong, match", [
    (lambda *args: gru_step_backward(*args, carousel=False),
     r"differ from central differences .*: h_prev \(.*\); the others agree\. Hint for h_prev: dh_prev lacks the direct"),
    (lambda *args: gru_step_backward(*args, reset_in_m=False),
     r": W_hn \(.*\), b_hn \(.*\), h_prev .* Hint for W_hn: m_t = W_hn h_prev \+ b_hn enters a_n multiplied by r_t"),
    (lambda *args: gru_step_backward(*args, z_sign=-1),
     r": W_xz \(.*\), W_hz .*b_z .*x_t .*h_prev.* Hint for W_xz: dh_t/dz_t = h_prev - n_t"),
    (lambda *args: gru_step_backward(*args)[:2], r"should return \(dx_t, dh_prev, grads\)"),
    (lambda *args: (*gru_step_backward(*args)[:2], {}), "grads lacks the keys"),
])
def test_gru_step_backward_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.gru_step_backward(wrong)


# -- chapter 9 ---------------------------------------------------------------

@pytest.fixture(scope="module")
def probe():
    """An RNN's weights and a name's embeddings, float32, as the chapter's `probe`."""
    rnn = nn.RNN(4, 6)
    x = torch.randn(2, 4, generator=torch.Generator().manual_seed(0))
    return rnn.weight_ih_l0.detach(), rnn.weight_hh_l0.detach(), (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach(), x


def front_padder(W_xh, W_hh, *, extra=0, dtype=None, after=False):
    """A copy of ex. 9.2's solution (its globals bound), with knobs for the slips."""
    def front_padded_state(x, k, b):
        steps = max(k + extra, 0)
        pad = x.new_zeros(steps, x.shape[1])
        xs = torch.cat([x, pad] if after else [pad, x])
        W_x, W_h, b_ = (W_xh, W_hh, b) if dtype is None else (W_xh.to(dtype), W_hh.to(dtype), b.to(dtype))
        h_t = xs.new_zeros(W_hh.shape[0], dtype=dtype or xs.dtype)
        for x_t in xs:
            h_t = torch.tanh(W_h @ h_t + W_x @ x_t.to(h_t.dtype) + b_)
        return h_t
    return front_padded_state


@pytest.mark.parametrize("dtype", [None, torch.float64], ids=["float32", "float64"])
def test_front_padded_state_passes_the_solution(probe, dtype, capsys):
    W_xh, W_hh, b_h, x = probe
    check.front_padded_state(front_padder(W_xh, W_hh, dtype=dtype), W_xh, W_hh, b_h, x)
    assert "correct for k = 0, 1 and 5" in capsys.readouterr().out


def test_front_padded_state_passes_the_chapters_solution(probe, capsys):
    W_xh, W_hh, b_h, x = probe
    solution = hidden_solution("09_names.ipynb", "front_padded_state", W_xh=W_xh, W_hh=W_hh,
                               H=W_hh.shape[0], D=W_xh.shape[1])
    check.front_padded_state(solution, W_xh, W_hh, b_h, x)
    assert "correct for k = 0, 1 and 5" in capsys.readouterr().out


@pytest.mark.parametrize("knobs, match", [
    (dict(extra=-1), r"k=1, b=b_h\).*Hint: that is the state after k - 1 padding steps"),
    (dict(extra=1), r"k=0, b=b_h\).*Hint: that is the state after k \+ 1 padding steps"),
    (dict(after=True), "Hint: that is the state with the padding after the name"),
])
def test_front_padded_state_catches(probe, knobs, match):
    W_xh, W_hh, b_h, x = probe
    with pytest.raises(ExerciseError, match=match):
        check.front_padded_state(front_padder(W_xh, W_hh, **knobs), W_xh, W_hh, b_h, x)


def test_front_padded_state_turns_a_dtype_error_into_its_message(probe):
    W_xh, W_hh, b_h, x = probe

    def mixed(x, k, b):  # a float64 state against float32 weights
        h_t = torch.zeros(W_hh.shape[0], dtype=torch.float64)
        for x_t in torch.cat([x.new_zeros(k, x.shape[1]), x]):
            h_t = torch.tanh(W_hh @ h_t + W_xh @ x_t + b)
        return h_t

    with pytest.raises(ExerciseError, match="raised torch's dtype error .* mixes float32 and float64"):
        check.front_padded_state(mixed, W_xh, W_hh, b_h, x)


def masked_mean(y, lengths, *, divide_by_T=False, strict=False):
    """A copy of ex. 9.3's solution, with knobs for the slips."""
    t = torch.arange(1, y.shape[0] + 1)
    mask = ((t[:, None] < lengths) if strict else (t[:, None] <= lengths)).to(y.dtype)
    total = (mask[:, :, None] * y).sum(dim=0)
    return total / (y.shape[0] if divide_by_T else lengths[:, None].to(y.dtype))


def test_masked_mean_passes_the_solution(capsys):
    check.masked_mean(hidden_solution("09_names.ipynb", "masked_mean"))
    check.masked_mean(masked_mean)
    check.masked_mean(lambda y, lengths: masked_mean(y.double(), lengths))  # float64 whatever the input
    assert capsys.readouterr().out.count("masked_mean: correct") == 3


@pytest.mark.parametrize("wrong, match", [
    (lambda y, L: masked_mean(y, L, divide_by_T=True), "dividing by T instead"),
    (lambda y, L: masked_mean(y, L, strict=True), r"first L - 1 steps \(the mask is off by one"),
    (lambda y, L: y.mean(0), "the padding included"),
    (lambda y, L: masked_mean(y, L).T, "shape"),
])
def test_masked_mean_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.masked_mean(wrong)


COUNTS = np.array([300, 40, 9, 120, 15, 2, 60])


def weighted_loss(logits, target, *, weights=None, reduction="weighted mean"):
    """A copy of ex. 9.4's solution (and the alternative normalisation)."""
    w_k = COUNTS.sum() / (len(COUNTS) * COUNTS) if weights is None else weights
    w = torch.as_tensor(w_k, dtype=logits.dtype)
    if reduction == "weighted mean":
        return nn.functional.cross_entropy(logits, target, weight=w)
    return (w[target] * nn.functional.cross_entropy(logits, target, reduction="none")).mean()


@pytest.mark.parametrize("answer", [
    lambda logits, target: hidden_solution("09_names.ipynb", "weighted_loss", train_idx=range(COUNTS.sum()),
                                           K=len(COUNTS), N_k=COUNTS)(logits, target),
    weighted_loss,
    lambda logits, target: weighted_loss(logits, target, reduction="mean"),
    lambda logits, target: weighted_loss(logits, target, weights=1 / COUNTS),  # the scale cancels
], ids=["chapter", "weight", "mean of weighted", "1/N_k"])
def test_weighted_loss_passes_the_solutions(answer, capsys):
    check.weighted_loss(answer, COUNTS)
    assert "weighted_loss: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, match", [
    (lambda logits, target: nn.functional.cross_entropy(logits, target), "Hint: that is the loss without weights"),
    (lambda logits, target: weighted_loss(logits, target, weights=COUNTS / COUNTS.sum()), "weights inverted"),
    (lambda logits, target: nn.functional.cross_entropy(
        logits, target, weight=torch.tensor(COUNTS.sum() / (len(COUNTS) * COUNTS))), "dtype error"),
    (lambda logits, target: torch.tensor(weighted_loss(logits, target).item()), "does not backpropagate"),
    (lambda logits, target: nn.functional.cross_entropy(logits, target, reduction="none"), "torch scalar"),
])
def test_weighted_loss_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.weighted_loss(wrong, COUNTS)


def test_chrono_bias_passes_the_solution(capsys):
    check.chrono_bias(hidden_solution("05_gates.ipynb", "chrono_bias"))
    assert "chrono_bias: u = exp(b_f) uniform" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, match", [
    (lambda H, T_max, rng: rng.uniform(1, T_max - 1, size=H), "these look like u itself"),
    (lambda H, T_max, rng: rng.uniform(0, np.log(T_max - 1), size=H), r"quartiles of u = exp\(b_f\) are"),
    (lambda H, T_max, rng: np.full(H, np.log(T_max / 2)), "the same bias"),
    (lambda H, T_max, rng: np.log(np.random.default_rng().uniform(1, T_max - 1, size=H)), "from the rng it is given"),
    (lambda H, T_max, rng: np.log(rng.uniform(1, T_max, size=H)), r"outside \[1, T_max - 1\]"),
    (lambda H, T_max, rng: np.log(rng.uniform(1, T_max - 1, size=(H, 1))), r"shape \(20000, 1\), expected \(20000,\)"),
])
def test_chrono_bias_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.chrono_bias(wrong)


def backward_relu(p, x, h, dy, *, local="relu", dh_0=True):
    """A copy of ex. 3.3's solution, with knobs for the usual slips."""
    grads = {name: np.zeros_like(value) for name, value in p.items()}
    from_next = np.zeros_like(h[0])
    for t in reversed(range(1, len(x) + 1)):
        slope = (h[t] > 0) if local == "relu" else 1 - h[t] ** 2
        delta = slope * (dy[t - 1] @ p["W_hy"] + from_next)
        grads["W_xh"] += delta.T @ x[t - 1]
        grads["W_hh"] += delta.T @ h[t - 1]
        grads["b_h"] += delta.sum(axis=0)
        grads["W_hy"] += dy[t - 1].T @ h[t]
        grads["b_y"] += dy[t - 1].sum(axis=0)
        from_next = delta @ p["W_hh"]
    return grads, from_next if dh_0 else np.zeros_like(from_next)


def test_relu_backward_passes_the_solution(capsys):
    check.relu_backward(hidden_solution("03_bptt.ipynb", "backward_relu"))
    check.relu_backward(backward_relu)
    assert capsys.readouterr().out.count("every gradient agrees") == 2


@pytest.mark.parametrize("wrong, match", [
    (lambda *args: backward_relu(*args, local="tanh"), r": W_xh \(.*\), W_hh .*b_h .*h_0 .*not 1 - h_t\^2"),
    (lambda *args: backward_relu(*args, dh_0=False), r"central differences .*: h_0 \(1.0e\+00\); the others agree"),
    (lambda *args: backward_relu(*args)[0], r"should return \(grads, dh_0\)"),
    (lambda *args: ({k: v for k, v in backward_relu(*args)[0].items() if k != "b_y"}, None), "lacks the keys"),
])
def test_relu_backward_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.relu_backward(wrong)


# -- chapter 2 ---------------------------------------------------------------

def detector(k=10.0, copy_bias=0.0, and_threshold=1.5, hold=0.0):
    """A copy of the chapter's solution; the keywords make the typical wrong ones."""
    W_xh = np.full((2, 1), k)
    W_hh = np.array([[hold, 0.0], [k, 0.0]])
    b_h = np.array([copy_bias, -and_threshold * k])
    return W_xh, W_hh, b_h, np.array([[0.0, 0.5]]), np.array([0.5])


def test_detector_weights_passes_the_solution_and_other_gains(capsys):
    solution = hidden_solution("02_rnn_model.ipynb", "detector_weights")
    for answer in (solution, lambda: solution(25.0), lambda: detector(10.0)):
        check.detector_weights(answer)
    assert capsys.readouterr().out.count("correct at all") == 3


@pytest.mark.parametrize("wrong, match", [
    (lambda: detector(and_threshold=0.5), r"with x_t = 1 and .* expected 0"),  # fires on a single 1
    (lambda: detector(hold=10.0), "expected 0"),                               # unit 1 latches: any earlier 1
    (lambda: detector(k=2.0), "not saturated; scale the weights up"),
    (lambda: detector()[:4], r"should return the tuple \('W_xh'"),
    (lambda: (np.ones((1, 2)),) + detector()[1:], r"W_xh has shape \(1, 2\), expected \(2, 1\)"),
])
def test_detector_weights_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.detector_weights(wrong)


# -- chapter 4 ---------------------------------------------------------------

def transient_peak(W, k_max, ord=2, start=1, stop=0):
    norms = [np.linalg.norm(np.linalg.matrix_power(W, k), ord) for k in range(start, k_max + 1 - stop)]
    return max(norms), int(np.argmax(norms)) + start


def test_transient_peak_passes_the_solution(capsys):
    check.transient_peak(hidden_solution("04_vanishing_exploding.ipynb", "transient_peak"))
    check.transient_peak(transient_peak)
    check.transient_peak(lambda W, k_max: (np.float32(transient_peak(W, k_max)[0]), np.int64(transient_peak(W, k_max)[1])))
    assert "transient_peak: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, match", [
    (lambda W, k: transient_peak(W, k, ord=None), "Frobenius norm"),
    (lambda W, k: (transient_peak(W, k)[0], transient_peak(W, k)[1] - 1), "k counts from 1"),
    (lambda W, k: transient_peak(W, k, stop=1), "k_max = 12 inclusive"),
    (lambda W, k: (max(abs(np.linalg.eigvals(np.linalg.matrix_power(W, j))).max() for j in range(1, k + 1)),
                   transient_peak(W, k)[1]), "spectral radius"),
    (lambda W, k: transient_peak(W, k)[0], r"should return \(peak, k\)"),
])
def test_transient_peak_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.transient_peak(wrong)


def clip_dict(grads, max_norm, joint=True, always=False, after=False, copy=False):
    """The chapter's solution; the keywords make the typical wrong ones."""
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))
    for k, g in grads.items():
        own = norm if joint else float(np.linalg.norm(g))
        factor = max_norm / own if (always or own > max_norm) else 1.0
        if copy:
            grads[k] = g * factor
        else:
            g *= factor
    return float(np.sqrt(sum(np.sum(g**2) for g in grads.values()))) if after else norm


def test_clip_dict_by_norm_passes_the_solution(capsys):
    check.clip_dict_by_norm(hidden_solution("04_vanishing_exploding.ipynb", "clip_dict_by_norm", math=math))
    check.clip_dict_by_norm(clip_dict)
    assert capsys.readouterr().out.count("clip_dict_by_norm: correct on 4 cases") == 2


@pytest.mark.parametrize("wrong, match", [
    (lambda g, c: clip_dict(g, c, joint=False), "one factor per array"),
    (lambda g, c: clip_dict(g, c, always=True), "enlarges small gradients"),
    (lambda g, c: clip_dict(g, c, after=True), "the norm after clipping"),
    (lambda g, c: clip_dict(g, c, copy=True), "in place"),
    (lambda g, c: None, "returned None"),
])
def test_clip_dict_by_norm_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.clip_dict_by_norm(wrong)


def clipped_cosine(M, eps, c, n, entries=0, clip=True, angle=False, square=False):
    """The chapter's solution; the keywords make the typical wrong ones."""
    g = np.full(n + entries, eps)
    g[0] = M
    g_clipped = np.clip(g, -c, c) if clip else g.copy()
    cos = g @ g_clipped / (g @ g if square else np.linalg.norm(g) * np.linalg.norm(g_clipped))
    return math.acos(min(cos, 1.0)) if angle else cos


def test_clipped_cosine_passes_the_solution(capsys):
    check.clipped_cosine(hidden_solution("04_vanishing_exploding.ipynb", "clipped_cosine"))
    check.clipped_cosine(clipped_cosine)
    check.clipped_cosine(lambda M, eps, c, n: torch.tensor(clipped_cosine(M, eps, c, n)))
    assert "clipped_cosine: correct on 5 cases" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, match", [
    (lambda M, e, c, n: clipped_cosine(M, e, c, n, entries=1), "n - 1 of them eps"),
    (lambda M, e, c, n: clipped_cosine(M, e, c, n, clip=False), "without clipping by value"),
    (lambda M, e, c, n: clipped_cosine(M, e, c, n, angle=True), "arccos"),
    (lambda M, e, c, n: clipped_cosine(M, e, c, n, square=True), r"\|\|g\|\|\^2"),
    (lambda M, e, c, n: c / math.sqrt(c**2 + (n - 1) * e**2), "the limit M -> infinity"),
    (lambda M, e, c, n: 1 / math.sqrt(n), "1/sqrt\\(n\\)"),
    (lambda M, e, c, n: np.ones(2), "should be one number"),
    (lambda M, e, c, n: None, "forget to `return`"),
])
def test_clipped_cosine_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.clipped_cosine(wrong)


# -- chapter 13 --------------------------------------------------------------

def doubling_scan(a, b, rounds=None):
    """A copy of the chapter's solution; ``rounds`` stops early (a typical wrong one)."""
    a, b, shift, done = a.clone(), b.clone(), 1, 0
    while shift < len(a) and (rounds is None or done < rounds):
        b = torch.cat([b[:shift], b[shift:] + a[shift:] * b[:-shift]])
        a = torch.cat([a[:shift], a[shift:] * a[:-shift]])
        shift, done = 2 * shift, done + 1
    return b


def test_doubling_scan_passes_the_solution(capsys):
    check.doubling_scan(hidden_solution("13_parallelism.ipynb", "doubling_scan"))
    check.doubling_scan(doubling_scan)
    assert capsys.readouterr().out.count("agrees with the loop") == 2


def in_place(a, b):
    shift = 1
    while shift < len(a):
        b[shift:] = b[shift:] + a[shift:] * b[:-shift].clone()
        a[shift:] = a[shift:] * a[:-shift].clone()
        shift *= 2
    return b


@pytest.mark.parametrize("wrong, match", [
    (lambda a, b: doubling_scan(a, b, rounds=1), r"T = 3 .* differs"),
    (lambda a, b: b.clone(), "without the shifted pairs"),
    (in_place, "changed its inputs"),
    (lambda a, b: doubling_scan(a, b)[:-1], "has shape"),
])
def test_doubling_scan_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.doubling_scan(wrong)


# -- chapter 14 --------------------------------------------------------------

def tbptt(model, optimizer, x, y, k, detach=True, carry=True, zero=True, last=True, reduce=np.mean,
          target=None):
    """A copy of the chapter's solution; the keywords make the typical wrong ones."""
    state, losses = None, []
    for start in range(0, len(x) if last else len(x) - k + 1, k):
        prediction, new_state = model(x[start : start + k], state)
        goal = (y if target is None else target(x, y))[start : start + k]
        loss = nn.functional.mse_loss(prediction, goal)
        if zero:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        state = (new_state.detach() if detach else new_state) if carry else None
        losses.append(loss.item())
    return float(reduce(losses))


def test_tbptt_epoch_passes_the_solution(capsys):
    check.tbptt_epoch(hidden_solution("14_faq_errata.ipynb", "tbptt_epoch"))
    check.tbptt_epoch(tbptt)
    assert capsys.readouterr().out.count("a correct loop's weights") == 2


@pytest.mark.parametrize("wrong, match", [
    (lambda *a: tbptt(*a, detach=False), "must be detached"),
    (lambda *a: tbptt(*a, carry=False), "started from no state"),
    (lambda *a: tbptt(*a, zero=False), "zero the gradients"),
    (lambda *a: tbptt(*a, last=False), "expected 5 chunks"),
    (lambda *a: tbptt(*a, reduce=np.sum), "expected the mean"),
    (lambda *a: tbptt(*a, target=lambda x, y: x), "against y"),
])
def test_tbptt_epoch_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.tbptt_epoch(wrong)


# -- chapter 6 ---------------------------------------------------------------

def open_gate(lstm, b, rows=1, both=False, weights=False):
    """The chapter's solution; the keywords make the typical wrong ones."""
    H = lstm.hidden_size
    with torch.no_grad():
        lstm.bias_ih_l0[rows * H : (rows + 1) * H] = b
        lstm.bias_hh_l0[rows * H : (rows + 1) * H] = b if both else 0.0
        if weights:
            lstm.weight_hh_l0[H : 2 * H] = 0.0


def test_open_forget_gate_passes_the_solution(capsys):
    check.open_forget_gate(open_gate)
    check.open_forget_gate(hidden_solution("06_long_range.ipynb", "open_forget_gate"))
    assert capsys.readouterr().out.count("nothing else changed") == 2


@pytest.mark.parametrize("wrong, match", [
    (lambda lstm, b: open_gate(lstm, b, rows=0), "input gate i"),
    (lambda lstm, b: open_gate(lstm, b, both=True), "PyTorch adds them"),
    (lambda lstm, b: open_gate(lstm, b, weights=True), "changed weight_hh_l0"),
    (lambda lstm, b: None, "expected 1.0 in each"),
])
def test_open_forget_gate_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.open_forget_gate(wrong)


# -- the hidden solutions, read from the chapters ------------------------------

def definitions(source, names=None):
    """The top-level imports, functions and classes of a cell's ``source`` (those
    called ``names``, if given), without the statements that use them."""
    import ast

    kinds = (ast.FunctionDef, ast.ClassDef) + ((ast.Import, ast.ImportFrom) if names is None else ())
    tree = ast.parse(source)
    return ast.Module([node for node in tree.body if isinstance(node, kinds)
                       and (names is None or node.name in names)], type_ignores=[])


def hidden_solution(chapter, name, helpers=(), **names):
    """The function ``name`` as the chapter's solution cell defines it (the cell
    tagged ``solution`` that holds ``def name(``), run with the chapter's imports,
    the chapter's own functions ``helpers`` (from its other cells) and the globals
    ``names``: the test follows the chapter when it changes. Only the cell's
    definitions run, not the chapter's code around them."""
    import collections
    import itertools

    import nbformat
    from _tools import ROOT

    notebook = nbformat.read(ROOT / "chapters" / chapter, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    sources = [c.source for c in code if "solution" in c.metadata.get("tags", []) and f"def {name}(" in c.source]
    assert len(sources) == 1, f"{chapter}: {len(sources)} solution cells define {name}"
    namespace = {"np": np, "torch": torch, "nn": nn, "collections": collections,
                 "itertools": itertools, **names}
    for helper in helpers:
        (source,) = [c.source for c in code if "solution" not in c.metadata.get("tags", [])
                     and re.search(rf"^(def|class) {helper}\b", c.source, re.M)]
        exec(compile(definitions(source, {helper}), f"{chapter}:{helper}", "exec"), namespace)
    exec(compile(definitions(sources[0]), f"{chapter}:{name}", "exec"), namespace)
    return namespace[name]


# -- chapter 10 --------------------------------------------------------------

def ctc_brute(p, z, *, merge="before", shift=0, blank=0, log=False):
    """ctc_probability with knobs for the usual slips."""
    import itertools

    T, C = p.shape
    total = p.new_zeros(())
    for path in itertools.product(range(C), repeat=T):
        if merge == "before":
            read = [c for c, prev in zip(path, (blank,) + path[:-1]) if c not in (blank, prev)]
        else:
            read = [c for c in path if c != blank]
            if merge == "after":
                read = [c for i, c in enumerate(read) if i == 0 or c != read[i - 1]]
        if [c - shift for c in read] == list(z):
            total = total + torch.prod(p[torch.arange(T), list(path)])
    return -torch.log(total) if log else total


def test_ctc_probability_passes_the_solution(capsys):
    check.ctc_probability(hidden_solution("10_speech.ipynb", "ctc_probability"))
    check.ctc_probability(lambda p, z: float(ctc_brute(p.double(), z)))  # a float, from float64
    assert capsys.readouterr().out.count("agrees with torch.nn.CTCLoss") == 2


@pytest.mark.parametrize("wrong, match", [
    (lambda p, z: ctc_brute(p, z, merge="after"), "blanks dropped before the repeats are merged"),
    (lambda p, z: ctc_brute(p, z, merge="none"), r"\[1\].*without merging repeats"),
    (lambda p, z: ctc_brute(p, z, shift=1), r"labels z \+ 1: greedy_decode subtracts 1"),
    (lambda p, z: ctc_brute(p, z, blank=2), "with class C - 1 as the blank"),
    (lambda p, z: ctc_brute(p, z, log=True), "CTCLoss's value: return the probability"),
    (lambda p, z: ctc_brute(p, z)[None].repeat(2), r"one number .* got Tensor of shape \(2,\)"),
])
def test_ctc_probability_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.ctc_probability(wrong)


def dtw_banded(a, b, w, *, strict=False, normalise=True, band=True, shift=0):
    """dtw_band with knobs for the usual slips (a double loop, as dtw_plain)."""
    n, m = len(a), len(b)
    c = np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1))
    D = np.full((n + 1, m + 1), np.inf)
    D[0, 0] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            off = abs(i - j - shift)
            if band and (off >= w if strict else off > w):
                continue
            D[i, j] = c[i - 1, j - 1] + min(D[i - 1, j - 1], D[i - 1, j], D[i, j - 1])
    return D[n, m] / (n + m) if normalise else D[n, m]


def test_dtw_band_passes_the_solution(capsys):
    check.dtw_band(hidden_solution("10_speech.ipynb", "dtw_band"))
    check.dtw_band(dtw_banded)
    assert capsys.readouterr().out.count("dtw_band: correct") == 2


@pytest.mark.parametrize("wrong, match", [
    (lambda a, b, w: dtw_banded(a, b, w, strict=True), r"w=0.* infinite.*the bound included"),
    (lambda a, b, w: dtw_banded(a, b, w, normalise=False), r"w=50.*without dividing by n \+ m"),
    (lambda a, b, w: dtw_banded(a, b, w, band=False), r"w=0.*without the band"),
    (lambda a, b, w: dtw_banded(a, b, w + 1), r"w=0.*one step too wide"),
    (lambda a, b, w: dtw_banded(a, b, w, shift=1), r"w=0.* infinite.*counted from\s+the same origin"),
])
def test_dtw_band_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.dtw_band(wrong)


# -- chapter 11 --------------------------------------------------------------

@pytest.fixture(scope="module")
def zh_tokenizer():
    import sacrebleu

    return sacrebleu.BLEU(tokenize="zh").tokenizer


def test_clipped_matches_passes_the_solution(zh_tokenizer, capsys):
    check.clipped_matches(hidden_solution("11_translation.ipynb", "clipped_matches",
                                          zh_tokenizer=zh_tokenizer))
    assert "agrees with sacrebleu on 7 cases" in capsys.readouterr().out


def matches(output, references, n, tokenize, *, clip="max", chars=False, last=True, swap=False):
    """clipped_matches with knobs for the usual slips."""
    import collections

    def ngrams(text):
        t = list(text) if chars else tokenize(text).split()
        return collections.Counter(tuple(t[i : i + n]) for i in range(len(t) - n + last))

    found = ngrams(output)
    if clip == "one reference":
        hits = max(sum(min(k, ngrams(r)[g]) for g, k in found.items()) for r in references)
    else:
        most = collections.Counter()
        for r in references:
            for g, k in ngrams(r).items():
                most[g] = max(most[g], k)
        hits = sum((k if most[g] else 0) if clip == "none" else min(k, most[g]) for g, k in found.items())
    pair = hits, sum(found.values())
    return pair[::-1] if swap else pair


@pytest.mark.parametrize("knobs, match", [
    (dict(clip="none"), r"'的的的的。'.*without clipping"),
    (dict(clip="one reference"), "clipped against one whole reference at a time"),
    (dict(chars=True), r"'汤姆在2013年.*split into characters"),
    (dict(last=False), "without the last n-gram"),
    (dict(swap=True), "the pair in the other order"),
])
def test_clipped_matches_catches(zh_tokenizer, knobs, match):
    with pytest.raises(ExerciseError, match=match):
        check.clipped_matches(lambda o, r, n: matches(o, r, n, zh_tokenizer, **knobs))


# -- chapter 12 --------------------------------------------------------------

def test_shuffle_frames_passes_the_solutions(capsys):
    check.shuffle_frames(hidden_solution("12_video.ipynb", "shuffle_frames"))

    def per_clip(x, generator):  # another correct form: one randperm per clip
        orders = [torch.randperm(len(x), generator=generator) for _ in range(x.shape[1])]
        return torch.stack([x[order, b] for b, order in enumerate(orders)], dim=1)

    check.shuffle_frames(per_clip)
    assert capsys.readouterr().out.count("each its own frames") == 2


def argsorted(x, generator):  # the chapter's solution
    T, B = x.shape[:2]
    return x[torch.rand(T, B, generator=generator).argsort(dim=0), torch.arange(B)]


def one_order(x, generator):
    return x[torch.randperm(len(x), generator=generator)]


def rolled(x, generator):
    shifts = torch.randint(1, len(x), (x.shape[1],), generator=generator)
    return torch.stack([x[:, b].roll(int(s), dims=0) for b, s in enumerate(shifts)], dim=1)


def first_in_place(x, generator):
    T, B = x.shape[:2]
    order = torch.cat([torch.zeros(1, B, dtype=torch.long), 1 + torch.rand(T - 1, B, generator=generator).argsort(dim=0)])
    return x[order, torch.arange(B)]


def without_generator(x, generator):
    T, B = x.shape[:2]
    return x[torch.rand(T, B).argsort(dim=0), torch.arange(B)]


@pytest.mark.parametrize("wrong, match", [
    (one_order, "every clip got the same order of frames"),
    (lambda x, g: x[:, torch.randperm(x.shape[1], generator=g)], "the clips were reordered, not their frames"),
    (lambda x, g: x[torch.rand(*x.shape[:2], generator=g).argsort(dim=0)], r"returned shape \(8, 300, 300"),
    (lambda x, g: x[torch.randint(0, len(x), x.shape[:2], generator=g), torch.arange(x.shape[1])],
     "each frame once, a permutation"),
    (rolled, r"pairs of consecutive frames .* a rotation \(torch.roll\)"),
    (first_in_place, "the first frame stays in its place in every clip: permute all T frames"),
    (without_generator, "different orders for two generators in the same state"),
    (lambda x, g: argsorted(x, g).float(), "in float64 returned torch.float32: keep the dtype of x"),
])
def test_shuffle_frames_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.shuffle_frames(wrong)


# -- chapter 14, exercise 2 --------------------------------------------------

def field(k, L, dilated, *, padding="causal", total=False, length=200):
    """receptive_field with knobs for the usual slips."""
    layers = []
    for l in range(L):
        d = 2**l if dilated else 1
        if padding == "causal":
            layers += [nn.ConstantPad1d(((k - 1) * d, 0), 0.0), nn.Conv1d(1, 1, k, dilation=d)]
        else:
            layers += [nn.Conv1d(1, 1, k, dilation=d, padding="same")]
    stack = nn.Sequential(*layers)
    with torch.no_grad():
        for layer in stack:
            if isinstance(layer, nn.Conv1d):
                layer.weight.fill_(1.0)
    x = torch.zeros(1, 1, length, requires_grad=True)
    y = stack(x)
    (y.sum() if total else y[0, 0, -1]).backward()
    return int((x.grad != 0).sum())


def test_receptive_field_passes_the_solution(capsys):
    check.receptive_field(hidden_solution("14_faq_errata.ipynb", "receptive_field"))
    check.receptive_field(lambda k, L, dilated: torch.tensor(field(k, L, dilated)))  # a 0-d tensor
    assert capsys.readouterr().out.count("receptive_field: correct") == 2


@pytest.mark.parametrize("wrong, match", [
    (lambda k, L, dilated: field(k, L, dilated=False), r"dilated=True\) = 9, expected 31.*without the dilations"),
    (lambda k, L, dilated: field(k, L, dilated, padding="same"), r"\(3, 3, dilated=False\) = 4, .*padding='same'"),
    (lambda k, L, dilated: field(k, L, dilated, total=True), "backpropagate from the last output alone"),
    (lambda k, L, dilated: field(k, L, dilated, length=40), r"\(2, 6, dilated=True\) = 40, .*longer than the field"),
])
def test_receptive_field_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.receptive_field(wrong)


# -- chapter 8, exercise 4 ---------------------------------------------------

def top_k_sampler(*, keep=0, mask=-math.inf, tau=None, positions=False, seeded=True):
    """sample_top_k with knobs for the usual slips: keep k + keep characters,
    fill the others with ``mask``, use ``tau(temperature)``, return positions."""
    @torch.no_grad()
    def sample_top_k(model, prefix, length, k, temperature, generator):
        ids, state, drawn = prefix[:, None], None, []
        for _ in range(length):
            step_logits, state = model(ids, state)
            y = step_logits[-1, 0].double()
            values, _ = torch.topk(y, min(k + keep, len(y)))
            y = y.masked_fill(y < values[-1], mask)
            t = temperature if tau is None else tau(temperature)
            p = torch.softmax(values / t if positions else y / t, dim=0)
            i = torch.multinomial(p, 1, generator=generator if seeded else None)
            drawn.append(i)
            ids = i[:, None]   # with positions, the position is fed back
        return torch.cat(drawn)

    return sample_top_k


def top_k_by_values(model, prefix, length, k, temperature, generator):
    """Another correct form: draw among the k values, map back to characters."""
    out, state, x = [], None, prefix[:, None]
    for _ in range(length):
        logits, state = model(x, state)
        values, indices = logits[-1, 0].topk(k)
        j = torch.multinomial(torch.softmax(values / temperature, 0), 1, generator=generator)
        out.append(int(indices[j]))
        x = indices[j][:, None]
    return out  # a list of ints


def test_top_k_sampling_passes_the_solutions(capsys):
    check.top_k_sampling(hidden_solution("08_char_rnn.ipynb", "sample_top_k",
                                         math=math, device=torch.device("cpu")))
    check.top_k_sampling(top_k_by_values)
    assert capsys.readouterr().out.count("only the k most likely drawn") == 2


@pytest.mark.parametrize("wrong, match", [
    (top_k_sampler(keep=1), r"k=3.*rank 4 .* k \+ 1 characters were kept"),
    (top_k_sampler(mask=0.0), r"k=3.*outside the 3 most likely; the others were not masked"),
    (top_k_sampler(keep=-1), r"k=2.*keeping k - 1 characters"),
    (top_k_sampler(tau=lambda t: 1.0), r"k=3, temperature=0.5.*without the temperature"),
    (top_k_sampler(tau=lambda t: 1 / t), r"y \* temperature instead of y / temperature"),
    (top_k_sampler(positions=True), r"k=6.*positions among the k candidates"),
    (top_k_sampler(seeded=False), "draw with the generator given"),
])
def test_top_k_sampling_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.top_k_sampling(wrong)


# -- chapter 8, exercise 3 ---------------------------------------------------

def reset_bits(model, ids, window, *, carry=False, per_batch=False, nats=False, shift=0):
    """bits_with_reset with knobs for the usual slips."""
    from rnncourse.data import tbptt_batches

    total, count, means, state = 0.0, 0, [], None
    with torch.no_grad():
        for x, y in tbptt_batches(ids, batch_size=10, seq_len=window + shift):
            logits, new_state = model(x, state)
            state = new_state if carry else None
            loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                               reduction="sum").item()
            total, count = total + loss, count + y.numel()
            means.append(loss / y.numel())
    nats_per_char = np.mean(means) if per_batch else total / count
    return nats_per_char if nats else nats_per_char / math.log(2)


@pytest.fixture(scope="module")
def char_model_and_ids():
    from rnncourse.torch.models import CharLM

    torch.manual_seed(8)
    return CharLM(12, 16, 8, cell="lstm").eval(), torch.randint(0, 12, (2001,))


def test_bits_with_reset_passes_the_solutions(char_model_and_ids, capsys):
    from rnncourse.data import tbptt_batches

    model, ids = char_model_and_ids
    solution = hidden_solution("08_char_rnn.ipynb", "bits_with_reset", math=math, F=nn.functional,
                               tbptt_batches=tbptt_batches, B_valid=10, V=12,
                               device=torch.device("cpu"))
    check.bits_with_reset(solution, model, ids, batch_size=10)
    check.bits_with_reset(lambda m, i, w: torch.tensor(reset_bits(m, i, w)), model, ids,
                          batch_size=10)  # a 0-d tensor
    assert capsys.readouterr().out.count("agrees with evaluate()") == 2


@pytest.mark.parametrize("knobs, match", [
    (dict(carry=True), r"ids, 4\) = .*state carried from batch to batch"),
    (dict(nats=True), r"ids, 4\) = .*in nats"),
    (dict(per_batch=True), r"ids, 16\) = .*mean of the batches' means"),
    (dict(shift=1), r"ids, 4\) = .*windows of 5"),
    (dict(shift=-1), r"ids, 4\) = .*windows of 3"),
])
def test_bits_with_reset_catches(char_model_and_ids, knobs, match):
    model, ids = char_model_and_ids
    with pytest.raises(ExerciseError, match=match):
        check.bits_with_reset(lambda m, i, w: reset_bits(m, i, w, **knobs), model, ids, batch_size=10)


# -- chapter 6, exercise 4 ---------------------------------------------------

def irnn_maker(*, relu=True, eye=True, zero=("bias_ih_l0", "bias_hh_l0"), sd=0.001, double=False,
               extra=False):
    """make_irnn with knobs for the usual slips."""
    def make_irnn(H):
        model = SequenceRegressor(2, H, 1, cell="rnn")
        model.core = nn.RNN(2, H, nonlinearity="relu" if relu else "tanh")
        if extra:
            model.rnn = nn.RNN(2, H, nonlinearity="relu")
        with torch.no_grad():
            if eye:
                model.core.weight_hh_l0.copy_(torch.eye(H))
            for bias in zero:
                getattr(model.core, bias).zero_()
            if sd is not None:
                model.core.weight_ih_l0.normal_(0.0, sd)
        return model.double() if double else model

    return make_irnn


def test_irnn_passes_the_solutions(capsys):
    check.irnn(hidden_solution("06_long_range.ipynb", "make_irnn", SequenceRegressor=SequenceRegressor))
    check.irnn(irnn_maker(double=True))  # in float64
    assert capsys.readouterr().out.count("irnn: nn.RNN with the ReLU") == 2


@pytest.mark.parametrize("wrong, match", [
    (irnn_maker(relu=False), r"make_irnn\(1\).core uses tanh: .* nonlinearity='relu'"),
    (irnn_maker(eye=False), "should be the identity, it is PyTorch's random start"),
    (irnn_maker(zero=("bias_hh_l0",)), "PyTorch adds two biases, zero both"),
    (irnn_maker(sd=None), r"make_irnn\(64\): W_xh .* standard deviation 0.0"),
    (irnn_maker(sd=0.001**2), "not the variance"),
    (irnn_maker(extra=True), "do not add a second RNN"),
    (lambda H: nn.RNN(2, H, nonlinearity="relu"), "expected a torch.nn.RNN: replace"),
])
def test_irnn_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.irnn(wrong)


def test_checks_leave_the_chapters_random_stream_alone(capsys):
    """ex. 6.4, 8.4 and 14.4: the check draws no number from torch's global
    generator that the chapter would have drawn after it (6 and 8 train there)."""
    for run in (lambda: check.irnn(irnn_maker()),
                lambda: check.top_k_sampling(top_k_by_values),
                lambda: check.zero_gradients(zero_masks)):
        torch.manual_seed(0)
        expected = torch.rand(3)
        torch.manual_seed(0)
        run()
        assert torch.equal(torch.rand(3), expected)


# -- chapter 12, exercise 3 --------------------------------------------------

def approach(a, u, b, v, *, sign=-1, power=2, root=True, future=False, at_zero=False, swap=False):
    """closest_approach with knobs for the usual slips."""
    d, w = a - b, u - v
    t_star = sign * (d * w).sum(axis=-1) / np.linalg.norm(w, axis=-1) ** power
    if future:
        t_star = np.maximum(t_star, 0)
    gap2 = ((d + w * (0 if at_zero else t_star[:, None])) ** 2).sum(axis=-1)
    gap = np.sqrt(gap2) if root else gap2
    return (gap, t_star) if swap else (t_star, gap)


def test_closest_approach_passes_the_solutions(capsys):
    check.closest_approach(hidden_solution("12_video.ipynb", "closest_approach"))

    def from_the_parabola(a, u, b, v):  # another correct form, in torch, as a list
        d, w = torch.as_tensor(a - b), torch.as_tensor(u - v)
        t = -torch.einsum("ni,ni->n", d, w) / torch.einsum("ni,ni->n", w, w)
        return [t, (d.norm(dim=1) ** 2 - (t * w.norm(dim=1)) ** 2).clamp(min=0).sqrt()]

    check.closest_approach(from_the_parabola)
    assert capsys.readouterr().out.count("agree with the formula") == 2


@pytest.mark.parametrize("knobs, match", [
    (dict(sign=1), r"t\*\[\d\] = .*the other sign"),
    (dict(power=1), r"dividing by \|w\| instead of \|w\|\^2"),
    (dict(future=True), "clipped to the future"),
    (dict(swap=True), "swapped with the distance"),
    (dict(root=False), "the squared distance: take the square root"),
    (dict(at_zero=True), "the distance at t = 0, not at t"),
])
def test_closest_approach_catches(knobs, match):
    with pytest.raises(ExerciseError, match=match):
        check.closest_approach(lambda a, u, b, v: approach(a, u, b, v, **knobs))


def test_closest_approach_wants_one_value_per_pair():
    """The dot products summed over the pairs (axis 0), not the coordinates."""
    def over_pairs(a, u, b, v):
        d, w = a - b, u - v
        return -(d * w).sum(axis=0) / (w * w).sum(axis=0), approach(a, u, b, v)[1]

    with pytest.raises(ExerciseError, match=r"t\* has shape \(2,\), expected \(5,\)"):
        check.closest_approach(over_pairs)


# -- chapter 14, exercise 4 --------------------------------------------------

NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def zero_masks(lstm, *, shape=lambda D: (1, 7, D), state=None, x=torch.randn, zero=True,
               output=lambda out: out[0], mask=lambda grad: grad == 0):
    """zero_gradients with knobs for the usual slips."""
    if zero:
        lstm.zero_grad()
    inputs = x(*shape(lstm.input_size))
    output(lstm(inputs) if state is None else lstm(inputs, state(lstm))).sum().backward()
    return {name: mask(getattr(lstm, name).grad) for name in NAMES}


def test_zero_gradients_passes_the_solutions(capsys):
    check.zero_gradients(hidden_solution("14_faq_errata.ipynb", "zero_gradients"))
    # another correct form: an unbatched sequence of one step, h_n, NumPy masks, zeros given as the state
    check.zero_gradients(lambda lstm: zero_masks(
        lstm, shape=lambda D: (1, D), output=lambda out: out[1][0],
        state=lambda m: (torch.zeros(1, m.hidden_size), torch.zeros(1, m.hidden_size)),
        mask=lambda grad: (grad == 0).numpy()))
    assert capsys.readouterr().out.count("as autograd gives them") == 2


@pytest.mark.parametrize("knobs, match", [
    # batch first: seven steps of one sequence
    (dict(shape=lambda D: (7, 1, D)), r"input of shape \(7, 1, \d\): nn.LSTM reads \(T, B, D\), time first"),
    # from c_1 alone
    (dict(output=lambda out: out[1][1]), "output gate's rows came out unused: backpropagate from the output"),
    # the last step's gradients still in .grad
    (dict(zero=False), r"nn.LSTM\(4, 2\).*gradients of an earlier step in .grad.*lstm.zero_grad\(\)"),
    # the state of a sequence read before
    (dict(state=lambda m: (torch.randn(1, 7, m.hidden_size), torch.randn(1, 7, m.hidden_size))),
     "from a state that is not zero"),
    (dict(x=torch.zeros), "inputs that are all zero"),
    (dict(mask=lambda grad: grad != 0), "True where the gradient is nonzero"),
    (dict(mask=lambda grad: grad), "return a boolean mask"),
])
def test_zero_gradients_catches(knobs, match):
    with pytest.raises(ExerciseError, match=match):
        check.zero_gradients(lambda lstm: zero_masks(lstm, **knobs))


# -- chapter 12, exercise 4 --------------------------------------------------

@pytest.fixture(scope="module")
def direction_sets():
    """The chapter's direction task, smaller: the sizes torus_sets must match."""
    rng = np.random.default_rng(0)
    return [moving_dot_clips(n, seed=rng) for n in (200, 60, 100)]


def three_sets_like_the_chapter():
    """The chapter's ``three_sets``, at the sizes of ``direction_sets``."""
    rng = np.random.default_rng(1)

    def three_sets(make, n_train=200, **kwargs):
        return [make(n, seed=rng, **kwargs) for n in (n_train, 60, 100)]

    return three_sets


def test_torus_sets_passes_the_solution(direction_sets, capsys):
    torus_sets = hidden_solution("12_video.ipynb", "torus_sets", three_sets=three_sets_like_the_chapter(),
                                 moving_dot_clips=moving_dot_clips)
    check.torus_sets(torus_sets(), like=direction_sets)
    assert "whose first frames do not tell the direction" in capsys.readouterr().out


def clips_part(clips, part):
    return VideoClips(clips.x[:, part], clips.y[part], clips.positions[:, part], clips.classes)


def shuffled_split(three_sets):
    """One draw of 360 clips split at random: the pairs broken."""
    clips = moving_dot_clips(360, seed=2, wrap=True)
    return [clips_part(clips, part) for part in np.split(np.random.default_rng(0).permutation(360), [200, 260])]


def scored_on_training_clips(three_sets):
    train = three_sets(moving_dot_clips, wrap=True)[0]
    return [train, clips_part(train, slice(0, 60)), clips_part(train, slice(100, 200))]


@pytest.mark.parametrize("wrong, match", [
    (lambda three_sets: three_sets(moving_dot_clips), "the first frame tells the direction.*wrap=True"),
    (lambda three_sets: three_sets(moving_dot_clips, n_train=100, wrap=True),
     r"training clips have shape \(9, 100, 1, 24, 24\), the chapter's \(9, 200, 1, 24, 24\)"),
    (lambda three_sets: three_sets(moving_dot_clips, wrap=True, T=13), r"training clips have shape \(13, 200, .*the same sizes"),
    (shuffled_split, "not in time-reversed pairs"),
    (scored_on_training_clips, "60 of the 60 validation clips are training clips"),
    (lambda three_sets: three_sets(moving_dot_clips, wrap=True)[2], "three sets"),
])
def test_torus_sets_catches(direction_sets, wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.torus_sets(wrong(three_sets_like_the_chapter()), like=direction_sets)
