"""Checks for the course's code exercises.

Each checker takes the learner's function, runs it on fresh random inputs
beside the reference, and prints one line when it agrees. When it does not,
it raises :class:`ExerciseError` saying *what* differs (the type, the shape,
which entry or which gradient, and by how much) and, for the usual slips, a
hint (a transposed matrix, a missing bias, gates in the wrong order), without
printing the answer. In a student notebook the check follows the exercise
cell, so the student runs it after each attempt.

Example
-------
>>> from rnncourse import check
>>> check.rnn_step(my_rnn_step)          # doctest: +SKIP
rnn_step: correct on 4 random cases
"""
from __future__ import annotations

import numpy as np


class ExerciseError(AssertionError):
    """The learner's answer differs from the reference; the message says how."""


def agree(name: str, got, expected, *, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Raise :class:`ExerciseError` unless ``got`` matches the array ``expected``.

    The message names the first thing that differs: ``None`` returned, type,
    shape, non-finite entries, or the entry with the largest difference.
    """
    if got is None:
        raise ExerciseError(f"{name} is None: did the function forget to `return`?")
    if not hasattr(got, "shape"):
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise ExerciseError(f"{name} should be an array, got {type(got).__name__}") from None
    got = np.asarray(got)
    if got.shape != np.shape(expected):
        raise ExerciseError(f"{name} has shape {got.shape}, expected {np.shape(expected)}")
    if not np.all(np.isfinite(got)):
        raise ExerciseError(f"{name} contains NaN or infinity")
    diff = np.abs(got - expected)
    if not np.all(diff <= atol + rtol * np.abs(expected)):
        where = np.unravel_index(np.argmax(diff), diff.shape) if diff.ndim else ()
        raise ExerciseError(
            f"{name} differs from the reference: at index {tuple(int(i) for i in where)} it is "
            f"{float(got[where]):.6g}, expected {float(np.asarray(expected)[where]):.6g} "
            f"(largest difference {float(diff.max()):.3g})"
        )


def _hint(name: str, got, slips: dict) -> str:
    """The first usual slip whose result ``got`` reproduces, as a hint, or ``""``."""
    for hint, wrong in slips.items():
        if np.shape(got) == np.shape(wrong) and np.allclose(got, wrong, rtol=1e-6, atol=1e-8):
            return f" Hint: {name} is what you get {hint}."
    return ""


def _compare(name, got, expected, slips=None):
    try:
        agree(name, got, expected)
    except ExerciseError as error:
        raise ExerciseError(str(error) + _hint(name, got, slips or {})) from None


def _passed(what: str, cases: int) -> None:
    print(f"{what}: correct on {cases} random cases")


def _cases(seed: int = 0):
    """Small random shapes ``(B, D, H)``, including the degenerate size 1."""
    rng = np.random.default_rng(seed)
    return rng, [(1, 1, 1), (3, 2, 4), (2, 5, 3), (4, 3, 3)]


# -- chapter 1 ---------------------------------------------------------------

def running_mean(fn) -> None:
    """``fn(x)`` returns the running mean ``m_t`` of a 1-D array ``x``."""
    rng = np.random.default_rng(1)
    xs = [rng.normal(size=n) for n in (1, 2, 50)]
    for x in xs:
        _compare(f"running_mean(x) for len(x) = {len(x)}", fn(x.copy()), np.cumsum(x) / np.arange(1, len(x) + 1),
                 {"dividing by t - 1 or t + 1 instead of t": np.cumsum(x) / np.arange(2, len(x) + 2)})
    _passed("running_mean", len(xs))


def depth(fn) -> None:
    """``fn(s)`` returns, for each character of ``s``, how many brackets are open after it."""
    cases = ["", "()", "((a)b)c", "(a(b)c)d((e))" * 3, "))(("]
    for s in cases:
        expected = np.cumsum([1 if ch == "(" else -1 if ch == ")" else 0 for ch in s], dtype=int)
        _compare(f"depth({s!r})", fn(s), expected)
    _passed("depth", len(cases))


# -- the recurrent steps (chapters 2 and 5) ----------------------------------

def _layer(kind: str, D: int, H: int, **kwargs):
    from rnncourse import numpy as rnp

    return {"rnn": rnp.RNN, "lstm": rnp.LSTM, "gru": rnp.GRU}[kind](D, H, **kwargs)


def rnn_step(fn) -> None:
    """``fn(x_t, h_prev, W_xh, W_hh, b_h)`` returns ``h_t = tanh(W_hh h_prev + W_xh x_t + b_h)``.

    Shapes: ``x_t`` (B, D), ``h_prev`` (B, H), ``W_xh`` (H, D), ``W_hh`` (H, H), ``b_h`` (H,).
    """
    rng, cases = _cases()
    for seed, (B, D, H) in enumerate(cases):
        layer = _layer("rnn", D, H, seed=seed)
        p = layer.params
        x_t, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H))
        expected = layer.forward(x_t[None], h_prev)[1]
        got = fn(x_t.copy(), h_prev.copy(), p["W_xh"].copy(), p["W_hh"].copy(), p["b_h"].copy())
        pre = h_prev @ p["W_hh"].T + x_t @ p["W_xh"].T
        _compare(f"h_t for B={B}, D={D}, H={H}", got, expected, {
            "without the bias b_h": np.tanh(pre),
            "with W_hh transposed (h_prev @ W_hh instead of h_prev @ W_hh.T)": np.tanh(h_prev @ p["W_hh"] + x_t @ p["W_xh"].T + p["b_h"]),
            "without the tanh": pre + p["b_h"],
            "without the recurrent term W_hh h_prev": np.tanh(x_t @ p["W_xh"].T + p["b_h"]),
        })
    _passed("rnn_step", len(cases))


LSTM_GATES = ("i", "f", "g", "o")


def lstm_step(fn, *, stacked: bool = False) -> None:
    """``fn(x_t, h_prev, c_prev, p)`` returns ``(h_t, c_t)`` of one LSTM step.

    ``p`` holds ``W_xi, W_hi, b_i`` and likewise for the gates ``f``, ``g``, ``o``
    (``W_x*`` (H, D), ``W_h*`` (H, H), ``b_*`` (H,)); ``x_t`` is (B, D), the states (B, H).
    With ``stacked=True`` (ex. 5.3), the check also watches the matrix products
    that read ``x_t`` and ``h_prev``: one of them must compute all four gates, a
    ``(B, 4H)`` result, not four ``(B, H)`` ones.
    """
    if stacked:
        _check_stacked(fn)
    rng, cases = _cases(2)
    for seed, (B, D, H) in enumerate(cases):
        layer = _layer("lstm", D, H, seed=seed)
        p = layer.params
        x_t, h_prev, c_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
        _, (h_t, c_t) = layer.forward(x_t[None], (h_prev, c_prev))
        got = fn(x_t.copy(), h_prev.copy(), c_prev.copy(), {k: v.copy() for k, v in p.items()})
        if not (isinstance(got, tuple) and len(got) == 2):
            raise ExerciseError(f"lstm_step should return the pair (h_t, c_t), got {type(got).__name__}")
        swapped = dict(p)  # the usual slip: the input and forget gates exchanged
        for w in ("W_x", "W_h", "b_"):
            swapped[w + "i"], swapped[w + "f"] = p[w + "f"], p[w + "i"]
        reference = _layer("lstm", D, H)
        reference.params.update(swapped)
        _, (_, c_swapped) = reference.forward(x_t[None], (h_prev, c_prev))
        _compare(f"c_t for B={B}, D={D}, H={H}", got[1], c_t, {"with the input and forget gates exchanged": c_swapped})
        _compare(f"h_t for B={B}, D={D}, H={H}", got[0], h_t)
    _passed("lstm_step", len(cases))


class _Watched(np.ndarray):
    """An array that records the shape of every matrix product it takes part in
    (and passes the watch on to the arrays computed from it)."""

    products: list = []
    _PRODUCTS = {np.matmul, np.dot, np.einsum, np.inner, np.tensordot, np.vdot}

    @classmethod
    def _unwrap(cls, value):
        if isinstance(value, cls):
            return value.view(np.ndarray)
        if isinstance(value, (list, tuple)):
            return type(value)(cls._unwrap(v) for v in value)
        return value

    def _record(self, func, out):
        if func in self._PRODUCTS and np.ndim(out) >= 1:
            _Watched.products.append(np.shape(out))
        return out.view(_Watched) if type(out) is np.ndarray else out

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = getattr(ufunc, method)(*self._unwrap(inputs), **kwargs)
        return self._record(ufunc, out)

    def __array_function__(self, func, types, args, kwargs):
        out = func(*self._unwrap(args), **{k: self._unwrap(v) for k, v in kwargs.items()})
        if isinstance(out, (list, tuple)):
            return type(out)(self._record(func, o) if isinstance(o, np.ndarray) else o for o in out)
        return self._record(func, out)


def _check_stacked(fn) -> None:
    """Raise unless ``fn`` computes the four gates' pre-activations in one product."""
    B, D, H = 3, 2, 5
    layer = _layer("lstm", D, H, seed=7)
    rng = np.random.default_rng(7)
    x_t, h_prev, c_prev = (rng.normal(size=(B, n)) for n in (D, H, H))
    _Watched.products = []
    fn(x_t.view(_Watched), h_prev.view(_Watched), c_prev.copy(), {k: v.copy() for k, v in layer.params.items()})
    widths = [max(shape[-2:]) for shape in _Watched.products]
    if widths and max(widths) < 4 * H:
        raise ExerciseError(
            f"the matrix products that read x_t and h_prev give results of at most {max(widths)} columns "
            f"for H = {H}: the gates are still computed one at a time. Stack the four gates' weights "
            f"(W_x of 4H rows, W_h of 4H rows, b of 4H) first, so that one product gives all the "
            f"pre-activations, (B, 4H) = ({B}, {4 * H}), and split them after.")


def gradient(fn, f, x, *, eps: float = 1e-6, tol: float = 1e-6) -> None:
    """``fn(x)`` returns the gradient of the scalar function ``f`` at ``x``.

    Compared entry by entry with central differences,
    ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``, by relative error.
    """
    from rnncourse.numpy import numerical_gradient, relative_error

    x = np.array(x, dtype=np.float64)
    got = fn(x.copy())
    expected = numerical_gradient(lambda: f(x), x, eps=eps)
    agree("the gradient", got, expected, rtol=1e-3, atol=1e-6)
    error = relative_error(np.asarray(got), expected)
    if error > tol:
        raise ExerciseError(f"the gradient's relative error against central differences is {error:.2e}, above {tol:.0e}")
    print(f"gradient: relative error {error:.1e} against central differences")


def _bits_with_every_pair(seed: int = 1) -> np.ndarray:
    """Bit sequences (T, B): the four pairs (x_{t-1}, x_t) at the first steps
    and after long runs of 0s and 1s, then random bits."""
    rng = np.random.default_rng(seed)
    fixed = [[1, 1, 1, 1, 1, 1], [0, 1, 1, 0, 1, 0], [1, 0, 0, 1, 1, 1], [0, 0, 1, 0, 0, 1]]
    random = rng.integers(0, 2, size=(60, 6)).tolist()
    bits = [row + [0] * 20 + [1] * 20 + row for row in fixed + random]
    return np.array(bits).T


def detector_weights(fn) -> None:
    """``fn()`` returns ``(W_xh, W_hh, b_h, W_hy, b_y)`` of a tanh RNN with
    D = 1, H = 2, O = 1 whose ``y_t`` is within 0.01 of 1 when the last two
    bits are both 1 and within 0.01 of 0 otherwise, from ``h_0 = 0``."""
    names = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
    got = fn()
    if not (isinstance(got, tuple) and len(got) == 5):
        raise ExerciseError(f"detector_weights() should return the tuple {names}, got {type(got).__name__}"
                            + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
    shapes = {"W_xh": (2, 1), "W_hh": (2, 2), "b_h": (2,), "W_hy": (1, 2), "b_y": (1,)}
    weights = {}
    for name, value in zip(names, got):
        value = np.asarray(value, dtype=float)
        if value.shape != shapes[name]:
            raise ExerciseError(f"{name} has shape {value.shape}, expected {shapes[name]} "
                                "(D = 1 input, H = 2 units, O = 1 output)")
        weights[name] = value
    bits = _bits_with_every_pair()
    h_t, y = np.zeros((bits.shape[1], 2)), []
    for x_t in bits[:, :, None].astype(float):
        h_t = np.tanh(h_t @ weights["W_hh"].T + x_t @ weights["W_xh"].T + weights["b_h"])
        y.append((h_t @ weights["W_hy"].T + weights["b_y"])[:, 0])
    y = np.array(y)
    both = np.zeros(bits.shape)
    both[1:] = bits[1:] * bits[:-1]
    for wrong, what in (((y > 0.5) != both, "on the wrong side of 0.5"), (np.abs(y - both) >= 0.01, "")):
        if wrong.any():
            t, b = (int(i[0]) for i in np.nonzero(wrong))
            before = f"x_{{t-1}} = {bits[t - 1, b]}" if t else "no bit before it (h_0 = 0)"
            message = (f"at step t = {t + 1}, with x_t = {bits[t, b]} and {before}, y_t = {y[t, b]:.3f}; "
                       f"expected {both[t, b]:.0f}")
            if not what:
                message += (" within 0.01: the right side of 0.5, but the units are not saturated; "
                            "scale the weights up")
            raise ExerciseError(message)
    print(f"detector_weights: correct at all {bits.size} steps of {bits.shape[1]} bit sequences")


# -- chapter 4 ---------------------------------------------------------------

def transient_peak(fn) -> None:
    """``fn(W, k_max)`` returns ``(peak, k)``: the largest ``||W^k||_2`` over
    ``k = 1..k_max`` and the ``k`` where it occurs."""
    cases = [(np.array([[0.9, 5.0], [0.0, 0.9]]), 200), (np.array([[0.5, 0.0], [0.0, 0.3]]), 10),
             (np.array([[1.1, 1.0], [0.0, 0.7]]), 12), (np.array([[0.9, 1.0], [0.0, 0.8]]), 50)]
    for W, k_max in cases:
        powers = [np.linalg.matrix_power(W, k) for k in range(1, k_max + 1)]
        norms = np.array([np.linalg.norm(P, 2) for P in powers])
        k_peak = int(np.argmax(norms)) + 1
        got = fn(W.copy(), k_max)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise ExerciseError(f"transient_peak should return (peak, k), got {type(got).__name__}")
        peak, k = got
        label = f"transient_peak(W, {k_max}) for W = {W.tolist()}"
        if int(k) != k_peak:
            hint = (f" Hint: k runs up to k_max = {k_max} inclusive." if k_peak == k_max else
                    " Hint: k counts from 1 (W^1 = W), not from 0." if int(k) == k_peak - 1 else "")
            raise ExerciseError(f"{label}: k = {k}, but ||W^k||_2 peaks at k = {k_peak}.{hint}")
        frobenius = max(np.linalg.norm(P) for P in powers)
        radius = max(np.abs(np.linalg.eigvals(P)).max() for P in powers)
        _compare(f"the peak of {label}", np.asarray(float(peak)), norms.max(), {
            "with the Frobenius norm (np.linalg.norm's default) instead of the 2-norm, ord=2": frobenius,
            "with the spectral radius instead of the 2-norm": radius})
    print(f"transient_peak: correct on {len(cases)} matrices")


def clip_dict_by_norm(fn) -> None:
    """``fn(grads, max_norm)`` rescales the arrays of ``grads`` in place so that
    their joint norm is at most ``max_norm``, and returns the norm before."""
    from rnncourse.numpy.optim import clip_grad_norm

    rng = np.random.default_rng(4)
    shapes = {"W_xh": (16, 3), "W_hh": (16, 16), "b_h": (16,)}
    for scale, max_norm in ((1.0, 1.0), (50.0, 1.0), (0.01, 1.0), (3.0, 2.5)):
        grads = {k: scale * rng.normal(size=shape) for k, shape in shapes.items()}
        given, expected = {k: g.copy() for k, g in grads.items()}, {k: g.copy() for k, g in grads.items()}
        norm = clip_grad_norm(expected, max_norm)
        before = {k: id(g) for k, g in given.items()}
        returned = fn(given, max_norm)
        label = f"with a joint norm of {norm:.3g} and max_norm = {max_norm}"
        if returned is None:
            raise ExerciseError(f"clip_dict_by_norm returned None {label}: return the norm before clipping")
        if {k: id(g) for k, g in given.items()} != before:
            raise ExerciseError("clip_dict_by_norm replaced arrays of grads: rescale them in place (g *= factor)")
        if not np.isclose(float(returned), norm, rtol=1e-9):
            after = np.sqrt(sum(np.sum(g**2) for g in given.values()))
            hint = " Hint: that is the norm after clipping." if np.isclose(float(returned), after, rtol=1e-9) else ""
            raise ExerciseError(f"clip_dict_by_norm returned {float(returned):.6g} {label}; "
                                f"expected the norm before clipping, {norm:.6g}.{hint}")
        for k in shapes:
            if np.allclose(given[k], grads[k]) and not np.allclose(expected[k], grads[k]):
                raise ExerciseError(f"{k} was not rescaled {label}: clip in place, every array of the dict")
            each = grads[k] * min(1.0, max_norm / np.linalg.norm(grads[k]))
            _compare(f"{k} after clipping {label}", given[k], expected[k], {
                "clipping each array to its own norm (one factor per array): the norm must be joint": each,
                "rescaling even when the norm is below max_norm (that enlarges small gradients)":
                    grads[k] * max_norm / norm})
    print("clip_dict_by_norm: correct on 4 cases, as numpy.optim.clip_grad_norm")


def clipped_cosine(fn) -> None:
    """``fn(M, eps, c, n)`` returns the cosine between ``g = (M, eps, ..., eps)``,
    ``n`` entries in all, and ``g`` clipped by value at ``c`` (ex. 4.4(c))."""
    cases = [(1e2, 0.0199, 0.02, 1153), (1e6, 0.0199, 0.02, 1153), (5.0, 0.5, 1.0, 10),
             (3.0, 0.6, 1.0, 2), (0.5, 0.1, 1.0, 4)]
    for M, eps, c, n in cases:
        g = np.full(n, eps)
        g[0] = M
        clipped = np.clip(g, -c, c)
        norms = np.linalg.norm(g) * np.linalg.norm(clipped)
        expected = g @ clipped / norms
        label = f"clipped_cosine(M={M:g}, eps={eps:g}, c={c:g}, n={n})"
        got = _number(fn(M, eps, c, n), label)
        wider = np.full(n + 1, eps)
        wider[0] = M
        wider_clipped = np.clip(wider, -c, c)
        limit = c / np.sqrt(c**2 + (n - 1) * eps**2)
        _compare(label, np.asarray(got), expected, {
            "with n entries eps besides M (n + 1 in all); g has n entries, n - 1 of them eps":
                wider @ wider_clipped / np.linalg.norm(wider) / np.linalg.norm(wider_clipped),
            "with the limit M -> infinity, c / sqrt(c^2 + (n - 1) eps^2); compute the cosine itself": limit,
            "with 1/sqrt(n), the limit when also eps -> c; compute the cosine itself": 1 / np.sqrt(n),
            "as the angle (arccos) instead of its cosine": np.arccos(np.clip(expected, -1, 1)),
            "dividing by ||g||^2 instead of ||g|| ||clip(g)||": g @ clipped / (g @ g),
            "without clipping by value (g, or g clipped by norm, has cosine 1 with g): "
            "clip every entry to [-c, c]": 1.0,
        })
    print(f"clipped_cosine: correct on {len(cases)} cases")


# -- chapter 3 ---------------------------------------------------------------

def relu_backward(fn) -> None:
    """``fn(p, x, h, dy)``: BPTT through ``h_t = max(W_hh h_{t-1} + W_xh x_t + b_h, 0)``
    with the readout ``y_t = W_hy h_t + b_y`` (ex. 3.3). ``h`` holds the states
    ``(T + 1, B, H)`` from ``h_0``, ``dy`` is ``dL/dy`` ``(T, B, O)``; it returns the
    gradients (a dict like ``p``) and ``dL/dh_0``. Every gradient is compared with
    central differences of ``L = sum(dy * y)``; the message names each one that differs.
    """
    T, B, D, H, O = 6, 3, 2, 5, 2
    layer = _layer("rnn", D, H, nonlinearity="relu", seed=3)
    rng = np.random.default_rng(3)
    p = {k: v.copy() for k, v in layer.params.items()}
    p["b_h"] += 0.3  # most units on
    p["W_hy"], p["b_y"] = rng.normal(size=(O, H)), rng.normal(size=O)
    x, h_0, dy = rng.normal(size=(T, B, D)), np.abs(rng.normal(size=(B, H))), rng.normal(size=(T, B, O))

    def states():
        layer.params.update({k: p[k] for k in ("W_xh", "W_hh", "b_h")})
        return np.concatenate([h_0[None], layer.forward(x, h_0)[0]])

    def loss():
        return float(np.sum(dy * (states()[1:] @ p["W_hy"].T + p["b_y"])))

    h = states()
    got = fn({k: v.copy() for k, v in p.items()}, x.copy(), h.copy(), dy.copy())
    grads = _returned_grads(got, "backward_relu", "(grads, dh_0)", 0, p)
    wrong = _wrong_gradients({**grads, "h_0": got[1]}, loss, {**p, "h_0": h_0})
    if wrong:
        first = next(iter(wrong))
        hints = {"W_hy": "dL/dW_hy = sum_t dy_t h_t^T, over every step", "b_y": "dL/db_y = sum_t dy_t"}
        _raise_wrong(wrong, first, hints.get(first, (
            "delta_t = 1[h_t > 0] * (W_hy^T dy_t + W_hh^T delta_{t+1}): the local derivative of max(a, 0) "
            "is 1 where h_t > 0 and 0 elsewhere (not 1 - h_t^2), and dL/dh_0 = W_hh^T delta_1")))
    print("backward_relu: every gradient agrees with central differences")


def _peak_bytes(fn) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def checkpointing(fn, full, args, c: int) -> None:
    """``fn(*args, c)`` returns the gradients of ``full(*args)[0]`` (full BPTT),
    with a peak memory under a third of full BPTT's (ex. 3.4).

    ``args`` is ``(p, x, h_0, target)``; the memory is measured with ``tracemalloc``.
    """
    got, expected = fn(*args, c), full(*args)[0]
    if not isinstance(got, dict) or set(got) != set(expected):
        raise ExerciseError(f"bptt_checkpointed should return a dict of gradients with the keys "
                            f"{sorted(expected)}, got {type(got).__name__}"
                            + (f" with the keys {sorted(got)}" if isinstance(got, dict) else ""))
    for name in expected:
        try:
            agree(f"the gradient of {name}", got[name], expected[name], rtol=1e-10, atol=1e-14)
        except ExerciseError as error:
            raise ExerciseError(
                f"{error}, against full BPTT. Each segment's backward pass needs the states recomputed "
                f"from its own checkpoint and the dL/dh that the segment after it hands back (dh_T); "
                f"without it, this is truncated BPTT.") from None
    peak, peak_full = _peak_bytes(lambda: fn(*args, c)), _peak_bytes(lambda: full(*args))
    if not peak < peak_full / 3:
        raise ExerciseError(
            f"the gradients are right, but the peak memory is {peak / 2**20:.2f} MiB against "
            f"{peak_full / 2**20:.2f} MiB for full BPTT: checkpointing should hold about T/c + c states, "
            f"not all T. Look at what each checkpoint refers to: in NumPy a slice such as `h_s[-1]` is "
            f"a view, and a view keeps the whole array it was cut from alive, so every segment's states "
            f"stay in memory. A checkpoint must own its data (a copy).")
    print(f"bptt_checkpointed: right gradients, peak memory "
          f"{peak / 2**20:.2f} MiB (full BPTT {peak_full / 2**20:.2f} MiB)")


# -- chapter 5 ---------------------------------------------------------------

GRU_GRADIENTS = ("W_xn", "b_xn", "W_hn", "b_hn", "W_xz", "W_hz", "b_z", "W_xr", "W_hr", "b_r")

_GRU_HINTS = {
    "W_xn": "n_t = tanh(a_n) with a_n = W_xn x_t + b_xn + r_t * m_t, and h_t = (1 - z_t) n_t + z_t h_prev: "
            "delta a_n = dh_t * (1 - z_t) * (1 - n_t^2)",
    "W_hn": "m_t = W_hn h_prev + b_hn enters a_n multiplied by r_t: delta m_t = delta a_n * r_t",
    "W_xz": "dh_t/dz_t = h_prev - n_t, and z_t = sigmoid(a_z)",
    "W_xr": "r_t multiplies m_t = W_hn h_prev + b_hn: delta r_t = delta a_n * m_t, and r_t = sigmoid(a_r)",
    "x_t": "x_t reaches h_t through a_r, a_z and a_n: three terms",
    "h_prev": "h_prev reaches h_t four ways: through a_r, a_z, m_t and directly, through z_t * h_prev",
}
for _name in ("b_xn",):
    _GRU_HINTS[_name] = _GRU_HINTS["W_xn"]
_GRU_HINTS["b_hn"] = _GRU_HINTS["W_hn"]
_GRU_HINTS["W_hz"] = _GRU_HINTS["b_z"] = _GRU_HINTS["W_xz"]
_GRU_HINTS["W_hr"] = _GRU_HINTS["b_r"] = _GRU_HINTS["W_xr"]


def _returned_grads(got, name: str, form: str, at: int, keys) -> dict:
    """The dict of gradients at position ``at`` of the tuple ``form`` that
    ``name`` returned, holding every one of ``keys``; a clear error otherwise."""
    size = form.count(",") + 1
    if not (isinstance(got, tuple) and len(got) == size and isinstance(got[at], dict)):
        raise ExerciseError(f"{name} should return {form}, grads a dict of gradients, "
                            f"got {type(got).__name__}")
    missing = sorted(set(keys) - set(got[at]))
    if missing:
        raise ExerciseError(f"grads lacks the keys {missing}")
    return got[at]


def _wrong_gradients(given: dict, loss, inputs: dict) -> dict:
    """``{name: (relative error, central differences)}`` for each ``given[name]``
    that differs from the central differences of ``loss()`` with respect to
    ``inputs[name]`` (changed in place). ``None``, a wrong type or shape raise at once."""
    from rnncourse.numpy import numerical_gradient, relative_error

    wrong = {}
    for name, value in inputs.items():
        expected = numerical_gradient(loss, value)
        try:
            agree(f"dL/d{name}", given[name], expected, rtol=1e-5, atol=1e-7)
        except ExerciseError as error:
            if "differs" not in str(error):  # None, a type, a shape: say it as it is
                raise
            wrong[name] = (relative_error(np.asarray(given[name]), expected), expected)
    return wrong


def _raise_wrong(wrong: dict, first: str, hint: str):
    errors = ", ".join(f"{name} ({error:.1e})" for name, (error, _) in wrong.items())
    raise ExerciseError(f"these gradients differ from central differences (relative error in brackets): "
                        f"{errors}; the others agree. Hint for {first}: {hint}.")


def gru_step_backward(fn) -> None:
    """``fn(dh_t, x_t, h_prev, p)`` returns ``(dx_t, dh_prev, grads)`` for one step
    of the reset-after GRU (ex. 5.4), ``grads`` a dict with the keys of
    ``GRU_GRADIENTS``. Every gradient is compared with central differences of
    ``L = sum(dh_t * h_t)``; the message names each one that differs.
    """
    from rnncourse.numpy import sigmoid

    B, D, H = 2, 3, 4
    layer = _layer("gru", D, H, seed=5)
    p = {k: v.copy() for k, v in layer.params.items()}
    rng = np.random.default_rng(5)
    x_t, h_prev, dh_t = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))

    def loss():
        layer.params.update(p)
        return float(np.sum(dh_t * layer.forward(x_t[None], h_prev)[1]))

    got = fn(dh_t.copy(), x_t.copy(), h_prev.copy(), {k: v.copy() for k, v in p.items()})
    grads = _returned_grads(got, "gru_step_backward", "(dx_t, dh_prev, grads)", 2, GRU_GRADIENTS)
    given = {**grads, "x_t": got[0], "h_prev": got[1]}
    wrong = _wrong_gradients(given, loss, {**p, "x_t": x_t, "h_prev": h_prev})
    if wrong:
        first = next(iter(wrong))
        hint = _GRU_HINTS[first]
        if "h_prev" in wrong:
            z_t = sigmoid(x_t @ p["W_xz"].T + h_prev @ p["W_hz"].T + p["b_z"])
            if np.allclose(given["h_prev"], wrong["h_prev"][1] - dh_t * z_t, rtol=1e-5, atol=1e-7):
                first, hint = "h_prev", ("dh_prev lacks the direct path: h_t = (1 - z_t) n_t + z_t h_prev "
                                         "uses h_prev itself, not only through the gates")
        _raise_wrong(wrong, first, hint)
    print(f"gru_step_backward: all {len(GRU_GRADIENTS) + 2} gradients agree with central differences")


