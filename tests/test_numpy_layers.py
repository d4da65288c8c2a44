"""rnncourse.numpy layers: gradients against central differences, truncated
BPTT, parity with torch.nn, conversion both ways, and bad input."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.numpy import GRU, LSTM, RNN, chunks, gradcheck

# Every layer of the package, by id: a constructor (D, H, **kw) -> layer.
MAKERS = {
    "rnn_tanh": lambda D, H, **kw: RNN(D, H, "tanh", **kw),
    "rnn_relu": lambda D, H, **kw: RNN(D, H, "relu", **kw),
    "lstm": lambda D, H, **kw: LSTM(D, H, **kw),
    "gru": lambda D, H, **kw: GRU(D, H, **kw),
    "gru_reset_before": lambda D, H, **kw: GRU(D, H, reset_after=False, **kw),
}
TORCH_MAKERS = {  # the torch.nn twin of each convertible layer
    "rnn_tanh": lambda D, H: torch.nn.RNN(D, H, nonlinearity="tanh", dtype=torch.float64),
    "rnn_relu": lambda D, H: torch.nn.RNN(D, H, nonlinearity="relu", dtype=torch.float64),
    "lstm": lambda D, H: torch.nn.LSTM(D, H, dtype=torch.float64),
    "gru": lambda D, H: torch.nn.GRU(D, H, dtype=torch.float64),
}


def parts(state):
    """A state as a tuple of arrays (the LSTM's is already one)."""
    return state if isinstance(state, tuple) else (state,)


def shaped_like(layer, arrays):
    """Arrays packed as the layer's state: a tuple for the LSTM, one array otherwise."""
    return tuple(arrays) if len(layer.state_names) == 2 else arrays[0]


def random_problem(layer, T, B, rng):
    """Input, initial state, and the weights of a random linear loss of (y, final state)."""
    D, H = layer.input_size, layer.hidden_size
    x = rng.standard_normal((T, B, D))
    state = shaped_like(layer, [rng.standard_normal((B, H)) for _ in layer.state_names])
    w_y = rng.standard_normal((T, B, H))
    w_state = shaped_like(layer, [rng.standard_normal((B, H)) for _ in layer.state_names])
    return x, state, w_y, w_state


def linear_loss(layer, x, state, w_y, w_state):
    y, final = layer.forward(x, state)
    return float(np.sum(w_y * y) + sum(np.sum(w * s) for w, s in zip(parts(w_state), parts(final))))


# -- gradients against central differences, float64 -------------------------


@pytest.mark.parametrize("kind", MAKERS)
@settings(max_examples=12, deadline=None, database=None)
@given(
    T=st.integers(1, 4), B=st.integers(1, 3), D=st.integers(1, 3), H=st.integers(1, 4), seed=st.integers(0, 2**16)
)
def test_gradients_match_central_differences(kind, T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    layer = MAKERS[kind](D, H, seed=seed)
    x, state, w_y, w_state = random_problem(layer, T, B, rng)
    layer.forward(x, state)
    dx, dstate_0 = layer.backward(w_y, w_state)
    # Every parameter, the input and the initial state, as one gradient vector.
    arrays = {**layer.params, "x": x} | {f"{s}_0": a for s, a in zip(layer.state_names, parts(state))}
    grads = {**layer.grads, "x": dx} | {f"{s}_0": a for s, a in zip(layer.state_names, parts(dstate_0))}
    assert gradcheck(lambda: linear_loss(layer, x, state, w_y, w_state), arrays, grads) < 1e-7


@pytest.mark.parametrize("kind", MAKERS)
def test_a_wrong_gradient_is_caught(kind):
    """The check above can fail: a perturbed gradient gives a large error."""
    rng = np.random.default_rng(0)
    layer = MAKERS[kind](2, 3)
    x, state, w_y, w_state = random_problem(layer, 3, 2, rng)
    layer.forward(x, state)
    layer.backward(w_y, w_state)
    grads = {name: g.copy() for name, g in layer.grads.items()}
    name = next(iter(grads))
    grads[name][0, 0] += 1e-3
    assert gradcheck(lambda: linear_loss(layer, x, state, w_y, w_state), layer.params, grads) > 1e-5


# -- truncated BPTT and stateful chunks -------------------------------------


def run_backward(layer, x, state, dy, dstate, k=None):
    layer.forward(x, state)
    dx, dstate_0 = layer.backward(dy, dstate, k=k)
    return dx, parts(dstate_0), {name: g.copy() for name, g in layer.grads.items()}


@pytest.mark.parametrize("kind", MAKERS)
def test_truncation_with_k_at_least_T_is_full_bptt(kind):
    rng = np.random.default_rng(1)
    layer = MAKERS[kind](3, 4)
    x, state, dy, dstate = random_problem(layer, 5, 2, rng)
    full = run_backward(layer, x, state, dy, dstate)
    for k in (5, 9):
        dx, dstate_0, grads = run_backward(layer, x, state, dy, dstate, k=k)
        np.testing.assert_array_equal(dx, full[0])
        for a, b in zip(dstate_0, full[1]):
            np.testing.assert_array_equal(a, b)
        for name in grads:
            np.testing.assert_array_equal(grads[name], full[2][name])


@pytest.mark.parametrize("kind", MAKERS)
@pytest.mark.parametrize("k", [1, 3])
def test_truncation_is_full_bptt_of_the_last_k_steps_from_a_detached_state(kind, k):
    """backward(k=k) == full BPTT of the last k steps, run from the (constant) state at T-k."""
    T = 6
    rng = np.random.default_rng(2)
    layer = MAKERS[kind](3, 4)
    x, state, dy, dstate = random_problem(layer, T, 2, rng)
    full = run_backward(layer, x, state, dy, dstate)
    dx, dstate_0, grads = run_backward(layer, x, state, dy, dstate, k=k)
    _, state_s = layer.forward(x[: T - k], state)  # the state at step T-k, detached
    dx_ref, _, grads_ref = run_backward(layer, x[T - k :], state_s, dy[T - k :], dstate)
    np.testing.assert_allclose(dx[T - k :], dx_ref, rtol=1e-12, atol=1e-14)
    assert not dx[: T - k].any()
    assert not any(d.any() for d in dstate_0)
    for name in grads:
        np.testing.assert_allclose(grads[name], grads_ref[name], rtol=1e-12, atol=1e-14)
    assert any(not np.allclose(grads[name], full[2][name]) for name in grads)  # it does drop something


@pytest.mark.parametrize("kind", MAKERS)
def test_chunks_carry_the_state_of_a_long_sequence(kind):
    """Stateful forward over chunks gives the outputs and final state of one forward."""
    rng = np.random.default_rng(3)
    layer = MAKERS[kind](2, 3)
    x, state, _, _ = random_problem(layer, 10, 2, rng)
    y_full, final_full = layer.forward(x, state)
    ys = []
    for x_chunk in chunks(x, 4):
        y, state = layer.forward(x_chunk, state)
        ys.append(y)
    assert [len(y) for y in ys] == [4, 4, 2]
    np.testing.assert_allclose(np.concatenate(ys), y_full, rtol=1e-13, atol=1e-15)
    for a, b in zip(parts(state), parts(final_full)):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_chunks_checks_its_size():
    with pytest.raises(ValueError, match="size must be at least 1, got 0"):
        chunks(np.zeros((3, 1, 1)), 0)
    with pytest.raises(TypeError, match="size must be an int, got float"):
        chunks(np.zeros((3, 1, 1)), 2.0)


# -- parity with torch.nn, float64 -------------------------------------------


def torch_forward_backward(module, x, state, dy, dstate):
    """torch.nn's outputs and gradients, for the same linear loss."""
    x_t = torch.tensor(x, requires_grad=True)
    state_t = tuple(torch.tensor(s[None], requires_grad=True) for s in parts(state))
    y_t, final_t = module(x_t, state_t if len(state_t) == 2 else state_t[0])
    final_t = parts(final_t)
    loss = (y_t * torch.tensor(dy)).sum() + sum((f[0] * torch.tensor(w)).sum() for f, w in zip(final_t, parts(dstate)))
    module.zero_grad()
    loss.backward()
    return (
        y_t.detach().numpy(),
        [f[0].detach().numpy() for f in final_t],
        x_t.grad.numpy(),
        [s.grad[0].numpy() for s in state_t],
    )


@pytest.mark.parametrize("kind", TORCH_MAKERS)
@pytest.mark.parametrize("T, B, D, H", [(1, 1, 1, 1), (5, 3, 4, 6), (7, 2, 3, 5)])
def test_parity_with_torch_nn(kind, T, B, D, H):
    torch.manual_seed(T + D)
    module = TORCH_MAKERS[kind](D, H)
    layer = type(MAKERS[kind](1, 1)).from_torch(module)
    rng = np.random.default_rng(T)
    x, state, dy, dstate = random_problem(layer, T, B, rng)

    y, final = layer.forward(x, state)
    dx, dstate_0 = layer.backward(dy, dstate)
    y_t, final_t, dx_t, dstate_0_t = torch_forward_backward(module, x, state, dy, dstate)

    close = dict(rtol=0, atol=1e-10)
    np.testing.assert_allclose(y, y_t, **close)
    np.testing.assert_allclose(dx, dx_t, **close)
    for ours, theirs in zip(parts(final) + parts(dstate_0), final_t + dstate_0_t):
        np.testing.assert_allclose(ours, theirs, **close)
    # Every parameter gradient, gate by gate in torch's stacking.
    rows = lambda a, j: a.grad.numpy()[j * H : (j + 1) * H]  # noqa: E731
    for j, (W_x, W_h, b) in enumerate(zip(layer.x_weights, layer.h_weights, layer.biases)):
        np.testing.assert_allclose(layer.grads[W_x], rows(module.weight_ih_l0, j), **close)
        np.testing.assert_allclose(layer.grads[W_h], rows(module.weight_hh_l0, j), **close)
        b_ih, b_hh = (b, b) if isinstance(b, str) else b
        np.testing.assert_allclose(layer.grads[b_ih], rows(module.bias_ih_l0, j), **close)
        np.testing.assert_allclose(layer.grads[b_hh], rows(module.bias_hh_l0, j), **close)


@pytest.mark.parametrize("kind", TORCH_MAKERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_torch_round_trips_exactly(kind, dtype):
    layer = MAKERS[kind](3, 4, seed=5, dtype=dtype)
    module = layer.to_torch()
    assert module.weight_ih_l0.dtype == (torch.float32 if dtype == np.float32 else torch.float64)
    back = type(layer).from_torch(module)
    assert back.params.keys() == layer.params.keys()
    for name, p in layer.params.items():
        assert back.params[name].dtype == dtype
        np.testing.assert_array_equal(back.params[name], p)
    if kind == "rnn_relu":
        assert module.nonlinearity == "relu" and back.nonlinearity == "relu"


@pytest.mark.parametrize("kind", TORCH_MAKERS)
def test_to_torch_computes_the_same_function(kind):
    """Biases moved into bias_ih (and b_hn into bias_hh): torch's outputs are ours."""
    layer = MAKERS[kind](3, 4, seed=6)
    x, state, dy, dstate = random_problem(layer, 4, 2, np.random.default_rng(6))
    y, final = layer.forward(x, state)
    y_t, final_t, _, _ = torch_forward_backward(layer.to_torch(), x, state, dy, dstate)
    np.testing.assert_allclose(y, y_t, rtol=0, atol=1e-12)
    for ours, theirs in zip(parts(final), final_t):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_gru_bias_mapping():
    """b_r, b_z sum torch's two biases; b_xn, b_hn are its n-parts of bias_ih, bias_hh."""
    module = torch.nn.GRU(2, 3, dtype=torch.float64)
    layer = GRU.from_torch(module)
    b_ih, b_hh = module.bias_ih_l0.detach().numpy(), module.bias_hh_l0.detach().numpy()
    np.testing.assert_array_equal(layer.params["b_z"], b_ih[3:6] + b_hh[3:6])
    np.testing.assert_array_equal(layer.params["b_xn"], b_ih[6:])
    np.testing.assert_array_equal(layer.params["b_hn"], b_hh[6:])
    back = layer.to_torch()
    np.testing.assert_array_equal(back.bias_hh_l0.detach().numpy(), np.r_[np.zeros(6), b_hh[6:]])


@pytest.mark.parametrize(
    "module, cls, error, match",
    [
        (torch.nn.LSTM(2, 3, num_layers=2), LSTM, ValueError, "num_layers=1 only, got num_layers=2"),
        (torch.nn.GRU(2, 3, bidirectional=True), GRU, ValueError, "bidirectional=False only, got bidirectional=True"),
        (torch.nn.RNN(2, 3, batch_first=True), RNN, ValueError, "batch_first=False only, got batch_first=True"),
        (torch.nn.LSTM(2, 3, proj_size=2), LSTM, ValueError, "proj_size=0 only, got proj_size=2"),
        (torch.nn.GRU(2, 3), LSTM, TypeError, "expects a torch.nn.LSTM, got GRU"),
        (torch.nn.Linear(2, 3), RNN, TypeError, "expects a torch.nn.RNN, got Linear"),
    ],
)
def test_from_torch_refuses_what_it_cannot_represent(module, cls, error, match):
    with pytest.raises(error, match=match):
        cls.from_torch(module)


def test_from_torch_without_bias_gives_zero_biases():
    layer = LSTM.from_torch(torch.nn.LSTM(2, 3, bias=False))
    assert layer.dtype == np.float32
    assert all(not layer.params[b].any() for b in layer.biases)


def test_gru_reset_before_has_no_torch_twin():
    with pytest.raises(ValueError, match="reset_after=True.*this layer has reset_after=False"):
        GRU(2, 3, reset_after=False).to_torch()


# -- float32 -------------------------------------------------------------------


@pytest.mark.parametrize("kind", MAKERS)
def test_float32_layer(kind):
    layer32 = MAKERS[kind](3, 4, seed=1, dtype=np.float32)
    layer64 = MAKERS[kind](3, 4, seed=1)
    x, state, dy, dstate = random_problem(layer64, 5, 2, np.random.default_rng(4))
    cast = lambda s: shaped_like(layer32, [a.astype(np.float32) for a in parts(s)])  # noqa: E731
    y32, final32 = layer32.forward(x.astype(np.float32), cast(state))
    dx32, dstate32 = layer32.backward(dy.astype(np.float32), cast(dstate))
    y64, _ = layer64.forward(x, state)
    dx64, _ = layer64.backward(dy, dstate)
    for a in (y32, dx32, *parts(final32), *parts(dstate32), *layer32.params.values(), *layer32.grads.values()):
        assert a.dtype == np.float32
    np.testing.assert_allclose(y32, y64, atol=1e-5)
    np.testing.assert_allclose(dx32, dx64, atol=1e-4)


# -- params and grads are the public face -------------------------------------


@pytest.mark.parametrize("kind", MAKERS)
def test_in_place_updates_of_params_are_seen_and_grads_stay_the_same_arrays(kind):
    layer = MAKERS[kind](2, 3)
    x, state, dy, dstate = random_problem(layer, 3, 2, np.random.default_rng(5))
    grads_before = dict(layer.grads)
    y0, _ = layer.forward(x, state)
    layer.backward(dy, dstate)
    assert all(layer.grads[name] is g for name, g in grads_before.items())
    for p in layer.params.values():
        p *= 0.5
    y1, _ = layer.forward(x, state)
    assert not np.allclose(y0, y1)
    twin = MAKERS[kind](2, 3, seed=123)
    for name, p in layer.params.items():
        twin.params[name] = p.copy()
    np.testing.assert_array_equal(twin.forward(x, state)[0], y1)


# -- bad input ---------------------------------------------------------------


def bad_calls(kind):
    """(description, call, error, match) for one layer of D=3, H=4, batch B=2."""
    lstm = kind == "lstm"
    layer = MAKERS[kind](3, 4)
    x = np.zeros((5, 2, 3))
    h = np.zeros((2, 4))
    good_state = (h, h) if lstm else h
    name = type(layer).__name__
    calls = [
        ("x 2-D", lambda: layer.forward(np.zeros((5, 3))), ValueError, r"x must have 3 dimensions \(T, B, D=3\), got shape \(5, 3\)"),
        ("x wrong D", lambda: layer.forward(np.zeros((5, 2, 7))), ValueError, r"x must have shape \(T, B, D=3\), got \(5, 2, 7\)"),
        ("x int", lambda: layer.forward(np.zeros((5, 2, 3), int)), TypeError, "x must have a floating-point dtype.*got int64"),
        ("x list", lambda: layer.forward([[[0.0] * 3]]), TypeError, "x must be an array or tensor, got list"),
        ("x empty", lambda: layer.forward(np.zeros((0, 2, 3))), ValueError, r"at least one step and one sequence, got shape \(0, 2, 3\)"),
        ("x nan", lambda: layer.forward(np.full((5, 2, 3), np.nan)), ValueError, "x contains NaN or infinite"),
        ("x inf", lambda: layer.forward(np.full((5, 2, 3), np.inf)), ValueError, "x contains NaN or infinite"),
        ("x float32", lambda: layer.forward(x.astype(np.float32)), TypeError, "x must have dtype float64, got float32"),
        ("backward first", lambda: layer.backward(np.zeros((5, 2, 4))), RuntimeError, f"{name}.backward\\(\\) was called before forward\\(\\)"),
        ("state wrong B", lambda: layer.forward(x, shaped_like(layer, [np.zeros((3, 4))] * len(layer.state_names))), ValueError,
         r"h_0 must have shape \(B=2, H=4\), got \(3, 4\)"),
        ("state 1-D", lambda: layer.forward(x, shaped_like(layer, [np.zeros(4)] * len(layer.state_names))), ValueError,
         r"h_0 must have 2 dimensions \(B=2, H=4\), got shape \(4,\)"),
        ("state nan", lambda: layer.forward(x, shaped_like(layer, [np.full((2, 4), np.nan)] * len(layer.state_names))), ValueError,
         "h_0 contains NaN"),
        ("state float32", lambda: layer.forward(x, shaped_like(layer, [h.astype(np.float32)] * len(layer.state_names))), TypeError,
         "h_0 must have dtype float64, got float32"),
    ]
    if lstm:
        calls += [
            ("lstm bare state", lambda: layer.forward(x, h), TypeError, r"state of LSTM must be a tuple \(h_0, c_0\) of arrays of shape \(B, H\), got ndarray"),
            ("lstm 3-tuple", lambda: layer.forward(x, (h, h, h)), TypeError, r"must be a tuple \(h_0, c_0\).*got a tuple of length 3"),
            ("lstm c wrong", lambda: layer.forward(x, (h, np.zeros((2, 5)))), ValueError, r"c_0 must have shape \(B=2, H=4\), got \(2, 5\)"),
        ]
    else:
        calls += [("tuple state", lambda: layer.forward(x, (h, h)), TypeError, f"state of {name} must be one array h_0 of shape \\(B, H\\), got a tuple")]
    return layer, x, good_state, calls


def bad_backward_calls(kind):
    layer, x, good_state, _ = bad_calls(kind)
    layer.forward(x, good_state)
    dy = np.zeros((5, 2, 4))
    h = np.zeros((2, 4))
    calls = [
        ("dy wrong T", lambda: layer.backward(np.zeros((4, 2, 4))), ValueError, r"dy must have shape \(T=5, B=2, H=4\), got \(4, 2, 4\)"),
        ("dy 2-D", lambda: layer.backward(np.zeros((2, 4))), ValueError, r"dy must have 3 dimensions \(T=5, B=2, H=4\)"),
        ("dy float32", lambda: layer.backward(dy.astype(np.float32)), TypeError, "dy must have dtype float64, got float32"),
        ("dy nan", lambda: layer.backward(np.full((5, 2, 4), np.nan)), ValueError, "dy contains NaN"),
        ("dstate wrong", lambda: layer.backward(dy, shaped_like(layer, [np.zeros((2, 3))] * len(layer.state_names))), ValueError,
         r"dh_T must have shape \(B=2, H=4\), got \(2, 3\)"),
        ("k zero", lambda: layer.backward(dy, k=0), ValueError, "k must be at least 1.*got 0"),
        ("k float", lambda: layer.backward(dy, k=2.5), TypeError, "k must be an int.*got float"),
    ]
    if kind == "lstm":
        calls.append(("lstm bare dstate", lambda: layer.backward(dy, h), TypeError, r"dstate of LSTM must be a tuple \(dh_T, dc_T\)"))
    return calls


CASES = [(kind, c[0]) for kind in MAKERS for c in bad_calls(kind)[3]]
BACKWARD_CASES = [(kind, c[0]) for kind in MAKERS for c in bad_backward_calls(kind)]


@pytest.mark.parametrize("kind, case", CASES, ids=[f"{k}-{c}" for k, c in CASES])
def test_bad_forward_input_raises(kind, case):
    _, _, _, calls = bad_calls(kind)
    _, call, error, match = next(c for c in calls if c[0] == case)
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("kind, case", BACKWARD_CASES, ids=[f"{k}-{c}" for k, c in BACKWARD_CASES])
def test_bad_backward_input_raises(kind, case):
    _, call, error, match = next(c for c in bad_backward_calls(kind) if c[0] == case)
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: LSTM(0, 3), ValueError, "input_size must be at least 1, got 0"),
        (lambda: GRU(2, 2.0), TypeError, "hidden_size must be an int, got float"),
        (lambda: RNN(2, 3, dtype=np.int32), TypeError, "dtype must be float32 or float64, got int32"),
        (lambda: RNN(2, 3, "sigmoid"), ValueError, "nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"),
        (lambda: GRU(2, 3, reset_after="yes"), TypeError, "reset_after must be True or False, got 'yes'"),
    ],
)
def test_bad_constructor_arguments_raise(make, error, match):
    with pytest.raises(error, match=match):
        make()
