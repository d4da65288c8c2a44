"""rnncourse.torch against torch.nn: same weights (load_state_dict), same numbers.

Float64 throughout, so that agreement to 1e-10 means the equations are the
same, not merely close.
"""
import itertools

import pytest
import torch

import rnncourse.torch as rt

T, B, D, H = 5, 3, 4, 6
TOL = 1e-10
LAYERS = {"RNN": (rt.RNN, torch.nn.RNN), "LSTM": (rt.LSTM, torch.nn.LSTM), "GRU": (rt.GRU, torch.nn.GRU)}
CELLS = {"RNNCell": (rt.RNNCell, torch.nn.RNNCell), "LSTMCell": (rt.LSTMCell, torch.nn.LSTMCell),
         "GRUCell": (rt.GRUCell, torch.nn.GRUCell)}


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


def twins(ours_cls, theirs_cls, seed=0, **kwargs):
    """A torch.nn module and ours with its weights, both float64."""
    torch.manual_seed(seed)
    theirs = theirs_cls(D, H, dtype=torch.float64, **kwargs)
    ours = ours_cls(D, H, dtype=torch.float64, **kwargs)
    ours.load_state_dict(theirs.state_dict())  # strict: names and shapes must match
    return ours, theirs


def run_and_backprop(module, x, state):
    """Output, final state, and the gradients of a random linear function of both."""
    x = x.clone().requires_grad_(True)
    state = tuple(s.clone().requires_grad_(True) for s in state)
    out, final = module(x, state if len(state) > 1 else state[0])
    final = as_tuple(final)
    g = torch.Generator().manual_seed(1)
    loss = (out * torch.randn(out.shape, generator=g, dtype=out.dtype)).sum()
    for s in final:
        loss = loss + (s * torch.randn(s.shape, generator=g, dtype=s.dtype)).sum()
    loss.backward()
    grads = {name: p.grad for name, p in module.named_parameters()}
    return out, final, grads, x.grad, tuple(s.grad for s in state)


def close(a, b):
    return (a - b).abs().max().item() < TOL


@pytest.mark.parametrize("name,num_layers,batch_first,bidirectional",
                         list(itertools.product(LAYERS, (1, 2), (False, True), (False, True))))
def test_layer_matches_torch_nn(name, num_layers, batch_first, bidirectional):
    ours, theirs = twins(*LAYERS[name], num_layers=num_layers, batch_first=batch_first,
                         bidirectional=bidirectional)
    dirs = 2 if bidirectional else 1
    g = torch.Generator().manual_seed(2)
    x = torch.randn((B, T, D) if batch_first else (T, B, D), generator=g, dtype=torch.float64)
    state = tuple(torch.randn(num_layers * dirs, B, H, generator=g, dtype=torch.float64)
                  for _ in range(2 if name == "LSTM" else 1))
    a, b = run_and_backprop(ours, x, state), run_and_backprop(theirs, x, state)
    out, final, grads, dx, dstate = a
    assert out.shape == b[0].shape == ((B, T, dirs * H) if batch_first else (T, B, dirs * H))
    assert close(out, b[0])
    assert all(close(s, t) for s, t in zip(final, b[1]))
    assert grads.keys() == b[2].keys()
    assert all(close(grads[k], b[2][k]) for k in grads)
    assert close(dx, b[3])
    assert all(close(s, t) for s, t in zip(dstate, b[4]))


@pytest.mark.parametrize("name,kwargs", [
    ("RNN", {"nonlinearity": "relu"}), ("RNN", {"bias": False}), ("LSTM", {"bias": False}),
    ("GRU", {"bias": False, "num_layers": 2, "bidirectional": True}),
])
def test_layer_variants_match_torch_nn(name, kwargs):
    ours, theirs = twins(*LAYERS[name], **kwargs)
    x = torch.randn(T, B, D, dtype=torch.float64)
    a, b = ours(x), theirs(x)  # default initial state: zeros
    assert close(a[0], b[0])
    assert all(close(s, t) for s, t in zip(as_tuple(a[1]), as_tuple(b[1])))


@pytest.mark.parametrize("name,kwargs", [(n, {}) for n in CELLS] + [("RNNCell", {"nonlinearity": "relu"}),
                                                                    ("LSTMCell", {"bias": False})])