def chrono_bias(fn) -> None:
    """``fn(H, T_max, rng)`` returns the forget-gate biases ``b_f`` ``(H,)`` of chrono
    initialisation, ``log u`` with ``u ~ U(1, T_max - 1)`` drawn per unit from the
    generator ``rng`` (ex. 5.5). Checked on 20000 units: the range and the
    quartiles of ``u = exp(b_f)``, and that the draws come from ``rng``.
    """
    H = 20_000
    for T_max in (60, 10):
        b_f = fn(H, T_max, np.random.default_rng(0))
        if np.shape(b_f) != (H,):
            raise ExerciseError(f"chrono_bias({H}, {T_max}, rng) has shape {np.shape(b_f)}, expected "
                                f"({H},): one bias per unit")
        b_f = np.asarray(b_f, dtype=np.float64)
        if not np.array_equal(b_f, np.asarray(fn(H, T_max, np.random.default_rng(0)), dtype=np.float64)):
            raise ExerciseError("chrono_bias gives different biases for two generators with the same seed: "
                                "draw u from the rng it is given, not from np.random or a new generator")
        if np.ptp(b_f) == 0:
            raise ExerciseError(f"chrono_bias({H}, {T_max}, rng) gives every unit the same bias: draw one u "
                                f"per unit, so that the units cover time scales from 2 to T_max")
        u = np.exp(b_f)
        if u.min() < 1 - 1e-9 or u.max() > T_max - 1 + 1e-9:
            hint = (" Hint: these look like u itself; the bias is its logarithm."
                    if b_f.min() >= 1 - 1e-9 and b_f.max() <= T_max - 1 + 1e-9 else "")
            raise ExerciseError(f"chrono_bias({H}, {T_max}, rng): u = exp(b_f) runs from {u.min():.3g} to "
                                f"{u.max():.3g}, outside [1, T_max - 1] = [1, {T_max - 1}].{hint}")
        quartiles, uniform = np.quantile(u, [0.25, 0.5, 0.75]), 1 + (T_max - 2) * np.array([0.25, 0.5, 0.75])
        if np.max(np.abs(quartiles - uniform)) > 0.03 * (T_max - 2):
            raise ExerciseError(
                f"chrono_bias({H}, {T_max}, rng): the quartiles of u = exp(b_f) are "
                f"{', '.join(f'{q:.1f}' for q in quartiles)}, but for u uniform in [1, {T_max - 1}] they are "
                f"{', '.join(f'{q:.1f}' for q in uniform)}: draw u uniformly, then take its logarithm "
                f"(b_f itself is not uniform).")
    print("chrono_bias: u = exp(b_f) uniform in [1, T_max - 1], one per unit, from rng")


