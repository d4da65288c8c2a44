"""Input checks shared by the NumPy and the PyTorch code.

Every check raises a ``TypeError`` or ``ValueError`` whose message names what
was expected and what was given, so that a wrong shape never turns into a
silent wrong result. The functions accept NumPy arrays and torch tensors alike
(anything with ``shape``, ``ndim`` and ``dtype``).
"""
from __future__ import annotations

import numpy as np


def _is_tensor(x) -> bool:
    return type(x).__module__.startswith("torch")


def _is_floating(x) -> bool:
    if _is_tensor(x):
        return x.is_floating_point()
    return np.issubdtype(x.dtype, np.floating)


def _all_finite(x) -> bool:
    if _is_tensor(x):
        import torch

        return bool(torch.isfinite(x).all())
    return bool(np.isfinite(x).all())


def _fmt(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def check_array(x, name: str = "x"):
    """Raise ``TypeError`` unless ``x`` is a NumPy array or a torch tensor."""
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        raise TypeError(f"{name} must be an array or tensor, got {type(x).__name__}")


def check_floating(x, name: str = "x"):
    """Raise ``TypeError`` unless ``x`` has a floating-point dtype."""
    check_array(x, name)
    if not _is_floating(x):
        raise TypeError(f"{name} must have a floating-point dtype (float32 or float64), got {x.dtype}")


def check_finite(x, name: str = "x"):
    """Raise ``ValueError`` if ``x`` holds NaN or infinity."""
    if not _all_finite(x):
        raise ValueError(f"{name} contains NaN or infinite values")


def check_shape(x, expected, name: str = "x", names=None):
    """Raise unless ``x.shape`` matches ``expected``.

    ``expected`` is a tuple of ints or ``None`` (any size). ``names`` spells the
    axes for the message, e.g. ``("T", "B", "D")``.
    """
    check_array(x, name)
    spelled = tuple(
        (n if e is None else f"{n}={e}") if names else ("?" if e is None else e)
        for n, e in zip(names or expected, expected)
    )
    wanted = "(" + ", ".join(str(s) for s in spelled) + ")"
    if x.ndim != len(expected):
        raise ValueError(f"{name} must have {len(expected)} dimensions {wanted}, got shape {_fmt(tuple(x.shape))}")
    for axis, (got, want) in enumerate(zip(x.shape, expected)):
        if want is not None and got != want:
            raise ValueError(f"{name} must have shape {wanted}, got {_fmt(tuple(x.shape))} (axis {axis} is {got}, expected {want})")


def check_sequence(x, input_size: int, name: str = "x", layout: str = "TBD"):
    """Check a batch of sequences: 3-D, floating, finite, non-empty, last axis ``input_size``.

    ``layout`` names the axes for the message: ``"TBD"`` (time-major) or ``"BTD"``.
    """
    check_floating(x, name)
    check_shape(x, (None, None, input_size), name, names=tuple(layout))
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one step and one sequence, got shape {_fmt(tuple(x.shape))}")
    check_finite(x, name)


def check_integer(x, name: str = "x"):
    """Raise ``TypeError`` unless ``x`` has an integer dtype (e.g. class indices)."""
    check_array(x, name)
    if _is_tensor(x):
        integer = not (x.is_floating_point() or x.is_complex()) and str(x.dtype) != "torch.bool"
    else:
        integer = np.issubdtype(x.dtype, np.integer)
    if not integer:
        raise TypeError(f"{name} must have an integer dtype (class indices), got {x.dtype}")


def check_dtype(x, dtype, name: str = "x"):
    """Raise ``TypeError`` unless ``x.dtype`` is ``dtype``: no silent casting.

    ``dtype`` is a NumPy dtype for arrays (``np.float32``), a torch dtype for tensors.
    """
    check_array(x, name)
    expected = dtype if _is_tensor(x) else np.dtype(dtype)
    if x.dtype != expected:
        raise TypeError(f"{name} must have dtype {expected}, got {x.dtype} (cast it explicitly, e.g. .astype)")