def test_cell_matches_torch_nn(name, kwargs):
    ours, theirs = twins(*CELLS[name], **kwargs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    g = torch.Generator().manual_seed(3)
    x = torch.randn(B, D, generator=g, dtype=torch.float64)
    state = tuple(torch.randn(B, H, generator=g, dtype=torch.float64) for _ in range(2 if name == "LSTMCell" else 1))
    results = []
    for module in (ours, theirs):
        xg = x.clone().requires_grad_(True)
        sg = tuple(s.clone().requires_grad_(True) for s in state)
        new = as_tuple(module(xg, sg if len(sg) > 1 else sg[0]))
        sum(((s * (k + 1.5)) ** 2).sum() for k, s in enumerate(new)).backward()
        results.append((new, xg.grad, [s.grad for s in sg], [p.grad for p in module.parameters()]))
    (n1, dx1, ds1, dp1), (n2, dx2, ds2, dp2) = results
    assert all(close(a, b) for a, b in zip(n1, n2))
    assert close(dx1, dx2)
    assert all(close(a, b) for a, b in zip(ds1 + dp1, ds2 + dp2))


def test_cell_default_state_is_zeros():
    ours, theirs = twins(*CELLS["LSTMCell"])
    x = torch.randn(B, D, dtype=torch.float64)
    assert all(close(a, b) for a, b in zip(ours(x), theirs(x)))


def test_init_is_uniform_in_one_over_sqrt_h():
    torch.manual_seed(0)
    layer = rt.LSTM(D, 100, num_layers=2, bidirectional=True)
    bound = 100 ** -0.5
    values = torch.cat([p.detach().reshape(-1) for p in layer.parameters()])
    assert values.abs().max() <= bound
    assert values.abs().max() > 0.95 * bound and abs(values.mean()) < 0.05 * bound
    assert values.std() == pytest.approx(bound / 3 ** 0.5, rel=0.02)


def test_state_dict_of_ours_loads_into_torch_nn():
    ours = rt.GRU(D, H, num_layers=2, bidirectional=True)
    theirs = torch.nn.GRU(D, H, num_layers=2, bidirectional=True)
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(T, B, D)
    assert torch.allclose(ours(x)[0], theirs(x)[0], atol=1e-6)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_dtype_follows_the_module(dtype):
    layer = rt.LSTM(D, H, dtype=dtype)
    y, (h, c) = layer(torch.randn(T, B, D, dtype=dtype))
    assert y.dtype == h.dtype == c.dtype == dtype
    assert rt.GRU(D, H).double()(torch.randn(T, B, D, dtype=torch.float64))[0].dtype == torch.float64


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU")
def test_runs_on_gpu():
    layer = rt.LSTM(D, H, device="cuda")
    y, (h, c) = layer(torch.randn(T, B, D, device="cuda"))
    assert y.device.type == h.device.type == "cuda"


def test_dropout_between_layers_acts_in_training_only():
    ours, theirs = twins(*LAYERS["LSTM"], num_layers=2, dropout=0.5)
    x = torch.randn(T, B, D, dtype=torch.float64)
    ours.eval()
    theirs.eval()
    assert close(ours(x)[0], theirs(x)[0])
    ours.train()
    a, b = ours(x)[0], ours(x)[0]
    assert not close(a, b)  # a fresh dropout mask each call
    with pytest.raises(ValueError, match="dropout"):
        rt.GRU(D, H, dropout=1.5)


# -- bad input: clear errors that name the expected and the given shape or type --

def test_wrong_ndim_raises():
    with pytest.raises(ValueError, match=r"3 dimensions \(T, B, D=4\), got shape \(5, 4\)"):
        rt.LSTM(D, H)(torch.randn(T, D))
    with pytest.raises(ValueError, match=r"\(B, T, D=4\)"):
        rt.GRU(D, H, batch_first=True)(torch.randn(B, D))
    with pytest.raises(ValueError, match=r"2 dimensions \(B, D=4\), got shape \(5, 3, 4\)"):
        rt.GRUCell(D, H)(torch.randn(T, B, D))


def test_wrong_feature_size_raises():
    with pytest.raises(ValueError, match=r"axis 2 is 7, expected 4"):
        rt.RNN(D, H)(torch.randn(T, B, 7))
    with pytest.raises(ValueError, match=r"axis 1 is 7, expected 4"):
        rt.LSTMCell(D, H)(torch.randn(B, 7))


def test_integer_input_raises():
    with pytest.raises(TypeError, match="floating-point dtype.*got torch.int64"):
        rt.LSTM(D, H)(torch.ones(T, B, D, dtype=torch.long))
    with pytest.raises(TypeError, match="floating-point"):
        rt.RNNCell(D, H)(torch.ones(B, D, dtype=torch.int32))


def test_wrong_state_raises():
    with pytest.raises(ValueError, match=r"hx must have shape \(num_layers\*num_directions=2, B=3, H=6\), got \(1, 3, 6\)"):
        rt.GRU(D, H, bidirectional=True)(torch.randn(T, B, D), torch.zeros(1, B, H))
    with pytest.raises(ValueError, match=r"hx must have 3 dimensions"):
        rt.RNN(D, H)(torch.randn(T, B, D), torch.zeros(B, H))
    with pytest.raises(TypeError, match=r"tuple \(h, c\)"):
        rt.LSTM(D, H)(torch.randn(T, B, D), torch.zeros(1, B, H))
    with pytest.raises(ValueError, match=r"hx\[1\] must have shape"):
        rt.LSTM(D, H)(torch.randn(T, B, D), (torch.zeros(1, B, H), torch.zeros(1, B, H + 1)))
    with pytest.raises(ValueError, match=r"hx must have shape \(B=3, H=6\)"):
        rt.GRUCell(D, H)(torch.randn(B, D), torch.zeros(B + 1, H))


def test_nonfinite_and_empty_input_raise():
    x = torch.randn(T, B, D)
    x[2, 1, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        rt.LSTM(D, H)(x)
    with pytest.raises(ValueError, match="at least one step"):
        rt.LSTM(D, H)(torch.randn(0, B, D))


def test_packed_sequence_raises_type_error():
    packed = torch.nn.utils.rnn.pack_padded_sequence(torch.randn(T, 2, D), torch.tensor([5, 3]))
    with pytest.raises(TypeError, match="PackedSequence.*torch.nn"):
        rt.LSTM(D, H)(packed)


def test_unknown_nonlinearity_raises():
    with pytest.raises(ValueError, match=r"nonlinearity must be one of \['relu', 'tanh'\], got 'sigmoid'"):
        rt.RNN(D, H, nonlinearity="sigmoid")