# -- chapter 6 ---------------------------------------------------------------

def open_forget_gate(fn) -> None:
    """``fn(lstm, b)`` sets the forget-gate bias ``b_f = bias_ih + bias_hh`` of a
    one-layer ``torch.nn.LSTM`` to ``b`` in place, and changes nothing else."""
    import torch

    gates = {"input gate i": 0, "forget gate f": 1, "cell candidate g": 2, "output gate o": 3}
    for H, b in ((1, 1.0), (5, 2.0), (7, -0.5)):
        torch.manual_seed(H)
        lstm = torch.nn.LSTM(3, H)
        before = {name: p.detach().clone() for name, p in lstm.named_parameters()}
        fn(lstm, b)
        for name in ("weight_ih_l0", "weight_hh_l0"):
            if not torch.equal(getattr(lstm, name).detach(), before[name]):
                raise ExerciseError(f"open_forget_gate changed {name}: set only the biases")
        total = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach()
        old = before["bias_ih_l0"] + before["bias_hh_l0"]
        for gate, k in gates.items():
            rows, span = slice(k * H, (k + 1) * H), f"rows {k * H}..{(k + 1) * H - 1}"
            if gate.startswith("forget"):
                if torch.allclose(total[rows], torch.full((H,), 2 * b)) and b != 0:
                    raise ExerciseError(f"b_f is {2 * b} for b = {b}: both biases were set to b, but PyTorch "
                                        "adds them (b_f = bias_ih + bias_hh); set one to b and the other to 0")
                if not torch.allclose(total[rows], torch.full((H,), b)):
                    raise ExerciseError(f"for H = {H} and b = {b}, b_f = bias_ih + bias_hh in {span} (the forget "
                                        f"gate's) is {total[rows].tolist()}, expected {b} in each")
            elif not torch.allclose(total[rows], old[rows]):
                raise ExerciseError(f"open_forget_gate changed the bias of the {gate} ({span}); PyTorch stacks "
                                    "the gates as i, f, g, o, so the forget gate's rows are H..2H-1")
    print("open_forget_gate: b_f = b in the forget gate's rows, nothing else changed")


def irnn(fn) -> None:
    """``fn(H)`` returns a ``SequenceRegressor(2, H, 1)`` whose core is a
    ``torch.nn.RNN(2, H, nonlinearity="relu")`` started as the IRNN (ex. 6.4):
    ``W_hh = I``, ``b_h = bias_ih + bias_hh = 0``, ``W_xh`` normal with
    standard deviation 0.001; the same parameters as the tanh RNN's."""
    import torch

    with torch.random.fork_rng(devices=[]):   # the chapter's random stream untouched
        _irnn(fn)


def _irnn(fn) -> None:
    import torch
    from torch import nn

    from rnncourse.torch import SequenceRegressor

    for H in (1, 8, 64):
        model = fn(H)
        name = f"make_irnn({H})"
        if model is None:
            raise ExerciseError(f"{name} is None: did the function forget to `return`?")
        tanh_rnn = SequenceRegressor(2, H, 1, cell="rnn")
        core = getattr(model, "core", None)
        if not isinstance(core, nn.RNN):
            raise ExerciseError(f"{name}.core is {type(core).__name__}, expected a torch.nn.RNN: "
                                "replace the SequenceRegressor's core (model.core = nn.RNN(...))")
        if (core.input_size, core.hidden_size, core.num_layers) != (2, H, 1):
            raise ExerciseError(f"{name}.core is nn.RNN({core.input_size}, {core.hidden_size}, "
                                f"num_layers={core.num_layers}), expected nn.RNN(2, {H})")
        if core.nonlinearity != "relu":
            raise ExerciseError(f"{name}.core uses {core.nonlinearity}: the IRNN's nonlinearity is "
                                "the ReLU, nn.RNN(2, H, nonlinearity='relu'); with tanh the "
                                "identity start still saturates")
        count = sum(p.numel() for p in model.parameters())
        expected = sum(p.numel() for p in tanh_rnn.parameters())
        if count != expected:
            raise ExerciseError(f"{name} has {count} parameters, the tanh RNN {expected}: replace "
                                "the core, do not add a second RNN or change the readout")
        W_hh, W_xh = core.weight_hh_l0.detach(), core.weight_ih_l0.detach()
        b_h = (core.bias_ih_l0 + core.bias_hh_l0).detach()
        I = torch.eye(H, dtype=W_hh.dtype)
        if not torch.equal(W_hh, I):
            hint = ("the identity went into W_xh (weight_ih_l0); W_hh is weight_hh_l0"
                    if W_xh.shape[1] <= H and torch.equal(W_xh, torch.eye(H, 2, dtype=W_xh.dtype))
                    else "a multiple of the identity: the IRNN starts at exactly I"
                    if H > 1 and torch.allclose(W_hh, W_hh[0, 0] * I) else
                    "PyTorch's random start: copy torch.eye(H) into weight_hh_l0 "
                    "(under torch.no_grad())")
            raise ExerciseError(f"{name}: W_hh (core.weight_hh_l0) should be the identity, "
                                f"it is {hint}")
        if not torch.all(b_h == 0):
            one = torch.all(core.bias_ih_l0 == 0) or torch.all(core.bias_hh_l0 == 0)
            raise ExerciseError(f"{name}: b_h = bias_ih_l0 + bias_hh_l0 should be 0, its largest "
                                f"entry is {float(b_h.abs().max()):.3g}" +
                                (": PyTorch adds two biases, zero both" if one else ""))
        if torch.all(W_xh == 0):
            raise ExerciseError(f"{name}: W_xh (core.weight_ih_l0) is all zeros: then h_t stays 0 "
                                "and the ReLU passes no gradient; draw it normal, sd 0.001")
        if H == 64:
            sd = float(W_xh.double().std())
            if not 0.0007 < sd < 0.0014 or float(W_xh.double().mean().abs()) > 0.0005:
                raise ExerciseError(
                    f"{name}: W_xh (core.weight_ih_l0) has standard deviation {sd:.2g} and mean "
                    f"{float(W_xh.double().mean()):.2g}: small input weights are normal with mean "
                    "0 and sd 0.001 (weight_ih_l0.normal_(0.0, 0.001); normal_'s second "
                    "argument is the sd, not the variance)")
        x = torch.randn(5, 3, 2, dtype=W_hh.dtype)
        out = model(x)
        if tuple(out.shape) != (3, 1):
            raise ExerciseError(f"{name} maps a batch (T, B, 2) = (5, 3, 2) to shape "
                                f"{tuple(out.shape)}, expected (3, 1)")
    print("irnn: nn.RNN with the ReLU, W_hh = I, b_h = 0, W_xh ~ N(0, 0.001^2),\n"
          "the tanh RNN's parameter count, for H = 1, 8 and 64")

