"""Every exercise checker passes the reference answer and catches the usual wrong ones."""
import numpy as np
import pytest

from rnncourse import check
from rnncourse.check import ExerciseError
from rnncourse.numpy import sigmoid


def running_mean(x):
    return np.cumsum(x) / np.arange(1, len(x) + 1)


def depth(s):
    h, out = 0, []
    for ch in s:
        h += (ch == "(") - (ch == ")")
        out.append(h)
    return np.array(out, dtype=int)


def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(h_prev @ W_hh.T + x_t @ W_xh.T + b_h)


def lstm_step(x_t, h_prev, c_prev, p, order="ifgo"):
    gate = {g: x_t @ p[f"W_x{g}"].T + h_prev @ p[f"W_h{g}"].T + p[f"b_{g}"] for g in "ifgo"}
    i_t, f_t, g_t, o_t = (gate[g] for g in order)
    i_t, f_t, o_t, g_t = sigmoid(i_t), sigmoid(f_t), sigmoid(o_t), np.tanh(g_t)
    c_t = f_t * c_prev + i_t * g_t
    return o_t * np.tanh(c_t), c_t


def test_reference_answers_pass(capsys):
    check.running_mean(running_mean)
    check.depth(depth)
    check.rnn_step(rnn_step)
    check.lstm_step(lstm_step)
    check.gradient(lambda x: 2 * x * np.cos(x**2), lambda x: np.sum(np.sin(x**2)), np.linspace(-1, 1, 7))
    assert capsys.readouterr().out.count("correct on") == 4


@pytest.mark.parametrize("wrong, match", [
    (lambda x: np.cumsum(x) / np.arange(2, len(x) + 2), "dividing by t - 1 or t \\+ 1"),
    (lambda x: np.cumsum(x)[:-1], "shape"),
    (lambda x: None, "forget to `return`"),
])
def test_running_mean_catches(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        check.running_mean(wrong)


def test_depth_catches_an_off_by_one():
    with pytest.raises(ExerciseError, match="differs"):
        check.depth(lambda s: depth(s) + (np.arange(len(s)) == 0))


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, h, W_xh, W_hh, b: np.tanh(h @ W_hh.T + x @ W_xh.T), "without the bias"),
    (lambda x, h, W_xh, W_hh, b: np.tanh(h @ W_hh + x @ W_xh.T + b), "W_hh transposed"),
    (lambda x, h, W_xh, W_hh, b: h @ W_hh.T + x @ W_xh.T + b, "without the tanh"),
    (lambda x, h, W_xh, W_hh, b: np.tanh(x @ W_xh.T + b), "without the recurrent term"),
])
def test_rnn_step_names_the_slip(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check.rnn_step(wrong)


def test_rnn_step_reports_a_shape():
    with pytest.raises(ExerciseError, match=r"shape \(4, 3\), expected \(3, 4\)"):
        check.rnn_step(lambda x, h, W_xh, W_hh, b: rnn_step(x, h, W_xh, W_hh, b).T if x.shape == (3, 2) else rnn_step(x, h, W_xh, W_hh, b))


def test_lstm_step_catches_the_gate_order():
    with pytest.raises(ExerciseError, match="input and forget gates exchanged"):
        check.lstm_step(lambda x, h, c, p: lstm_step(x, h, c, p, order="figo"))
    with pytest.raises(ExerciseError, match="pair"):
        check.lstm_step(lambda x, h, c, p: lstm_step(x, h, c, p)[0])


def test_gradient_catches_a_wrong_factor():
    with pytest.raises(ExerciseError, match="differs"):
        check.gradient(lambda x: x * np.cos(x**2), lambda x: np.sum(np.sin(x**2)), np.linspace(-1, 1, 7))


def test_messages_do_not_print_the_answer():
    """A failure names positions and values, never the reference array itself."""
    with pytest.raises(ExerciseError) as error:
        check.running_mean(lambda x: np.zeros(len(x)))
    assert "array(" not in str(error.value) and "[" not in str(error.value)
