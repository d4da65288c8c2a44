"""Figures the chapters share. Each function returns the matplotlib ``Figure``.

Every figure has an opaque white background (readable in the book's dark
mode), whatever the matplotlib style. Arrays may be NumPy arrays or torch
tensors (on any device, with or without gradients). Pass ``ax`` to draw into
an existing axes (the function then returns that axes' figure).
"""
from __future__ import annotations

import numpy as np


def _to_numpy(x) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu()
    return np.asarray(x, dtype=float)


def _axes(ax, figsize=None):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    ax.set_facecolor("white")
    return fig, ax


def loss_curves(history, ax=None, log: bool = False, title: str | None = None):
    """Training (solid) and validation (dashed) loss per epoch.

    ``history`` is a :class:`rnncourse.train.History` (or a dict with lists
    ``"train_loss"`` and ``"valid_loss"``), or a dict ``{label: history}`` to
    compare several runs, one colour each.
    """
    runs = {"": history} if _is_history(history) else dict(history)
    fig, ax = _axes(ax)
    for k, (label, run) in enumerate(runs.items()):
        color = f"C{k}"
        for key, style, part in (("train_loss", "-", "train"), ("valid_loss", "--", "valid")):
            values = run[key] if isinstance(run, dict) else getattr(run, key)
            if len(values):
                ax.plot(np.arange(1, len(values) + 1), values, style, color=color,
                        label=f"{label} {part}".strip())
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log:
        ax.set_yscale("log")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def _is_history(h) -> bool:
    return hasattr(h, "train_loss") or (isinstance(h, dict) and "train_loss" in h)


def predictions(t, y_true, y_pred, t_pred=None, ax=None, title: str | None = None,
                xlabel: str = "t", ylabel: str = "value", true_label: str = "true"):
    """A series and one or more predictions of it.

    ``y_pred`` is one array, or a dict ``{label: array}``; the predictions are
    drawn at ``t_pred`` (default ``t``), e.g. only over the test months.
    """
    fig, ax = _axes(ax)
    ax.plot(_to_numpy(t), _to_numpy(y_true), color="0.3", lw=1.2, label=true_label)
    t_pred = t if t_pred is None else t_pred
    preds = y_pred if isinstance(y_pred, dict) else {"predicted": y_pred}
    for k, (label, y) in enumerate(preds.items()):
        ax.plot(_to_numpy(t_pred), _to_numpy(y), color=f"C{k}", lw=1.2, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def gradient_norms_vs_lag(lags, norms: dict, log: bool = True, ax=None, title: str | None = None,
                          ylabel: str = r"$\|\partial L / \partial h_{t-k}\|$"):
    """Gradient norm against the lag ``k``, one line per model.

    ``norms`` is ``{label: values}``, ``values`` of shape ``(len(lags),)``, or
    ``(runs, len(lags))`` for several seeds: then the median is drawn with a
    band from the minimum to the maximum. ``log`` uses a log scale for the norm.
    """
    fig, ax = _axes(ax)
    lags = _to_numpy(lags)
    for k, (label, values) in enumerate(norms.items()):
        values = _to_numpy(values)
        if values.ndim == 2:
            ax.fill_between(lags, values.min(0), values.max(0), color=f"C{k}", alpha=0.2, lw=0)
            values = np.median(values, axis=0)
        ax.plot(lags, values, "o-", color=f"C{k}", ms=3, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("lag $k$ (steps back)")
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def heatmap(matrix, xlabels=None, ylabels=None, ax=None, cmap: str = "viridis", vmin=None, vmax=None,
            colorbar: bool = True, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None):
    """A matrix as an image, row 0 on top, with optional tick labels and a colour bar."""
    matrix = _to_numpy(matrix)
    if matrix.ndim != 2:
        raise ValueError(f"matrix must be 2-D (rows, columns), got shape {matrix.shape}")
    fig, ax = _axes(ax)
    image = ax.imshow(matrix, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.grid(False)
    for labels, set_ticks, set_labels, rotation in (
        (xlabels, ax.set_xticks, ax.set_xticklabels, 90),
        (ylabels, ax.set_yticks, ax.set_yticklabels, 0),
    ):
        if labels is not None:
            set_ticks(np.arange(len(labels)))
            set_labels([str(s) for s in labels], rotation=rotation)
    if colorbar:
        fig.colorbar(image, ax=ax)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return fig


def gate_heatmap(activations, tokens=None, ax=None, vmin: float = 0.0, vmax: float = 1.0,
                 title: str | None = None, cmap: str = "viridis"):
    """Activations of a gate (or a state) over time: ``activations`` ``(T, H)``.

    Drawn with time across (labelled by ``tokens``, e.g. the characters read)
    and one row per unit. The default colour range ``[0, 1]`` suits a sigmoid
    gate; use ``vmin=-1`` for a tanh state.
    """
    activations = _to_numpy(activations)
    if activations.ndim != 2:
        raise ValueError(f"activations must have shape (T, H), got shape {activations.shape}")
    labels = None if tokens is None else [repr(c)[1:-1] if isinstance(c, str) else str(c) for c in tokens]
    return heatmap(activations.T, xlabels=labels,
                   ax=ax, cmap=cmap, vmin=vmin, vmax=vmax, title=title, xlabel="step", ylabel="unit")