# -- chapter 7 ---------------------------------------------------------------

def p_unseen(fn) -> None:
    """``fn(q, W)``: the probability that the target of a test window is neither
    read nor predicted by a training window, when each window is a test window
    with probability ``q`` (ex. 7.1).

    Checked at values of ``q`` other than 0.5, where ``q**W`` and ``(1 - q)**W``
    differ, and against a simulation of the random split.
    """
    cases = [(0.3, 3), (0.7, 2), (0.6, 5), (0.15, 24)]
    for q, W in cases:
        got = fn(q, W)
        expected = _simulated_unseen(q, W) if q**W > 1e-3 else q**W
        slips = {
            "from (1 - q)^W, the chance that the W windows reading the target are all "
            "*training* windows; the target stays unseen when they are all *test* windows": (1 - q) ** W,
            "from W + 1 windows: the window that predicts the target is the test window itself, "
            "so only the W windows that read it count": q ** (W + 1),
            "from W - 1 windows: the target is read by W windows (as their last, ..., first input)": q ** (W - 1),
            "from 1 - q^W, the chance that the target is seen": 1 - q**W,
        }
        tolerance = 0.004 if q**W > 1e-3 else 1e-6 * q**W
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise ExerciseError(f"p_unseen({q}, {W}) should be a number, got {type(got).__name__}") from None
        if not abs(got - expected) <= tolerance:
            what = "a simulation of the split gives" if q**W > 1e-3 else "expected"
            hint = next((f" Hint: that is the value {h}." for h, wrong in slips.items()
                         if np.isclose(got, wrong, rtol=1e-6, atol=0)), "")
            raise ExerciseError(f"p_unseen({q}, {W}) = {got:.4g}, but {what} {expected:.4g}.{hint}")
    print(f"p_unseen: agrees with a simulation of the split for q = 0.3, 0.7, 0.6\n"
          f"p_unseen(0.15, 24) = {fn(0.15, 24):.1e}")


def _simulated_unseen(q: float, W: int, K: int = 400_000, seed: int = 1) -> float:
    """The fraction of test targets that no training window reads or predicts."""
    is_test = np.random.default_rng(seed).random(K) < q
    seen = np.zeros(K + W + 1, dtype=bool)
    for offset in range(W + 1):  # window k reads months k .. k + W - 1, predicts k + W
        seen[np.flatnonzero(~is_test) + offset] = True
    targets = np.flatnonzero(is_test[: K - W]) + W
    return float(1 - seen[targets].mean())


def _alternating(n: int, seed: int) -> np.ndarray:
    """A series whose next values are easy to learn and unlike persistence:
    ``x_t = (-1)^t a_t`` with a slowly varying amplitude ``a_t`` (and a little noise)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    a_t = 1 + 0.5 * np.sin(2 * np.pi * t / 40 + rng.uniform(0, 2 * np.pi))
    return (-1.0) ** t * a_t + 0.05 * rng.normal(size=n)


def _forecast(model, X) -> np.ndarray:
    """Windows ``(K, W)`` -> the model's forecasts ``(K, horizon)``, as NumPy."""
    import torch

    parameter = next(model.parameters())
    with torch.no_grad():
        model.eval()
        x = torch.tensor(X.T[..., None], dtype=parameter.dtype, device=parameter.device)
        return model(x).double().cpu().numpy()


def trains_on_its_arguments(fn, *, horizon: int = 1, window: int = 24, name: str = "fn") -> None:
    """``fn(X_train, Y_train, X_valid, Y_valid)`` returns a model trained on the
    windows it is given (``X`` ``(K, W)``, ``Y`` ``(K, horizon)``, standardized).

    The check gives it the windows of a new series, where the next value is about
    ``-x_t``, and asks the returned model to forecast held-out windows of it far
    better than zero. A model trained on other windows (the chapter's sunspots,
    its test part) or not trained at all forecasts them no better than zero.
    """
    from rnncourse.data import make_windows

    parts = [make_windows(_alternating(n, seed), window, horizon=horizon)
             for n, seed in ((320, 11), (120, 12), (200, 13))]
    (X_train, Y_train), (X_valid, Y_valid), (X_held, Y_held) = parts
    model = fn(X_train.copy(), Y_train.copy(), X_valid.copy(), Y_valid.copy())
    if model is None:
        raise ExerciseError(f"{name} returned None: did the function forget to `return` the model?")
    forecast = _forecast(model, X_held)
    if forecast.shape != Y_held.shape:
        raise ExerciseError(f"the model of {name} forecasts shape {forecast.shape} for {len(X_held)} windows, "
                            f"expected {Y_held.shape}: one output per month ahead")
    mse, mse_zero = np.mean((forecast - Y_held) ** 2), np.mean(Y_held**2)
    if not mse < 0.25 * mse_zero:
        raise ExerciseError(
            f"{name} was given the windows of a new series (each month about minus the month before) and "
            f"its model forecasts held-out windows of it with MSE {mse:.3f}, no better than forecasting 0 "
            f"({mse_zero:.3f}): it must train on the windows it is given (X_train, Y_train, stopping on "
            f"X_valid, Y_valid), not on the chapter's data arrays or the test windows, and it must train.")
    print(f"{name}: learns the series it is given\n"
          f"(held-out MSE {mse:.3f}, forecasting 0: {mse_zero:.3f})")


def no_skip(model, *, window: int = 24) -> None:
    """The model forecasts ``W_hy h_t + b_y`` alone, without the chapter's skip ``x_t + ...`` (ex. 7.3)."""
    import torch

    from rnncourse.torch import SequenceRegressor

    parameter = next(model.parameters())
    x = torch.randn(window, 16, 1, generator=torch.Generator().manual_seed(0)).to(parameter)
    with torch.no_grad():
        model.eval()
        out = model(x)
        for inner in (m for m in model.modules() if isinstance(m, SequenceRegressor) and m is not model):
            if torch.allclose(out, x[-1] + inner(x), rtol=1e-5, atol=1e-6):
                raise ExerciseError(
                    "the model still adds the last month to its readout (x_t + W_hy h_t + b_y): that is the "
                    "chapter's ChangeForecaster; the exercise asks for a plain SequenceRegressor, whose "
                    "forecast is W_hy h_t + b_y alone")
    print("the model forecasts the level: no skip from the last month")


def k_ahead_mae(fn, *, scale: float = 1.0, window: int = 24) -> None:
    """``fn(direct, one_step, series, k)`` returns ``(mae_direct, mae_recursive)``:
    the MAE ``k`` months ahead of a direct model and of a one-step model iterated
    ``k`` times, over every window of ``series``, in sunspot numbers (ex. 7.4).

    ``direct(X)`` maps windows ``(K, W)`` to ``(K, k)`` forecasts of the next ``k``
    months, ``one_step(X)`` to ``(K,)`` forecasts of the next month; ``scale`` is the
    standard deviation that converts standardized units to sunspot numbers. The
    check runs ``fn`` on a known series, a ramp, with forecasters whose errors it
    knows: exact ones, and ones that are off by a known amount.
    """
    step = 0.01
    series = step * np.arange(window + 30, dtype=float)  # a ramp: the month is x / step
    for k in (12, 3):
        for bias_direct, bias_step in ((0.0, 0.0), (0.5, 0.02)):
            def direct(X, k=k, b=bias_direct):
                return X[:, -1:] + step * np.arange(1, k + 1) + b

            def one_step(X, b=bias_step):
                return X[:, -1] + step + b

            got = fn(direct, one_step, series.copy(), k)
            if not (isinstance(got, tuple) and len(got) == 2):
                raise ExerciseError(f"the function should return the pair (mae_direct, mae_recursive), "
                                    f"got {type(got).__name__}")
            expected = (bias_direct * scale, k * bias_step * scale)
            for what, value, right in zip(("direct", "recursive"), got, expected):
                value = float(value)
                if np.isclose(value, right, rtol=1e-6, atol=1e-9):
                    continue
                given = ("with exact forecasts" if right == 0 else
                         f"with forecasts off by {bias_direct} in every month" if what == "direct" else
                         f"with one-step forecasts off by {bias_step} each step")
                hint = ""
                if right != 0 and np.isclose(value, right / scale, rtol=1e-6):
                    hint = (" Hint: that is the error in standardized units; convert the forecasts and the "
                            "targets to sunspot numbers (scaler.inverse_transform) first.")
                elif right == 0:
                    hint = (" A nonzero error with exact forecasts means that the forecast of month t + k "
                            "is compared with another month: with make_windows(series, W, horizon=k), "
                            "month t + k is column k - 1 of the targets, of the direct forecasts and of "
                            "the recursive forecasts of horizon k.")
                if what == "recursive":
                    hint += " The recursive forecasts must iterate one_step, the function given."
                raise ExerciseError(
                    f"on a known series (a ramp) with k = {k}, {given}, the {what} MAE is {value:.4g}, "
                    f"expected {right:.4g}.{hint}")
    print("k_ahead_mae: right months and units on a known series, k = 12 and k = 3")


# -- chapter 8 ---------------------------------------------------------------

def _table_lm(V: int, dtype, device):
    """A character model whose next-character logits depend on the last input
    alone: row ``j`` of its table, ``base`` rotated by ``j``, so that each
    previous character has its own k most likely ones."""
    import torch
    from torch import nn

    class TableLM(nn.Module):
        def __init__(self):
            super().__init__()
            base = torch.tensor([2.0, 1.3, 0.7, 0.2, -0.4, -1.1], dtype=torch.float64)[:V]
            self.table = nn.Embedding(V, V).to(dtype)
            with torch.no_grad():
                self.table.weight.copy_(torch.stack([base.roll(j) for j in range(V)]))

        def forward(self, ids, state=None):
            """ids (T, 1) -> logits (T, 1, V) and a state (the steps read)."""
            steps = ids.shape[0] + (0 if state is None else int(state))
            return self.table(ids), torch.tensor(steps)

    return TableLM().to(device)


def _g_test_fails(counts, expected_p, z: float = 5.0) -> bool:
    """Whether the counts (rows: previous character) are too unlikely under
    ``expected_p`` (a G-test, the chi-square tail by Wilson-Hilferty at z sd)."""
    n = counts.sum(1, keepdims=True) * expected_p
    if np.any((counts > 0) & (n == 0)):
        return True
    seen = counts > 0
    G = 2 * np.sum(counts[seen] * np.log(counts[seen] / n[seen]))
    dof = max(int((n > 0).sum()) - int((counts.sum(1) > 0).sum()), 1)
    return G > dof * (1 - 2 / (9 * dof) + z * np.sqrt(2 / (9 * dof))) ** 3


def _log_likelihood(counts, p) -> float:
    if np.any((counts > 0) & (p == 0)):
        return -np.inf
    seen = counts > 0
    return float(np.sum(counts[seen] * np.log(p[seen])))


def top_k_sampling(fn, *, device="cpu") -> None:
    """``fn(model, prefix, length, k, temperature, generator)``: ``length``
    characters drawn one at a time, each among the ``k`` most likely at its
    step, from ``softmax(y / temperature)`` renormalised over them (ex. 8.4).

    The check runs ``fn`` on a model whose probabilities it knows (the logits
    depend on the last character alone, V = 6), for k = V, 3, 2 and 1 at
    several temperatures and in float32 and float64, and compares which
    characters follow each one with the right probabilities."""
    import torch

    with torch.random.fork_rng(devices=[]):   # the chapter's random stream untouched
        _top_k_sampling(fn, device=device)


