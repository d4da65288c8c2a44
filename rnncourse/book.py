"""Helpers every chapter uses: seeding, the device, glued numbers and figure style."""
from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int = 0) -> np.random.Generator:
    """Seed Python, NumPy and torch; return a fresh ``np.random.Generator(seed)``.

    Chapters call this once at the top so that every run prints the same numbers.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
    except ImportError:  # the NumPy half of the course runs without torch
        pass
    else:
        torch.manual_seed(seed)
    return np.random.default_rng(seed)


def default_device():
    """``torch.device("cuda")`` when a GPU is available, else ``"cpu"``."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def glue(name: str, value, display: bool = False):
    """Make ``value`` available to the chapter's prose as ``{glue:text}`name```.

    In the book, myst-nb stores the value; where myst-nb is missing (Colab, a
    plain Jupyter) the value is shown as ``name = value`` when ``display`` is
    true, so the notebook still runs top to bottom. Returns ``None``, so that a
    ``glue`` call on a cell's last line does not also echo the value.
    """
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        value = value.item()  # NumPy 2 scalars print as np.float64(...), which format specs cannot read
    try:
        from myst_nb import glue as _glue
    except ImportError:
        if display:
            print(f"{name} = {value}")
        return None
    _glue(name, value, display=display)
    return None


def use_book_style():
    """Figure defaults for the book: opaque white background (readable in the
    theme's dark mode), a grid, and a size that fits the page."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
            "axes.facecolor": "white",
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.figsize": (7.0, 3.6),
            "figure.dpi": 100,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
