"""rnncourse.plot: every helper returns a figure with an opaque white background."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnncourse import plot  # noqa: E402
from rnncourse.train import History  # noqa: E402


@pytest.fixture(autouse=True)
def dark_style():
    """Draw under a dark style: the helpers must still give white, opaque figures."""
    with plt.style.context("dark_background"):
        yield
    plt.close("all")


def assert_white(fig):
    assert fig.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    assert all(ax.get_facecolor() == (1.0, 1.0, 1.0, 1.0) for ax in fig.axes if ax.get_label() != "<colorbar>")


def test_loss_curves_one_and_several_runs():
    h = History(train_loss=[1.0, 0.5, 0.3], valid_loss=[1.1, 0.6, 0.5])
    fig = plot.loss_curves(h)
    assert_white(fig)
    lines = fig.axes[0].get_lines()
    assert [tuple(l.get_ydata()) for l in lines] == [(1.0, 0.5, 0.3), (1.1, 0.6, 0.5)]
    assert tuple(lines[0].get_xdata()) == (1, 2, 3)
    fig = plot.loss_curves({"RNN": h, "LSTM": {"train_loss": [2.0, 1.0], "valid_loss": []}}, log=True)
    labels = [l.get_label() for l in fig.axes[0].get_lines()]
    assert labels == ["RNN train", "RNN valid", "LSTM train"] and fig.axes[0].get_yscale() == "log"


def test_predictions_accept_tensors_and_several_models():
    t = np.arange(50)
    y = np.sin(t / 5)
    fig = plot.predictions(t, y, {"GRU": torch.tensor(y[40:] + 0.1, requires_grad=True), "naive": y[39:49]},
                           t_pred=t[40:])
    assert_white(fig)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3 and lines[1].get_label() == "GRU" and len(lines[1].get_xdata()) == 10


def test_gradient_norms_vs_lag_with_seeds():
    lags = np.arange(1, 11)
    fig = plot.gradient_norms_vs_lag(lags, {"RNN": 0.5 ** lags, "LSTM": np.stack([0.9 ** lags, 0.8 ** lags])})
    assert_white(fig)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 2 and len(ax.collections) == 1  # one band
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), np.median([0.9 ** lags, 0.8 ** lags], axis=0))


def test_heatmaps():
    fig = plot.heatmap(np.arange(6).reshape(2, 3), xlabels=list("abc"), ylabels=["r0", "r1"])
    assert_white(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"] and len(fig.axes) == 2  # + colour bar
    gates = torch.rand(7, 4)
    fig = plot.gate_heatmap(gates, tokens="to be\n!")
    image = fig.axes[0].get_images()[0]
    np.testing.assert_allclose(image.get_array(), gates.T.numpy())  # units as rows, time across
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][5] == "\\n"
    with pytest.raises(ValueError, match=r"shape \(T, H\)"):
        plot.gate_heatmap(np.zeros(5))