def _top_k_sampling(fn, *, device="cpu") -> None:
    import torch

    V, n, prefix = 6, 400, torch.tensor([0, 4, 2])
    for k, tau, dtype in [(V, 1.0, torch.float32), (3, 0.5, torch.float64),
                          (2, 2.0, torch.float32), (1, 1.5, torch.float64)]:
        model = _table_lm(V, dtype, device)
        name = f"sample_top_k(model, prefix, {n}, k={k}, temperature={tau})"
        try:
            got = fn(model, prefix.clone(), n, k, tau, torch.Generator().manual_seed(8))
        except RuntimeError as error:
            if "probability tensor" not in str(error):
                raise
            raise ExerciseError(
                f"{name} raised: {error}. Every logit was masked (or became NaN): keep "
                "the k largest, those >= the k-th largest (mask y < cutoff, not "
                "y <= cutoff), and divide by the temperature, never by 0") from None
        if got is None:
            raise ExerciseError(f"{name} is None: did the function forget to `return`?")
        drawn = torch.as_tensor(got).reshape(-1).long().cpu()
        if len(drawn) != n:
            more = (" (the prefix included? return the drawn characters only)"
                    if len(drawn) == n + len(prefix) else "")
            raise ExerciseError(f"{name} returned {len(drawn)} characters, expected {n}{more}")
        again = drawn if k < V else torch.as_tensor(fn(
            model, prefix.clone(), n, k, tau, torch.Generator().manual_seed(8))).reshape(-1).cpu()
        if not torch.equal(again.long(), drawn):
            raise ExerciseError(f"{name} drew different characters from two generators in the "
                                "same state: draw with the generator given "
                                "(torch.multinomial(p, 1, generator=generator))")
        y = model.table.weight.detach().double().cpu().numpy()      # (previous, next)
        previous = torch.cat([prefix[-1:], drawn[:-1]]).numpy()
        rank = (y[previous] > y[previous, drawn.numpy()][:, None]).sum(1)
        if rank.max() >= k:
            t = int(np.argmax(rank >= k))
            if drawn.max() < k:
                hint = ("it returned positions among the k candidates (0 to k - 1), not "
                        "characters: map the draw back with the indices torch.topk returns")
            elif rank.max() == k:
                hint = ("k + 1 characters were kept: the cutoff is the k-th largest logit, "
                        "torch.topk(y, k).values[-1]")
            else:
                hint = ("the others were not masked: set their logits to -inf before the "
                        "softmax (a logit of 0, or a probability left as it was, still "
                        "gets drawn)")
            raise ExerciseError(
                f"{name}: draw {t} is the character of rank {int(rank[t]) + 1} at its step, "
                f"outside the {k} most likely; {hint}")
        counts = np.zeros((V, V))
        np.add.at(counts, (previous, drawn.numpy()), 1)

        def p_top(keep, temperature):
            cutoff = np.sort(y, axis=1)[:, ::-1][:, keep - 1 : keep] if keep > 0 else np.inf
            z = np.where(y >= cutoff, y / temperature, -np.inf)
            p = np.exp(z - z.max(1, keepdims=True))
            return p / p.sum(1, keepdims=True)

        expected = p_top(k, tau)
        if not _g_test_fails(counts, expected):
            continue
        slips = {
            "without the temperature (y / 1)": p_top(k, 1.0),
            "with y * temperature instead of y / temperature": p_top(k, 1 / tau),
            "with the temperature applied twice": p_top(k, tau**2),
            "keeping k - 1 characters (mask y <= cutoff instead of y < cutoff)":
                p_top(k - 1, tau) if k > 1 else None,
            "from greedy decoding (argmax), not a draw": p_top(1, 1.0) if k > 1 else None,
            "as positions among the k candidates (0 to k - 1), not characters: map "
            "the draw back with the indices torch.topk returns": np.sort(expected)[:, ::-1],
        }
        best = _log_likelihood(counts, expected)
        hint = ""
        for slip, p in slips.items():
            if p is not None and _log_likelihood(counts, p) > best:
                best, hint = _log_likelihood(counts, p), f" Hint: they look drawn {slip}."
        row = int(np.argmax(np.abs(counts / np.maximum(counts.sum(1, keepdims=True), 1)
                                   - expected).sum(1) * (counts.sum(1) > 0)))
        raise ExerciseError(
            f"{name}: the characters drawn after character {row} have frequencies "
            f"{np.round(counts[row] / counts[row].sum(), 2).tolist()}, too far from "
            f"softmax(y / {tau}) over its {k} most likely, "
            f"{np.round(expected[row], 2).tolist()}."
            + (hint or " Mask, then divide by the temperature, then softmax."))
    print("top_k_sampling: only the k most likely drawn, with the renormalised\n"
          "probabilities of softmax(y / temperature), for k = 6, 3, 2, 1")


def bits_with_reset(fn, model, ids, *, batch_size: int, windows=(4, 16, 64)) -> None:
    """``fn(model, ids, window)``: the bits per character of ``model`` on
    ``ids`` when the state is reset to zero every ``window`` characters, read
    with ``tbptt_batches(ids, batch_size, window)`` (ex. 8.3). Compared, for
    each window, with :func:`rnncourse.train.evaluate` without the state carried."""
    import math

    from rnncourse.data import tbptt_batches
    from rnncourse.train import evaluate, sequence_cross_entropy

    def bits(w, *, stateful=False, per_batch=False):
        batches = tbptt_batches(ids, batch_size=batch_size, seq_len=w)
        if per_batch:
            return np.mean([evaluate(model, [b], sequence_cross_entropy) for b in batches]) / math.log(2)
        return evaluate(model, batches, sequence_cross_entropy, stateful=stateful) / math.log(2)

    for w in windows:
        name = f"bits_with_reset(model, ids, {w})"
        got, expected = _number(fn(model, ids, w), name), bits(w)
        if abs(got - expected) <= 1e-6 * max(1.0, abs(expected)):
            continue
        slips = {
            "with the state carried from batch to batch: call the model with "
            "state=None for every batch": bits(w, stateful=True),
            "in nats: divide by ln 2 for bits": expected * math.log(2),
            "as the mean of the batches' means, so that the last, shorter batch "
            "counts as much as a full one: sum the losses (reduction='sum') and "
            "divide by the number of characters": bits(w, per_batch=True),
            f"with windows of {w + 1}: seq_len is the window itself": bits(w + 1),
            f"with windows of {w - 1}: seq_len is the window itself": bits(w - 1) if w > 1 else None,
        }
        hint = next((f" Hint: that is the score {slip}." for slip, value in slips.items()
                     if value is not None and abs(got - value) <= 1e-6 * max(1.0, abs(value))), "")
        raise ExerciseError(f"{name} = {got:.6f}, expected {expected:.6f} bits per character "
                            "(evaluate() with the state reset at each batch of tbptt_batches(ids, "
                            f"batch_size, seq_len={w})).{hint}")
    print(f"bits_with_reset: agrees with evaluate() for windows of {', '.join(map(str, windows))}")


# -- chapter 9 ---------------------------------------------------------------

def _tensor(value, name: str) -> np.ndarray:
    """A torch tensor (of any float dtype) or an array, as float64 NumPy."""
    import torch

    if value is None:
        raise ExerciseError(f"{name} is None: did the function forget to `return`?")
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=np.float64)


def _call(fn, name: str, *args):
    """``fn(*args)``, with torch's dtype errors turned into a message."""
    try:
        return fn(*args)
    except RuntimeError as error:
        if "Double" in str(error) or "Float" in str(error) or "dtype" in str(error):
            raise ExerciseError(
                f"{name} raised torch's dtype error ({str(error).splitlines()[0]}): it mixes float32 and "
                f"float64 tensors. NumPy arrays and Python lists of floats become float64 tensors; give "
                f"every tensor you make the dtype of the inputs (dtype=x.dtype, or .to(x.dtype)).") from None
        raise


def front_padded_state(fn, W_xh, W_hh, b_h, x) -> None:
    """``fn(x, k, b)``: the final state of ``h_t = tanh(W_hh h_{t-1} + W_xh x_t + b)``
    from ``h_0 = 0`` over ``k`` padding steps (``x_t = 0``) and then the rows of
    ``x`` ``(L, D)`` (ex. 9.2). Checked for ``k = 0, 1, 5``, with the bias ``b_h`` and
    with ``b = 0``; the state may be returned in float32 or float64.
    """
    import torch

    W_xh_, W_hh_, b_, x_ = (_tensor(v, "") for v in (W_xh, W_hh, b_h, x))

    def state(steps, b):
        h_t = np.zeros(len(b))
        for x_t in steps:
            h_t = np.tanh(W_hh_ @ h_t + W_xh_ @ x_t + b)
        return h_t

    pad = np.zeros((1, x_.shape[1]))
    for b in (b_h.detach().clone(), torch.zeros_like(b_h)):
        b_np = _tensor(b, "b")
        for k in (0, 1, 5):
            name = f"front_padded_state(x, k={k}, b={'b_h' if b_np.any() else '0'})"
            with torch.no_grad():
                got = _tensor(_call(fn, name, x.detach().clone(), k, b), name)
            expected = state([*pad.repeat(k, 0), *x_], b_np)
            slips = {"after k - 1 padding steps": state([*pad.repeat(max(k - 1, 0), 0), *x_], b_np),
                     "after k + 1 padding steps": state([*pad.repeat(k + 1, 0), *x_], b_np),
                     "with the padding after the name, not before it": state([*x_, *pad.repeat(k, 0)], b_np)}
            try:
                agree(name, got, expected, rtol=1e-4, atol=1e-5)
            except ExerciseError as error:
                hint = next((f" Hint: that is the state {h}." for h, wrong in slips.items()
                             if got.shape == wrong.shape and np.allclose(got, wrong, rtol=1e-4, atol=1e-5)
                             and not np.allclose(wrong, expected, rtol=1e-4, atol=1e-5)), "")
                raise ExerciseError(f"{error}.{hint}") from None
    print("front_padded_state: correct for k = 0, 1 and 5 padding steps,\n"
          "with and without the bias")


def masked_mean(fn) -> None:
    """``fn(y, lengths)``: the mean of each sequence's states over its own steps,
    ``y`` ``(T, B, H)``, ``lengths`` ``(B,)`` -> ``(B, H)`` (ex. 9.3). Checked in
    float32 and float64, with lengths from 1 to ``T``."""
    import torch

    generator = torch.Generator().manual_seed(1)
    lengths = torch.tensor([7, 1, 4, 3, 6, 7])
    for dtype in (torch.float32, torch.float64):
        y = torch.randn(7, len(lengths), 3, generator=generator, dtype=dtype)
        y_ = y.double().numpy()

        def mean_over(first, divide):
            return np.stack([y_[: max(f, 0), b].sum(0) / d for b, (f, d) in enumerate(zip(first, divide))])

        L = lengths.numpy()
        name = f"masked_mean(y, lengths) for y in {str(dtype)[6:]}"
        got = _tensor(_call(fn, name, y.clone(), lengths.clone()), name)
        _compare(name, got, mean_over(L, L), {
            "over all T steps, the padding included: mask the steps after each length": y_.mean(0),
            "dividing by T instead of each sequence's length": mean_over(L, np.full_like(L, 7)),
            "from the first L - 1 steps (the mask is off by one: t < L instead of t <= L)": mean_over(L - 1, L),
            "from the first L - 1 steps, divided by L - 1 (mask off by one)": mean_over(L - 1, np.maximum(L - 1, 1)),
        })
    print("masked_mean: correct in float32 and float64, lengths 1 to T")


def weighted_loss(fn, counts) -> None:
    """``fn(logits, target)``: cross-entropy with each example weighted by
    ``w_k = N / (K N_k)``, ``counts`` the training counts ``N_k`` (ex. 9.4).

    Either normalisation is accepted: the weighted mean
    ``sum w l / sum w`` (what ``cross_entropy(weight=...)`` computes) or the mean
    ``sum w l / n``. The loss must be a torch scalar that backpropagates to the logits.
    """
    import torch

    counts = np.asarray(counts, dtype=np.float64)
    K = len(counts)
    w = counts.sum() / (K * counts)
    generator = torch.Generator().manual_seed(3)
    target = torch.cat([torch.arange(K), torch.randint(0, K, (40,), generator=generator)])
    logits = torch.randn(len(target), K, generator=generator, requires_grad=True)  # float32, as the chapter's
    name = "weighted_loss(logits, target)"
    got = _call(fn, name, logits, target)
    if not (isinstance(got, torch.Tensor) and got.numel() == 1):
        raise ExerciseError(f"{name} should return a torch scalar, got {type(got).__name__}"
                            + (f" of shape {tuple(got.shape)}" if isinstance(got, torch.Tensor) else ""))
    if not got.requires_grad:
        raise ExerciseError(f"{name} does not backpropagate to the logits: compute it with torch "
                            f"operations on them (no .item(), .numpy() or new tensors from values)")
    losses = torch.nn.functional.cross_entropy(logits.detach().double(), target, reduction="none").numpy()
    value, t = float(got.detach()), target.numpy()
    right = [np.sum(w[t] * losses) / np.sum(w[t]), np.mean(w[t] * losses)]
    if not any(np.isclose(value, r, rtol=1e-5) for r in right):
        in_batch = 1 / np.bincount(t, minlength=K)[t]
        slips = {
            "without weights": np.mean(losses),
            "with the weights inverted, N_k / N (they must be larger for the rare classes)":
                np.sum(losses / w[t]) / np.sum(1 / w[t]),
            "with the weights counted in the batch, not in the training set":
                np.sum(in_batch * losses) / np.sum(in_batch),
        }
        hint = next((f" Hint: that is the loss {h}." for h, s in slips.items() if np.isclose(value, s, rtol=1e-5)), "")
        raise ExerciseError(f"{name} is {value:.6g}, expected {right[0]:.6g} (the weighted mean of the "
                            f"cross-entropies, weights w_k = N / (K N_k) from the training counts).{hint}")
    print("weighted_loss: correct")


