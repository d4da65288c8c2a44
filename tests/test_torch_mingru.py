"""minGRU: the log-space scan computes the loop's numbers, values and gradients, in float64."""
import pytest
import torch

from rnncourse.torch import MinGRU, min_gru_scan, min_gru_sequential
from rnncourse.torch.mingru import g, log_g

TOL = 1e-10
SHAPES = [(1, 1, 1), (1, 3, 4), (2, 1, 5), (7, 3, 4), (50, 2, 3)]


def pre_activations(T, B, H, seed=0, scale=3.0):
    gen = torch.Generator().manual_seed(seed)
    k_z = scale * torch.randn(T, B, H, generator=gen, dtype=torch.float64)
    k_n = scale * torch.randn(T, B, H, generator=gen, dtype=torch.float64)
    h_0 = torch.rand(B, H, generator=gen, dtype=torch.float64) + 0.1
    return k_z, k_n, h_0


def test_g_is_positive_and_log_g_is_its_log():
    a = torch.linspace(-30, 30, 601, dtype=torch.float64)
    assert (g(a) > 0).all()
    assert torch.allclose(log_g(a), torch.log(g(a)), atol=1e-12)
    assert torch.allclose(g(torch.tensor([0.0, 2.0, -1.0])), torch.tensor([0.5, 2.5, torch.sigmoid(torch.tensor(-1.0))]))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_h0", [False, True])
def test_scan_equals_loop(shape, with_h0):
    k_z, k_n, h_0 = pre_activations(*shape)
    h_0 = h_0 if with_h0 else None
    loop, scan = min_gru_sequential(k_z, k_n, h_0), min_gru_scan(k_z, k_n, h_0)
    assert scan.shape == loop.shape == shape
    assert (scan - loop).abs().max().item() < TOL


def test_scan_is_stable_over_long_sequences():
    # 3000 steps: the product of the (1 - z_t) underflows float64, the log-space scan does not care.
    k_z, k_n, _ = pre_activations(3000, 2, 3, seed=1)
    loop, scan = min_gru_sequential(k_z, k_n), min_gru_scan(k_z, k_n)
    assert torch.isfinite(scan).all()
    assert ((scan - loop).abs() / loop.abs()).max().item() < 1e-9


@pytest.mark.parametrize("shape", [(1, 2, 3), (9, 3, 4)])
def test_gradients_agree(shape):
    grads = []
    for fn in (min_gru_sequential, min_gru_scan):
        k_z, k_n, h_0 = (t.clone().requires_grad_(True) for t in pre_activations(*shape))
        h = fn(k_z, k_n, h_0)
        weights = torch.randn(h.shape, generator=torch.Generator().manual_seed(2), dtype=h.dtype)
        (h * weights).sum().backward()
        grads.append((k_z.grad, k_n.grad, h_0.grad))
    for a, b in zip(*grads):
        assert (a - b).abs().max().item() < TOL


def test_module_modes_agree_values_and_parameter_gradients():
    torch.manual_seed(0)
    layer = MinGRU(3, 5, dtype=torch.float64)
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    hx = torch.rand(1, 2, 5, dtype=torch.float64) + 0.1
    results = []
    for mode in ("sequential", "parallel"):
        layer.mode = mode
        layer.zero_grad()
        y, h_n = layer(x, hx)
        (y.sum() + 2 * h_n.sum()).backward()
        results.append((y.detach(), h_n.detach(), layer.weight_ih.grad.clone(), layer.bias_ih.grad.clone()))
    for a, b in zip(*results):
        assert (a - b).abs().max().item() < TOL
    y, h_n = results[0][:2]
    assert y.shape == (6, 2, 5) and h_n.shape == (1, 2, 5) and torch.equal(h_n[0], y[-1])


def test_module_equals_the_equations():
    torch.manual_seed(1)
    layer = MinGRU(2, 3, dtype=torch.float64)
    x = torch.randn(4, 1, 2, dtype=torch.float64)
    W_xz, W_xn = layer.weight_ih.detach().chunk(2)
    b_z, b_n = layer.bias_ih.detach().chunk(2)
    h_t = torch.zeros(1, 3, dtype=torch.float64)
    for x_t in x:
        z_t = torch.sigmoid(x_t @ W_xz.T + b_z)
        n_t = g(x_t @ W_xn.T + b_n)
        h_t = (1 - z_t) * h_t + z_t * n_t
    y, _ = layer(x)
    assert (y[-1] - h_t).abs().max().item() < TOL


def test_batch_first_matches_time_major():
    torch.manual_seed(0)
    tm = MinGRU(3, 4, dtype=torch.float64)
    bf = MinGRU(3, 4, batch_first=True, dtype=torch.float64)
    bf.load_state_dict(tm.state_dict())
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    y_tm, h_tm = tm(x)
    y_bf, h_bf = bf(x.transpose(0, 1))
    assert torch.allclose(y_bf.transpose(0, 1), y_tm) and torch.allclose(h_bf, h_tm)


def test_no_bias_and_parameter_names():
    layer = MinGRU(3, 4, bias=False)
    assert [n for n, _ in layer.named_parameters()] == ["weight_ih"]
    assert tuple(MinGRU(3, 4).weight_ih.shape) == (8, 3)
    assert "mode='parallel'" in repr(MinGRU(3, 4))


def test_bad_input_raises_clear_errors():
    layer = MinGRU(3, 4)
    with pytest.raises(ValueError, match=r"input must have shape .*D=3"):
        layer(torch.randn(5, 2, 7))
    with pytest.raises(ValueError, match="3 dimensions"):
        layer(torch.randn(5, 3))
    with pytest.raises(TypeError, match="floating-point"):
        layer(torch.ones(5, 2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="at least one step"):
        layer(torch.randn(0, 2, 3))
    with pytest.raises(ValueError, match=r"hx must have shape"):
        layer(torch.randn(5, 2, 3), torch.rand(1, 3, 4))
    with pytest.raises(ValueError, match="h_0 must be positive"):
        layer(torch.randn(5, 2, 3), -torch.rand(1, 2, 4))
    layer.mode = "sequential"   # the loop takes any h_0
    layer(torch.randn(5, 2, 3), -torch.rand(1, 2, 4))
    with pytest.raises(ValueError, match="mode must be one of"):
        MinGRU(3, 4, mode="fast")
    k_z, k_n, _ = pre_activations(4, 2, 3)
    with pytest.raises(ValueError, match="k_n must have shape"):
        min_gru_scan(k_z, k_n[:, :, :2])
    with pytest.raises(ValueError, match="h_0 must have shape"):
        min_gru_sequential(k_z, k_n, torch.rand(3, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match="k_z must be an array or tensor"):
        min_gru_scan([[1.0]], k_n)


def test_init_is_uniform_in_one_over_sqrt_h_and_has_no_recurrent_weight():
    torch.manual_seed(0)
    layer = MinGRU(30, 100)
    assert [name for name, _ in layer.named_parameters()] == ["weight_ih", "bias_ih"]
    bound = 100 ** -0.5
    values = torch.cat([p.detach().reshape(-1) for p in layer.parameters()])
    assert values.abs().max() <= bound
    assert values.abs().max() > 0.95 * bound and abs(values.mean()) < 0.05 * bound
    assert values.std() == pytest.approx(bound / 3 ** 0.5, rel=0.03)
