"""rnncourse.numpy around the layers: activations and losses, the output
layer, optimizers, clipping, and the gradient checker itself."""
import warnings

import numpy as np
import pytest
import torch

from rnncourse.numpy import (
    SGD,
    Adagrad,
    Adam,
    Output,
    clip_grad_norm,
    clip_grad_value,
    global_norm,
    gradcheck,
    log_softmax,
    mse,
    numerical_gradient,
    relative_error,
    relu,
    sigmoid,
    softmax,
    softmax_cross_entropy,
    tanh,
)


@pytest.fixture
def no_warnings():
    """Overflow, division by zero, invalid values and any warning are errors (underflow to 0 is fine)."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


# -- activations -------------------------------------------------------------


def test_sigmoid_is_the_logistic_function():
    a = np.linspace(-30, 30, 101)
    np.testing.assert_allclose(sigmoid(a), 1 / (1 + np.exp(-a)), rtol=1e-12, atol=1e-16)


def test_activations_are_stable_at_extremes(no_warnings):
    a = np.array([-1e4, -1000.0, 0.0, 1000.0, 1e4])
    np.testing.assert_array_equal(sigmoid(a), [0, 0, 0.5, 1, 1])
    np.testing.assert_array_equal(tanh(a), [-1, -1, 0, 1, 1])
    np.testing.assert_array_equal(relu(a), [0, 0, 0, 1000, 1e4])
    a32 = a.astype(np.float32)
    assert sigmoid(a32).dtype == np.float32 and np.array_equal(sigmoid(a32), [0, 0, 0.5, 1, 1])


def test_sigmoid_in_place():
    a = np.array([-1.0, 0.0, 2.0])
    expected = 1 / (1 + np.exp(-a))
    out = sigmoid(a, out=a)
    assert out is a
    np.testing.assert_allclose(a, expected, rtol=1e-14)


def test_softmax_is_stable_for_large_logits(no_warnings):
    logits = np.array([[1000.0, 1000.0, 999.0], [-1000.0, 0.0, 1000.0]])
    p = softmax(logits)
    np.testing.assert_allclose(p.sum(axis=-1), 1)
    np.testing.assert_allclose(p[0], softmax(np.array([1.0, 1.0, 0.0])), rtol=1e-14)
    np.testing.assert_allclose(np.exp(log_softmax(logits)), p, rtol=1e-14)
    assert np.isfinite(log_softmax(logits)).all()


# -- losses ------------------------------------------------------------------


def test_softmax_cross_entropy_value_and_gradient():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((3, 2, 5))
    targets = rng.integers(0, 5, (3, 2))
    loss, dlogits = softmax_cross_entropy(logits, targets)
    expected = -np.mean([np.log(softmax(logits[t, b])[targets[t, b]]) for t in range(3) for b in range(2)])
    assert loss == pytest.approx(expected, rel=1e-12)
    torch_loss = torch.nn.functional.cross_entropy(torch.tensor(logits.reshape(-1, 5)), torch.tensor(targets.reshape(-1)))
    assert loss == pytest.approx(torch_loss.item(), rel=1e-12)
    assert gradcheck(lambda: softmax_cross_entropy(logits, targets)[0], logits, dlogits) < 1e-8


def test_softmax_cross_entropy_at_logits_near_1000(no_warnings):
    logits = np.array([[1000.0, 0.0, -1000.0], [1000.0, 999.0, 1000.0]])
    loss, dlogits = softmax_cross_entropy(logits, np.array([2, 1]))
    assert np.isfinite(loss) and np.isfinite(dlogits).all()
    # -log p: 2000 for the first row, 1 + log(2 + 1/e) for the second; mean of the two
    assert loss == pytest.approx((2000 + 1 + np.log(2 + 1 / np.e)) / 2, rel=1e-12)
    np.testing.assert_allclose(dlogits.sum(axis=-1), 0, atol=1e-15)


@pytest.mark.parametrize(
    "logits, targets, error, match",
    [
        (np.zeros((2, 3)), np.array([0.0, 1.0]), TypeError, "targets must have an integer dtype.*got float64"),
        (np.zeros((2, 3)), np.array([0, 3]), ValueError, r"targets must lie in \[0, 3\).*got values in \[0, 3\]"),
        (np.zeros((2, 3)), np.array([0, 1, 2]), ValueError, r"targets must have shape \(2,?\), got \(3,\)"),
        (np.zeros((2, 3)), np.array([[0, 1]]), ValueError, r"targets must have 1 dimensions"),
        (np.zeros((2, 3), int), np.array([0, 1]), TypeError, "logits must have a floating-point dtype"),
        (np.full((2, 3), np.nan), np.array([0, 1]), ValueError, "logits contains NaN"),
    ],
)
def test_softmax_cross_entropy_bad_input(logits, targets, error, match):
    with pytest.raises(error, match=match):
        softmax_cross_entropy(logits, targets)


def test_mse_value_and_gradient():
    rng = np.random.default_rng(1)
    pred, target = rng.standard_normal((2, 4, 3, 2))
    loss, dpred = mse(pred, target)
    assert loss == pytest.approx(np.mean((pred - target) ** 2), rel=1e-14)
    assert gradcheck(lambda: mse(pred, target)[0], pred, dpred) < 1e-8
    with pytest.raises(ValueError, match=r"target must have shape \(4, 3, 2\), got \(4, 3, 1\)"):
        mse(pred, target[..., :1])


# -- the output layer --------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 3, 5), (3, 5), (1, 1, 5)])
def test_output_layer_gradients(shape):
    rng = np.random.default_rng(2)
    out = Output(5, 2, seed=3)
    h = rng.standard_normal(shape)
    w = rng.standard_normal(shape[:-1] + (2,))
    y = out.forward(h)
    assert y.shape == shape[:-1] + (2,)
    np.testing.assert_allclose(y, h @ out.params["W_hy"].T + out.params["b_y"])
    dh = out.backward(w)
    loss = lambda: float(np.sum(w * out.forward(h)))  # noqa: E731
    assert gradcheck(loss, {**out.params, "h": h}, {**out.grads, "h": dh}) < 1e-7


def test_output_layer_float32_and_errors():
    out = Output(3, 2, dtype=np.float32)
    with pytest.raises(RuntimeError, match="before forward"):
        out.backward(np.zeros((4, 2), np.float32))
    assert out.forward(np.zeros((4, 3), np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match=r"h must have shape \(\?, 3\), got \(4, 5\)"):
        out.forward(np.zeros((4, 5), np.float32))
    with pytest.raises(TypeError, match="h must have dtype float32, got float64"):
        out.forward(np.zeros((4, 3)))
    out.forward(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"dy must have shape \(4, 2\), got \(4, 3\)"):
        out.backward(np.zeros((4, 3), np.float32))


# -- optimizers: one or two steps by hand ------------------------------------


def one_param():
    return {"w": np.array([1.0, -2.0])}


G1, G2 = np.array([0.5, -1.0]), np.array([0.25, 2.0])


def test_sgd_plain():
    params = one_param()
    opt = SGD(params, lr=0.1)
    w = params["w"]
    opt.step({"w": G1})
    assert params["w"] is w  # in place
    np.testing.assert_allclose(w, [1 - 0.05, -2 + 0.1])


def test_sgd_momentum_two_steps():
    params = one_param()
    opt = SGD(params, lr=0.1, momentum=0.9)
    opt.step({"w": G1})  # v = g1
    opt.step({"w": G2})  # v = 0.9 g1 + g2
    expected = np.array([1.0, -2.0]) - 0.1 * G1 - 0.1 * (0.9 * G1 + G2)
    np.testing.assert_allclose(params["w"], expected, rtol=1e-15)


def test_adagrad_two_steps():
    params = one_param()
    opt = Adagrad(params, lr=0.5, eps=0.0)
    opt.step({"w": G1})  # G = g1^2: the first step is lr * sign(g1)
    np.testing.assert_allclose(params["w"], [1 - 0.5, -2 + 0.5], rtol=1e-15)
    opt.step({"w": G2})
    np.testing.assert_allclose(params["w"], [0.5 - 0.5 * 0.25 / np.sqrt(0.3125), -1.5 - 0.5 * 2 / np.sqrt(5)], rtol=1e-15)


def test_adam_two_steps():
    params = one_param()
    opt = Adam(params, lr=0.1, betas=(0.9, 0.99), eps=0.0)
    opt.step({"w": G1})  # bias-corrected m = g1, v = g1^2: the first step is lr * sign(g1)
    np.testing.assert_allclose(params["w"], [0.9, -1.9], rtol=1e-15)
    opt.step({"w": G2})
    m = 0.9 * 0.1 * G1 + 0.1 * G2
    v = 0.99 * 0.01 * G1**2 + 0.01 * G2**2
    step = 0.1 * (m / (1 - 0.9**2)) / np.sqrt(v / (1 - 0.99**2))
    np.testing.assert_allclose(params["w"], np.array([0.9, -1.9]) - step, rtol=1e-14)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        (lambda p: Adagrad(p, lr=0.1), lambda p: torch.optim.Adagrad(p, lr=0.1)),
        (lambda p: Adam(p, lr=0.1), lambda p: torch.optim.Adam(p, lr=0.1)),
    ],
)
def test_optimizers_match_torch_over_several_steps(ours, theirs):
    rng = np.random.default_rng(4)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(3)}
    torch_params = [torch.tensor(p.copy(), requires_grad=True) for p in params.values()]
    opt, torch_opt = ours(params), theirs(torch_params)
    for _ in range(4):
        grads = {name: rng.standard_normal(p.shape) for name, p in params.items()}
        opt.step(grads)
        for tp, g in zip(torch_params, grads.values()):
            tp.grad = torch.tensor(g)
        torch_opt.step()
    for p, tp in zip(params.values(), torch_params):
        np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_optimizer_checks_the_grads():
    opt = SGD(one_param(), lr=0.1)
    with pytest.raises(ValueError, match=r"grads must have the keys of params \['w'\], got \['v'\]"):
        opt.step({"v": G1})
    with pytest.raises(ValueError, match=r"grads\['w'\] must have shape \(2,?\), got \(3,\)"):
        opt.step({"w": np.zeros(3)})
    with pytest.raises(ValueError, match="lr must be positive, got 0"):
        SGD(one_param(), lr=0)


# -- clipping -----------------------------------------------------------------


def test_clip_grad_norm_rescales_to_the_threshold():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0, 4.0]])}  # global norm 5
    before = {k: g.copy() for k, g in grads.items()}
    norm = clip_grad_norm(grads, 2.0)
    assert norm == pytest.approx(5.0)
    assert global_norm(grads) == pytest.approx(2.0, rel=1e-15)
    for k in grads:  # same direction
        np.testing.assert_allclose(grads[k], before[k] * 2 / 5, rtol=1e-15)


def test_clip_grad_norm_leaves_small_gradients_alone():
    grads = {"a": np.array([0.3, -0.4])}
    before = grads["a"].copy()
    assert clip_grad_norm(grads, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(grads["a"], before)


def test_clip_grad_value_bounds_every_entry():
    grads = {"a": np.array([-3.0, 0.5, 2.0]), "b": np.array([[0.1, -0.2]])}
    norm_before = global_norm(grads)
    assert clip_grad_value(grads, 1.0) == pytest.approx(norm_before)
    np.testing.assert_array_equal(grads["a"], [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(grads["b"], [[0.1, -0.2]])  # unclipped below the bound
    assert max(np.abs(g).max() for g in grads.values()) <= 1.0


# -- the gradient checker -----------------------------------------------------


def test_numerical_gradient_of_a_known_function_and_restores_x():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    x_before = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, x_before)


def test_gradcheck_catches_a_wrong_gradient():
    x = np.array([0.5, -1.0, 2.0])
    f = lambda: float(np.sum(np.sin(x)))  # noqa: E731
    assert gradcheck(f, x, np.cos(x)) < 1e-9
    assert gradcheck(f, x, np.cos(x) * 1.01) > 1e-3
    assert gradcheck(f, {"x": x}, {"x": -np.cos(x)}) == pytest.approx(1.0)


def test_gradcheck_errors():
    x = np.ones(3)
    with pytest.raises(TypeError, match="x must have dtype float64, got float32"):
        numerical_gradient(lambda: 0.0, np.ones(3, np.float32))
    with pytest.raises(ValueError, match=r"grads must have the keys of params \['x'\], got \['y'\]"):
        gradcheck(lambda: 0.0, {"x": x}, {"y": x})
    with pytest.raises(ValueError, match=r"grads\['x'\] must have shape \(3,?\), got \(2,\)"):
        gradcheck(lambda: 0.0, {"x": x}, {"x": np.ones(2)})


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    assert relative_error(np.array([3.0, 4.0]), np.array([0.0, 0.0])) == 1.0


def test_sigmoid_takes_scalars_and_keeps_dtype():
    from rnncourse.numpy import sigmoid

    assert sigmoid(0.0) == 0.5 and sigmoid(-1000.0) == 0.0
    assert sigmoid(np.float32(2.0)).dtype == np.float32
    a = np.array([-3.0, 0.0, 3.0])
    assert np.allclose(sigmoid(a), 1 / (1 + np.exp(-a)))
    out = np.empty(3)
    assert sigmoid(a, out=out) is out and np.allclose(out, 1 / (1 + np.exp(-a)))