# -- chapter 10 --------------------------------------------------------------

def _number(value, name: str) -> float:
    """A float from a Python number, a NumPy scalar or a one-element tensor."""
    if value is None:
        raise ExerciseError(f"{name} is None: did the function forget to `return`?")
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        shape = f" of shape {tuple(value.shape)}" if hasattr(value, "shape") else ""
        raise ExerciseError(f"{name} should be one number (a float or a 0-d tensor), "
                            f"got {type(value).__name__}{shape}") from None


def _ctc_read(path, *, blank=0, merge="before", shift=0):
    """The string an alignment reads as: labels kept when not the blank and not equal
    to the symbol before them (``merge="before"``); the slips merge after dropping
    the blanks (``"after"``), do not merge (``"none"``), or shift the labels."""
    if merge == "before":
        read = [c for c, prev in zip(path, (blank,) + path[:-1]) if c != blank and c != prev]
    else:
        read = [c for c in path if c != blank]
        if merge == "after":
            read = [c for i, c in enumerate(read) if i == 0 or c != read[i - 1]]
    return [c - shift for c in read]


def _ctc_sum(p, z, reduce=sum, **reading) -> float:
    """The sum (or max) over the alignments of ``p`` (T, C) that read as ``z``."""
    import itertools

    T, C = p.shape
    values = [np.prod(p[np.arange(T), list(path)]) for path in itertools.product(range(C), repeat=T)
              if _ctc_read(path, **reading) == list(z)]
    return float(reduce(values)) if values else 0.0


def ctc_probability(fn) -> None:
    """``fn(p, z)``: ``p(z | x)``, the sum over the alignments that read as ``z`` of
    the product of their probabilities, for ``p`` (T, C) with class 0 the blank
    (ex. 10.2). Compared with ``torch.nn.CTCLoss`` for T = 6, C = 3, in float64
    and float32, on strings with and without a repeated label."""
    import torch

    generator = torch.Generator().manual_seed(10)
    T = 6
    cases = [(torch.float64, z) for z in ([1], [2, 1], [1, 1], [1, 2, 1])] + [(torch.float32, [2, 2])]
    for dtype, z in cases:
        p = torch.softmax(torch.randn(T, 3, generator=generator, dtype=torch.float64), -1).to(dtype)
        loss = torch.nn.CTCLoss(reduction="sum")(p.double().log()[:, None], torch.tensor([z]),
                                                 torch.tensor([T]), torch.tensor([len(z)]))
        expected = float(torch.exp(-loss))
        name = f"ctc_probability(p, {z}) for p (6, 3) in {str(dtype)[6:]}"
        got = _number(fn(p.clone(), list(z)), name)
        rtol = 1e-5 if dtype == torch.float32 else 1e-9
        if np.isclose(got, expected, rtol=rtol, atol=1e-12):
            continue
        p_ = p.double().numpy()
        slips = {
            "the probability with the blanks dropped before the repeats are merged: "
            "then 0 1 0 1 0 0 "
            "reads 1, but a blank between two equal labels keeps both (it reads 1 1); "
            "compare each label with the symbol just before it in the alignment, "
            "blanks included": _ctc_sum(p_, z, merge="after"),
            "the probability without merging repeats: 1 1 0 0 0 0 reads 1, not 1 1":
                _ctc_sum(p_, z, merge="none"),
            "the probability of the labels z + 1: greedy_decode subtracts 1 because there class c is "
            "the digit c - 1; here z holds the classes themselves": _ctc_sum(p_, z, shift=1),
            "the probability with class C - 1 as the blank; the blank is class 0":
                _ctc_sum(p_, z, blank=2),
            "the probability of the most probable alignment alone: add up every alignment that reads "
            "as z": _ctc_sum(p_, z, reduce=max),
            "-log p(z | x), CTCLoss's value: return the probability itself": -np.log(expected),
            "log p(z | x): return the probability itself": np.log(expected),
        }
        hint = next((f" Hint: that is {h}." for h, wrong in slips.items()
                     if np.isclose(got, wrong, rtol=rtol, atol=1e-12)
                     and not np.isclose(wrong, expected, rtol=rtol, atol=1e-12)),
                    " Read an alignment left to right: keep a label when it is not the "
                    "blank (class 0) and differs from the symbol just before it.")
        raise ExerciseError(f"{name} = {got:.6g}, expected {expected:.6g} (exp(-loss) of "
                            f"torch.nn.CTCLoss).{hint}")
    print("ctc_probability: agrees with torch.nn.CTCLoss on 5 strings,\n"
          "repeated labels included, in float64 and float32")


def _dtw(a, b, w=None, *, shift=0, normalise=True) -> float:
    """DTW of ``a`` (n, D) and ``b`` (m, D) with the cells ``|i - j - shift| > w``
    left at infinity (no band when ``w`` is None), divided by ``n + m``."""
    n, m = len(a), len(b)
    c = np.sqrt(((a[:, None].astype(np.float64) - b[None]) ** 2).sum(-1))
    D = np.full((n + 1, m + 1), np.inf)
    D[0, 0] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if w is None or abs(i - j - shift) <= w:
                D[i, j] = c[i - 1, j - 1] + min(D[i - 1, j - 1], D[i - 1, j], D[i, j - 1])
    return D[n, m] / (n + m) if normalise else D[n, m]


def dtw_band(fn) -> None:
    """``fn(a, b, w)``: the DTW distance of ``a`` (n, D) and ``b`` (m, D) with the
    alignment kept in the band ``|i - j| <= w`` (ex. 10.3), on sequences of
    features in float32 and float64, for bands of 0 (the diagonal), 1, 2, 3 and
    one wider than both sequences."""
    rng = np.random.default_rng(10)
    cases = [(12, 10, 50, np.float32), (10, 10, 0, np.float32), (12, 10, 2, np.float32),
             (9, 12, 3, np.float64), (11, 11, 1, np.float64)]
    for n, m, w, dtype in cases:
        # two readings of one path at different speeds: the best alignment leaves the diagonal
        path = np.cumsum(rng.normal(size=(31, 4)), axis=0)
        a = path[np.round(30 * np.linspace(0, 1, n) ** 1.5).astype(int)] + 0.1 * rng.normal(size=(n, 4))
        b = path[np.round(30 * np.linspace(0, 1, m) ** 0.7).astype(int)] + 0.1 * rng.normal(size=(m, 4))
        a, b = a.astype(dtype), b.astype(dtype)
        name = f"dtw_band(a, b, w={w}) for len(a) = {n}, len(b) = {m}"
        got = _number(fn(a.copy(), b.copy(), w), name)
        expected = _dtw(a, b, w)
        if np.isclose(got, expected, rtol=1e-5):
            continue
        if np.isinf(got):
            raise ExerciseError(
                f"{name} is infinite: no alignment stayed in the band; expected {expected:.6g}. "
                "Keep the cells with |i - j| <= w, the bound included, with i and j counted from "
                "the same origin (D's rows and columns from 1, or c's from 0, not one of each), so "
                "that D[n, m] is in the band when |n - m| <= w.")
        slips = [
            ("with the band one step too wide: |i - j| <= w", _dtw(a, b, w + 1)),
            ("without the band: the cells with |i - j| > w must stay at infinity", _dtw(a, b)),
            ("with the band one step too narrow: keep the cells with |i - j| <= w, "
             "the bound included", _dtw(a, b, w - 1)),
            ("without dividing by n + m, as dtw_plain does", _dtw(a, b, w, normalise=False)),
        ]
        hint = next((f" Hint: that is the distance {h}." for h, wrong in slips
                     if np.isclose(got, wrong, rtol=1e-5) and not np.isclose(wrong, expected, rtol=1e-5)),
                    " The band is |i - j| <= w for the cell D[i, j], which adds the cost "
                    "c[i - 1, j - 1].")
        raise ExerciseError(f"{name} is {got:.6g}; expected {expected:.6g}.{hint}")
    print("dtw_band: correct for bands of 0, 1, 2, 3 and 50 steps,\n"
          "in float32 and float64")


# -- chapter 11 --------------------------------------------------------------

def _ngram_stats(output, references, n, tokenize, *, tokens="split", clip="max", last=True,
                 distinct=False):
    """(matches, n-grams of the output) as BLEU counts them, and the usual slips:
    other tokens, no or other clipping, the last n-gram missed, n-grams counted once."""
    import collections

    def ngrams(text):
        t = {"split": lambda: tokenize(text).split(), "characters": lambda: list(text),
             "string": lambda: tokenize(text)}[tokens]()
        grams = [tuple(t[i : i + n]) for i in range(len(t) - n + (1 if last else 0))]
        return collections.Counter(set(grams) if distinct else grams)

    found = ngrams(output)
    counts = [ngrams(r) for r in references]
    if clip == "best reference":
        matches = max(sum(min(k, c[g]) for g, k in found.items()) for c in counts)
    else:
        ceiling = {g: (sum if clip == "sum" else max)(c[g] for c in counts) for g in found}
        matches = sum(k if clip == "none" and ceiling[g] else min(k, ceiling[g]) for g, k in found.items())
    return matches, sum(found.values())


def clipped_matches(fn) -> None:
    """``fn(output, references, n)``: the clipped n-gram matches of ``output`` and
    its number of n-grams, with sacrebleu's Chinese tokenisation (ex. 11.2).
    Compared with sacrebleu's counts on sentences with repeated characters,
    several references, a number and a Latin word, and an output shorter than n."""
    import sacrebleu

    tokenize = sacrebleu.BLEU(tokenize="zh").tokenizer
    cases = [("的的的的。", ["这是我的书。"], 1),
             ("我的的的。", ["我的书。", "他的的狗。"], 1),
             ("我的的的。", ["我的书。", "他的的狗。"], 2),
             ("汤姆在2013年去了波士顿。", ["汤姆2013年去过波士顿。", "汤姆在2013年去了东京。"], 2),
             ("Tom在家。", ["Tom在家里。"], 3),
             ("好。", ["好的。"], 3),
             ("我爱你。", ["我很爱你。"], 4)]
    for output, references, n in cases:
        stats = sacrebleu.corpus_bleu([output], [[r] for r in references], tokenize="zh")
        expected = (stats.counts[n - 1], stats.totals[n - 1])
        name = f"clipped_matches({output!r}, {references!r}, {n})"
        got = fn(output, list(references), n)
        if got is None:
            raise ExerciseError(f"{name} is None: did the function forget to `return`?")
        try:
            got = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            got = None
        if got is None or len(got) != 2:
            raise ExerciseError(f"{name} should return the pair (matches, number of n-grams)")
        if got == expected:
            continue
        slips = {
            "without clipping: an n-gram of the output counts at most as often as it occurs "
            "in the reference that holds it most often (的的的的 against one 的 matches once)":
                dict(clip="none"),
            "with the counts of the references added up: clip to the largest count in any "
            "one reference, not their sum": dict(clip="sum"),
            "with the output clipped against one whole reference at a time: take, for each "
            "n-gram separately, the reference where it occurs most often": dict(clip="best reference"),
            "with the text split into characters (list(text)): zh_tokenizer keeps a number "
            "such as 2013 and a Latin word such as Tom as one token; use "
            "zh_tokenizer(text).split()": dict(tokens="characters"),
            "with the n-grams of the string zh_tokenizer returns, spaces included: it returns "
            "the tokens joined by spaces; split them, zh_tokenizer(text).split()":
                dict(tokens="string"),
            "without the last n-gram: L tokens hold L - n + 1 n-grams, range(L - n + 1)":
                dict(last=False),
            "with each distinct n-gram counted once: count every occurrence "
            "(a collections.Counter, not a set)": dict(distinct=True),
        }
        hint = next((f" Hint: that is what you get {h}." for h, knobs in slips.items()
                     if got == (wrong := _ngram_stats(output, references, n, tokenize, **knobs))
                     and wrong != expected), "")
        if not hint and got == expected[::-1]:
            hint = " Hint: that is the pair in the other order: return (matches, number of n-grams)."
        raise ExerciseError(f"{name} = {got}, expected {expected} (sacrebleu's clipped matches "
                            f"and n-gram count).{hint}")
    print(f"clipped_matches: agrees with sacrebleu on {len(cases)} cases")


