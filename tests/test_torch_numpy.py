"""The PyTorch-from-scratch layers against the NumPy ones on the same weights.

The NumPy layer takes torch.nn's weights (``from_torch``), ours load the same
state dict; forward values and the hand-written backward of NumPy must equal
what autograd computes through our modules, in float64.
"""
import numpy as np
import pytest
import torch

import rnncourse.numpy as rn
import rnncourse.torch as rt

pytestmark = pytest.mark.skipif(not hasattr(rn, "LSTM"), reason="rnncourse.numpy.LSTM has not landed yet")

T, B, D, H = 6, 3, 4, 5
TOL = 1e-10


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


def per_gate_grads_as_torch(layer) -> dict:
    """The NumPy layer's per-gate gradients, stacked in torch.nn's layout.

    Where the math has one bias ``b`` (torch's ``b_ih + b_hh``), both of
    torch's biases get its gradient.
    """
    g = layer.grads
    ih = [b if isinstance(b, str) else b[0] for b in layer.biases]
    hh = [b if isinstance(b, str) else b[1] for b in layer.biases]
    return {
        "weight_ih_l0": np.concatenate([g[n] for n in layer.x_weights]),
        "weight_hh_l0": np.concatenate([g[n] for n in layer.h_weights]),
        "bias_ih_l0": np.concatenate([g[n] for n in ih]),
        "bias_hh_l0": np.concatenate([g[n] for n in hh]),
    }


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_scratch_torch_equals_numpy(name):
    torch.manual_seed(0)
    reference = getattr(torch.nn, name)(D, H, dtype=torch.float64)
    ours = getattr(rt, name)(D, H, dtype=torch.float64)
    ours.load_state_dict(reference.state_dict())
    layer = getattr(rn, name).from_torch(reference)

    rng = np.random.default_rng(0)
    n_states = 2 if name == "LSTM" else 1
    x = rng.standard_normal((T, B, D))
    state_0 = tuple(rng.standard_normal((B, H)) for _ in range(n_states))
    dy = rng.standard_normal((T, B, H))
    dstate = tuple(rng.standard_normal((B, H)) for _ in range(n_states))

    def one(s):
        return s if n_states > 1 else s[0]

    y_np, final_np = layer.forward(x, one(state_0))
    dx_np, dstate_0_np = layer.backward(dy, one(dstate))

    xt = torch.tensor(x, requires_grad=True)
    s0 = tuple(torch.tensor(s[None], requires_grad=True) for s in state_0)  # (1, B, H): one layer
    y, final = ours(xt, one(s0))
    final = as_tuple(final)
    loss = (y * torch.tensor(dy)).sum() + sum((f[0] * torch.tensor(d)).sum() for f, d in zip(final, dstate))
    loss.backward()

    np.testing.assert_allclose(y.detach().numpy(), y_np, rtol=0, atol=TOL)
    for f, f_np in zip(final, as_tuple(final_np)):
        np.testing.assert_allclose(f[0].detach().numpy(), f_np, rtol=0, atol=TOL)
    np.testing.assert_allclose(xt.grad.numpy(), dx_np, rtol=0, atol=TOL)
    for s, d_np in zip(s0, as_tuple(dstate_0_np)):
        np.testing.assert_allclose(s.grad[0].numpy(), d_np, rtol=0, atol=TOL)
    for key, grad_np in per_gate_grads_as_torch(layer).items():
        np.testing.assert_allclose(getattr(ours, key).grad.numpy(), grad_np, rtol=0, atol=TOL, err_msg=key)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_numpy_weights_load_into_scratch_torch(name):
    layer = getattr(rn, name)(D, H, seed=3)
    ours = getattr(rt, name)(D, H, dtype=torch.float64)
    ours.load_state_dict(layer.to_torch().state_dict())
    x = np.random.default_rng(1).standard_normal((T, B, D))
    y, _ = ours(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), layer.forward(x)[0], rtol=0, atol=TOL)