# -- chapter 12 --------------------------------------------------------------

def shuffle_frames(fn) -> None:
    """``fn(x, generator)``: the clips ``x`` (T, B, C, S, S) with the frames of each
    clip in a random order of its own, drawn from ``generator`` (ex. 12.2).

    The check marks every frame with its place ``(t, b)`` and reads, from the
    result, which frame went where: each clip must hold its own frames, each
    once, in an order that differs from clip to clip, keeps no more neighbours
    together than chance, and depends on the generator alone. In float32 and float64.
    """
    import torch

    T, B, C, S = 8, 300, 2, 3
    for dtype in (torch.float32, torch.float64):
        x = torch.randn(T, B, C, S, S, generator=torch.Generator().manual_seed(12), dtype=dtype)
        x[:, :, 0, 0, 0] = torch.arange(T * B, dtype=dtype).view(T, B)  # frame (t, b) holds t B + b
        given = x.clone()
        got = fn(given, torch.Generator().manual_seed(0))
        name = f"shuffle_frames(x, generator) for x {tuple(x.shape)} in {str(dtype)[6:]}"
        if not torch.equal(given, x):
            raise ExerciseError(f"{name} changed x in place: return a new tensor and leave x as it was")
        if not isinstance(got, torch.Tensor):
            raise ExerciseError(f"{name} should return a tensor, got {type(got).__name__}")
        if got.shape != x.shape:
            raise ExerciseError(f"{name} returned shape {tuple(got.shape)}, expected {tuple(x.shape)}: "
                                "pick, for each step t and clip b, one frame of clip b (index time "
                                "and clip together, x[order, torch.arange(B)] for order (T, B))")
        if got.dtype != x.dtype:
            raise ExerciseError(f"{name} returned {got.dtype}: keep the dtype of x, {x.dtype}")
        index = got[:, :, 0, 0, 0].round().long()
        frames = x.reshape(T * B, C, S, S)
        if (index.min() < 0 or index.max() >= T * B
                or not torch.equal(got, frames[index.clamp(0, T * B - 1)])):
            raise ExerciseError(f"{name}: some frames of the result are not frames of x; move whole "
                                "frames and change nothing inside them")
        source_t, source_b = index // B, index % B
        if torch.any(source_b != torch.arange(B)):
            b = int(torch.nonzero(torch.any(source_b != torch.arange(B), dim=0))[0])
            whole = torch.all(source_t == torch.arange(T)[:, None])
            raise ExerciseError(
                f"{name}: clip {b} holds frames of clip(s) {sorted(set(source_b[:, b].tolist()))}" +
                (": the clips were reordered, not their frames; permute dim 0 (time) within each "
                 "clip, not dim 1" if whole else
                 ": each clip must keep its own frames, in a new order (pick frame order[t, b] "
                 "of clip b itself)"))
        complete = torch.equal(source_t.sort(dim=0).values, torch.arange(T)[:, None].expand(T, B))
        if not complete:
            b = int(torch.nonzero(torch.any(source_t.sort(dim=0).values
                                            != torch.arange(T)[:, None], dim=0))[0])
            raise ExerciseError(f"{name}: clip {b} holds the frames {source_t[:, b].tolist()}: each "
                                f"frame once, a permutation of 0..{T - 1} (torch.randperm or argsort), "
                                "not T independent draws")
        if torch.all(source_t == torch.arange(T)[:, None]):
            raise ExerciseError(f"{name}: every frame is still in its place")
        for end, t in (("first", 0), ("last", T - 1)):
            if torch.all(source_t[t] == t):
                raise ExerciseError(
                    f"{name}: the {end} frame stays in its place in every clip: permute all T "
                    "frames (torch.randperm(T), not 1 + torch.randperm(T - 1)); a frame at a "
                    "known place tells where the dot starts or ends, and so the direction")
        if torch.all(source_t == source_t[:, :1]):
            raise ExerciseError(f"{name}: every clip got the same order of frames, "
                                f"{source_t[:, 0].tolist()}: draw one permutation per clip")
        neighbours = float(((source_t[1:] - source_t[:-1]).abs() == 1).sum(0).double().mean())
        if neighbours > 3:
            raise ExerciseError(
                f"{name}: on average {neighbours:.1f} of the {T - 1} pairs of consecutive frames of "
                f"a clip are still neighbours in the original (a random order keeps about "
                f"{2 * (T - 1) / T:.1f}): a rotation (torch.roll), a reversal or a few swaps leave "
                "the motion readable; draw a random permutation")
        again = fn(x.clone(), torch.Generator().manual_seed(0))
        other = fn(x.clone(), torch.Generator().manual_seed(1))
        if not torch.equal(again, got) or torch.equal(other, got):
            raise ExerciseError(
                f"{name} gave " + ("different orders for two generators in the same state"
                                   if not torch.equal(again, got) else
                                   "the same orders for generators of seeds 0 and 1") +
                ": draw the permutations from the generator given "
                "(torch.randperm(T, generator=generator), torch.rand(..., generator=generator))")
    print(f"shuffle_frames: {B} clips, each its own frames in its own random order,\n"
          "drawn from the generator, in float32 and float64")


def closest_approach(fn) -> None:
    """``fn(a, u, b, v)`` for arrays ``(n, 2)``: the time ``t*`` at which the
    paths ``a + u t`` and ``b + v t`` come closest, and their distance then,
    both ``(n,)`` (ex. 12.3). In float64 and float32, against the formula."""
    rng = np.random.default_rng(12)
    n = 5
    for dtype in (np.float64, np.float32):
        a, u, b, v = (rng.normal(size=(n, 2)).astype(dtype) for _ in range(4))
        u[0] = v[0] + np.array([1e-3, 0], dtype)      # nearly parallel: t* far away
        d, w = (a - b).astype(float), (u - v).astype(float)
        t_star = -(d * w).sum(-1) / (w * w).sum(-1)
        gap = np.linalg.norm(d + w * t_star[:, None], axis=-1)
        name = f"closest_approach(a, u, b, v) for n = {n} in {np.dtype(dtype).name}"
        got = fn(a.copy(), u.copy(), b.copy(), v.copy())
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise ExerciseError(f"{name} should return two arrays, t* and the distance, "
                                f"got {type(got).__name__}")
        got_t, got_gap = (np.asarray(g, dtype=float) for g in got)
        for what, value in (("t*", got_t), ("the distance", got_gap)):
            if value.shape != (n,):
                raise ExerciseError(
                    f"{name}: {what} has shape {value.shape}, expected ({n},): one value per "
                    "pair, the dot products summed over the last axis (the coordinates), "
                    "sum(axis=-1)")
        tol = dict(rtol=1e-9 if dtype == np.float64 else 2e-3, atol=1e-9 if dtype == np.float64 else 1e-4)
        t_slips = {
            "the other sign: the derivative 2 d.w + 2 t |w|^2 is 0 at t* = -d.w / |w|^2, "
            "with d = a - b and w = u - v taken in the same order": -t_star,
            "dividing by |w| instead of |w|^2": t_star * np.linalg.norm(w, axis=-1),
            "clipped to the future (t* >= 0): the exercise asks for t* on the whole "
            "line": np.maximum(t_star, 0),
            "swapped with the distance: return t*, then the distance": gap,
        }
        if not np.allclose(got_t, t_star, **tol):
            i = int(np.argmax(np.abs(got_t - t_star)))
            hint = next((f" Hint: that is t* {h}." for h, wrong in t_slips.items()
                         if np.allclose(got_t, wrong, **tol)), "")
            raise ExerciseError(f"{name}: t*[{i}] = {got_t[i]:.6g}, expected {t_star[i]:.6g}.{hint}")
        gap_slips = {
            "the squared distance: take the square root": gap**2,
            "the distance at t = 0, not at t*": np.linalg.norm(d, axis=-1),
        }
        if not np.allclose(got_gap, gap, **tol):
            i = int(np.argmax(np.abs(got_gap - gap)))
            hint = next((f" Hint: that is {h}." for h, wrong in gap_slips.items()
                         if np.allclose(got_gap, wrong, **tol)), "")
            raise ExerciseError(f"{name}: the distance [{i}] = {got_gap[i]:.6g}, expected "
                                f"{gap[i]:.6g}, the length of d + w t*.{hint}")
    print("closest_approach: t* and the distance agree with the formula,\n"
          "in float64 and float32")


def torus_sets(sets, like) -> None:
    """``sets``: what ``torus_sets()`` returned for ex. 12.4(b), the training,
    validation and test clips of the direction task on the torus
    (``moving_dot_clips(..., wrap=True)``), each of the size of the chapter's
    sets ``like`` and drawn independently, in time-reversed pairs.

    The check reads the clips themselves: their shapes, the pairs, whether the
    first frame tells the direction (it does on the bounded frame: a dot going
    right starts on the left), and whether a test clip repeats a training one.
    """
    import torch

    roles = ("training", "validation", "test")
    if not isinstance(sets, (tuple, list)) or len(sets) != 3:
        raise ExerciseError("torus_sets() should return three sets of clips, [training, validation, test], "
                            f"got {type(sets).__name__}" + (f" of {len(sets)}" if hasattr(sets, "__len__") else ""))
    for role, clips, model in zip(roles, sets, like):
        x, y = getattr(clips, "x", None), getattr(clips, "y", None)
        if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
            raise ExerciseError(f"the {role} set is a {type(clips).__name__}: expected clips with x and y, "
                                "as moving_dot_clips returns them")
        if x.shape != model.x.shape:
            raise ExerciseError(f"the {role} clips have shape {tuple(x.shape)}, the chapter's "
                                f"{tuple(model.x.shape)}: the same sizes (and numbers of clips) as the "
                                "chapter's sets, so that only the torus differs")
        pairs = torch.equal(x[:, 1::2], x[:, 0::2].flip(0)) and torch.equal(y[1::2], 1 - y[0::2])
        if not pairs:
            raise ExerciseError(f"the {role} clips are not in time-reversed pairs (clip 2i + 1 is clip 2i "
                                "played backwards, with the other label): draw each set whole with "
                                "moving_dot_clips; shuffling or splitting one draw breaks the pairs, and "
                                "with them the proof that every order-free classifier is at chance")
        frame = (x[0, :, 0] - 0.2).clamp(min=0)                    # the first frames, (n, S, S)
        column = ((frame.sum(1) * torch.arange(frame.shape[-1])).sum(-1)
                  / (frame.sum((1, 2)) + 1e-9))
        gap = float(column[y == 1].mean() - column[y == 0].mean())
        if abs(gap) > 4:
            raise ExerciseError(
                f"in the {role} clips the first frame tells the direction: the dots that go right "
                f"start {-gap:.1f} pixels further left on average. These are the bounded clips; on "
                "the torus (moving_dot_clips(..., wrap=True)) the start is anywhere")
    train = {bytes(clip.numpy()) for clip in sets[0].x.unbind(1)}
    for role, clips in zip(roles[1:], sets[1:]):
        repeated = sum(bytes(clip.numpy()) in train for clip in clips.x.unbind(1))
        if repeated:
            raise ExerciseError(f"{repeated} of the {clips.x.shape[1]} {role} clips are training clips: "
                                "draw the three sets independently (as three_sets does, from the "
                                "chapter's generator), so that the scores come from clips that "
                                "trained nothing")
    print("torus_sets: three independent sets of the chapter's sizes, in pairs,\n"
          "whose first frames do not tell the direction")

# -- chapter 13 --------------------------------------------------------------

def doubling_scan(fn) -> None:
    """``fn(a, b)`` returns ``h_1 .. h_T`` of ``h_t = a_t * h_{t-1} + b_t``
    (``h_0 = 0``) for tensors ``a``, ``b`` of shape (T, B, H)."""
    import torch

    g = torch.Generator().manual_seed(13)
    for T in (1, 2, 3, 8, 13, 100):
        a = torch.rand(T, 2, 3, generator=g, dtype=torch.float64)
        b = torch.randn(T, 2, 3, generator=g, dtype=torch.float64)
        h, expected = torch.zeros(2, 3, dtype=torch.float64), []
        for a_t, b_t in zip(a, b):
            h = a_t * h + b_t
            expected.append(h)
        a_in, b_in = a.clone(), b.clone()
        got = fn(a_in, b_in)
        if not (torch.equal(a_in, a) and torch.equal(b_in, b)):
            raise ExerciseError("doubling_scan changed its inputs a or b in place: work on copies (a.clone())")
        _compare(f"doubling_scan for T = {T} (h_t at index t - 1)",
                 got.detach().numpy() if isinstance(got, torch.Tensor) else got,
                 torch.stack(expected).numpy(), {
                     "without the shifted pairs (b alone, no round)": b.numpy(),
                 })
    print("doubling_scan: agrees with the loop for T = 1, 2, 3, 8, 13 and 100")


# -- chapter 14 --------------------------------------------------------------

def tbptt_epoch(fn) -> None:
    """``fn(model, optimizer, x, y, k)``: one pass of truncated BPTT in chunks of
    ``k`` steps, the state carried detached, one step per chunk; returns the
    mean of the chunk losses (mean squared error)."""
    import copy

    import torch
    from torch import nn

    class Recorder(nn.Module):
        def __init__(self):
            super().__init__()
            self.core, self.readout = nn.GRU(1, 4).double(), nn.Linear(4, 1).double()
            self.calls = []

        def forward(self, x_chunk, state=None):
            h, new_state = self.core(x_chunk, state)
            prediction = self.readout(h)
            self.calls.append((x_chunk.detach().clone(), state, new_state.detach().clone()))
            return prediction, new_state

    torch.manual_seed(14)
    T, B, k = 23, 3, 5
    x, y = torch.randn(T, B, 1, dtype=torch.float64), torch.randn(T, B, 1, dtype=torch.float64)
    model = Recorder()
    reference = copy.deepcopy(model)
    try:
        got = fn(model, torch.optim.SGD(model.parameters(), lr=0.1), x, y, k)
    except RuntimeError as error:
        if "backward through the graph a second time" in str(error):
            raise ExerciseError("backward went into the previous chunk's graph: the state carried "
                                "into the next chunk must be detached (state.detach())") from None
        raise
    starts = list(range(0, T, k))
    if len(model.calls) != len(starts):
        raise ExerciseError(f"the model ran {len(model.calls)} times for T = {T} steps and k = {k}; "
                            f"expected {len(starts)} chunks: x[0:5], x[5:10], ..., x[20:23]")
    previous = None
    for i, (start, (x_chunk, state, new_state)) in enumerate(zip(starts, model.calls)):
        if x_chunk.shape != x[start : start + k].shape or not torch.equal(x_chunk, x[start : start + k]):
            raise ExerciseError(f"chunk {i} should be x[{start}:{start + k}], the model got "
                                f"{tuple(x_chunk.shape)} steps that are not")
        if i == 0 and state is not None and torch.any(state != 0):
            raise ExerciseError("the first chunk should start from no state (None) or zeros")
        if i > 0:
            if state is None or torch.all(state == 0):
                raise ExerciseError(f"chunk {i} started from no state: carry the last state of chunk {i - 1}")
            if not torch.allclose(state, previous):
                raise ExerciseError(f"chunk {i} started from a state that is not the last state of chunk {i - 1}")
            if state.grad_fn is not None:
                raise ExerciseError(f"the state carried into chunk {i} is not detached: state.detach()")
        previous = new_state
    optimizer, losses, state = torch.optim.SGD(reference.parameters(), lr=0.1), [], None
    for start in starts:
        prediction, state = reference(x[start : start + k], state)
        loss = nn.functional.mse_loss(prediction, y[start : start + k])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        state, losses = state.detach(), losses + [loss.item()]
    for (name, p), q in zip(model.named_parameters(), reference.parameters()):
        if not torch.allclose(p, q, rtol=1e-9, atol=1e-12):
            raise ExerciseError(f"after the pass, {name} differs from a correct loop's: per chunk, zero the "
                                "gradients (optimizer.zero_grad()), backpropagate the chunk's mean squared "
                                "error against y, and step once")
    if got is None or not np.isclose(float(got), np.mean(losses), rtol=1e-9):
        raise ExerciseError(f"tbptt_epoch returned {got!r}; expected the mean of the {len(losses)} chunk "
                            f"losses, {np.mean(losses):.6g}")
    print(f"tbptt_epoch: {len(starts)} chunks, state carried detached, a correct loop's weights")


def receptive_field(fn) -> None:
    """``fn(k, L, dilated)``: how many inputs the last output of a stack of ``L``
    causal convolutions of kernel ``k`` sees (dilations ``1, 2, ..., 2^(L-1)``
    when ``dilated``), counted from the gradients (ex. 14.2). The count must be
    ``1 + (k - 1)(d_1 + ... + d_L)``, for fields of up to 64 inputs."""
    cases = [(3, 3, False), (5, 2, False), (3, 4, True), (4, 3, True), (2, 6, True)]
    for k, L, dilated in cases:
        def field(dilations):
            return 1 + (k - 1) * sum(dilations)

        d = [2**l if dilated else 1 for l in range(L)]
        expected = field(d)
        name = f"receptive_field({k}, {L}, dilated={dilated})"
        got = _number(fn(k, L, dilated=dilated), name)
        if got == expected:
            continue
        doubled = [2**l for l in range(L)]
        slips = {
            "without the dilations: with dilated=True, layer l (from 1) needs dilation "
            "2^(l - 1)": field([1] * L) if dilated else None,
            "with the dilations, although dilated=False": None if dilated else field(doubled),
            "with L - 1 layers": field(d[:-1]),
            "with L + 1 layers": field(d + [2 * d[-1] if dilated else 1]),
            "with padding on both sides (padding='same'): the last output then sees only "
            "the left half of each kernel, and zeros beyond the end; pad on the left only, "
            "(k - 1) * dilation zeros": 1 + sum((k - 1) * e // 2 for e in d),
        }
        hint = next((f" Hint: that is the field {h}." for h, wrong in slips.items()
                     if wrong is not None and wrong != expected and got == wrong), "")
        if not hint and got > expected:
            hint = (" More inputs than one output can see: backpropagate from the last "
                    "output alone, not from a sum of all the outputs.")
        elif not hint:
            hint = (" Fewer inputs than the last output sees: is the input longer than the "
                    "field (the count cannot exceed its length)? Can a gradient vanish by "
                    "chance (random weights, a ReLU between the layers)? Use weights that "
                    "cannot cancel, such as all ones.")
        raise ExerciseError(f"{name} = {got:g}, expected {expected}: the field starts at one "
                            f"input, and each layer adds (k - 1) times its dilation.{hint}")
    print(f"receptive_field: correct on {len(cases)} stacks, with and without dilations")


_LSTM_PARAMETERS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def zero_gradients(fn) -> None:
    """``fn(lstm)`` runs a one-layer ``torch.nn.LSTM`` on a batch of random
    sequences of length one from ``h_0 = c_0 = 0``, backpropagates from its
    outputs and returns ``{name: mask}`` for the four parameters, each mask a
    boolean tensor of the parameter's shape, True where the gradient is exactly
    zero (ex. 14.4). Checked on three LSTMs, one of them with the gradients of
    an earlier step left in ``.grad``."""
    import torch

    with torch.random.fork_rng(devices=[]):   # the chapter's random stream untouched
        _zero_gradients(fn)


def _recording_lstm(D: int, H: int):
    """An ``nn.LSTM(D, H)`` that records the input and the state of each call."""
    import torch

    class RecordingLSTM(torch.nn.LSTM):
        def forward(self, input, hx=None):
            self.calls.append((tuple(input.shape), input.detach().clone(), hx))
            return super().forward(input, hx)

    lstm = RecordingLSTM(D, H)
    lstm.calls = []
    return lstm


def _zero_gradients(fn) -> None:
    import copy

    import torch

    gates = "ifgo"
    for case, (D, H, stale) in enumerate([(3, 5, False), (1, 1, False), (4, 2, True)]):
        torch.manual_seed(140 + case)
        lstm = _recording_lstm(D, H)
        reference = copy.deepcopy(lstm)
        reference(torch.randn(1, 8, D))[0].sum().backward()
        expected = {name: getattr(reference, name).grad == 0 for name in _LSTM_PARAMETERS}
        if stale:   # as in the middle of training: the last step's gradients are still there
            for p in lstm.parameters():
                p.grad = torch.randn_like(p)
        name = f"zero_gradients(nn.LSTM({D}, {H}))"
        got = fn(lstm)
        if not lstm.calls:
            raise ExerciseError(f"{name} never ran the LSTM it is given: run lstm(x) on a batch of "
                                "random sequences of length one")
        for shape, x, hx in lstm.calls:
            steps = shape[0] if len(shape) in (2, 3) and not lstm.batch_first else None
            if steps != 1:
                raise ExerciseError(
                    f"{name} ran the LSTM on an input of shape {shape}: nn.LSTM reads (T, B, D), time "
                    f"first (or (T, D) for one sequence), so that is {shape[0]} steps, and from the "
                    "second step on h_{t-1}, c_{t-1} and weight_hh_l0 take part. A batch of B "
                    "sequences of length one has shape (1, B, D)")
            if hx is not None and any(torch.any(s != 0) for s in hx):
                raise ExerciseError(f"{name} ran the LSTM from a state that is not zero: the exercise "
                                    "starts from h_0 = c_0 = 0 (pass no state, lstm(x))")
            if torch.all(x == 0):
                raise ExerciseError(
                    f"{name} ran the LSTM on inputs that are all zero: then x_1 multiplies the "
                    "gradient of weight_ih_l0 to zero in every gate, as h_0 = 0 does for weight_hh_l0; "
                    "use random inputs (torch.randn)")
        if not isinstance(got, dict):
            raise ExerciseError(f"{name} should return a dict {{name: mask}}, got {type(got).__name__}")
        missing = [k for k in _LSTM_PARAMETERS if k not in got]
        if missing:
            raise ExerciseError(f"{name} returned a dict that lacks the keys {missing}")
        for key in _LSTM_PARAMETERS:
            mask, want = got[key], expected[key]
            if isinstance(mask, np.ndarray):
                mask = torch.from_numpy(mask)
            if not isinstance(mask, torch.Tensor):
                raise ExerciseError(f"{name}[{key!r}] should be a boolean tensor, got {type(mask).__name__}")
            if mask.dtype != torch.bool:
                raise ExerciseError(f"{name}[{key!r}] has dtype {mask.dtype}: return a boolean mask, "
                                    f"True where the gradient is zero (grad == 0), not the gradient")
            if tuple(mask.shape) != tuple(want.shape):
                raise ExerciseError(f"{name}[{key!r}] has shape {tuple(mask.shape)}, expected "
                                    f"{tuple(want.shape)}, the shape of lstm.{key}")
            mask = mask.cpu()
            if torch.equal(mask, want):
                continue
            if stale and not mask.any():
                raise ExerciseError(
                    f"{name}[{key!r}] marks no gradient as zero, but autograd gives {int(want.sum())}: "
                    "this LSTM came with the gradients of an earlier step in .grad, as in training, "
                    "and backward adds to them: zero them first (lstm.zero_grad())")
            if torch.equal(mask, ~want):
                raise ExerciseError(f"{name}[{key!r}] is True where the gradient is nonzero: "
                                    "return True where it is zero (grad == 0)")
            wrong_gates = [g for k, g in enumerate(gates)
                           if not torch.equal(mask[k * H:(k + 1) * H], want[k * H:(k + 1) * H])]
            if wrong_gates == ["o"] and mask[3 * H:].all():
                hint = ("The output gate's rows came out unused: backpropagate from the output "
                        "h_1 = o_1 * tanh(c_1) (lstm(x)[0]), not from c_1 alone")
            else:
                hint = f"Compare the rows of the gates {', '.join(wrong_gates)} with your answer to (a)"
            raise ExerciseError(
                f"{name}[{key!r}] marks {int(mask.sum())} entries as zero, but autograd gives "
                f"{int(want.sum())} zero gradients, in other places (rows of gates "
                f"{', '.join(wrong_gates)}; PyTorch stacks the gates as i, f, g, o). {hint}.")
    print("zero_gradients: the zero gradients of an LSTM run for one step from zero,\n"
          "as autograd gives them, for 3 LSTMs")
