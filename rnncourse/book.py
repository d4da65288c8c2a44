"""Helpers every chapter uses: seeding, the device, glued numbers and figure style."""
from __future__ import annotations

import os
import random

import numpy as np


# Set by a run that checks a chapter's claims on seeds it was not written
# with (tools/other_seeds.py, ``make seeds``); unset, it is 0.
SEED_SHIFT_VARIABLE = "RNNCOURSE_SEED_SHIFT"


def seed_shift() -> int:
    """The shift that ``$RNNCOURSE_SEED_SHIFT`` adds to every chapter's seeds
    (0 when it is unset)."""
    text = os.environ.get(SEED_SHIFT_VARIABLE, "").strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{SEED_SHIFT_VARIABLE} must be an integer, "
                         f"got {text!r}") from None


def seed_everything(seed: int = 0) -> np.random.Generator:
    """Seed Python, NumPy and torch; return a fresh ``np.random.Generator``.

    Chapters call this once at the top so that every run prints the same
    numbers. The seed used is ``seed + seed_shift()``: setting
    ``RNNCOURSE_SEED_SHIFT`` reruns a chapter on other seeds.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    shift = seed_shift()
    if shift:
        print(f"seeds shifted by {shift} ({SEED_SHIFT_VARIABLE})")
    seed = int(seed) + shift
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


def seeds(n: int) -> list[int]:
    """The seeds of a chapter's ``n`` trained models: ``0, ..., n - 1``,
    shifted by ``seed_shift()`` like ``seed_everything``'s."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    return [seed_shift() + i for i in range(n)]


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
            "figure.hooks": ["rnncourse.book:watch_text_size"],
        }
    )


# The width, in CSS pixels, that a figure gets in the book's text column at a
# 1280 px wide window (measured in Chromium on the built book, rounded down),
# and the smallest text a reader should have to read.
COLUMN_PX = 672
MIN_TEXT_PT = 9.0


class SmallFigureText(UserWarning):
    """Text in a figure that will show below :data:`MIN_TEXT_PT` on the page."""


def rendered_points(fig, fontsize: float) -> float:
    """The size, in CSS points, at which text of ``fontsize`` points in ``fig``
    shows on the page: a figure wider than the column is scaled down to fit it."""
    image_px = fig.get_figwidth() * fig.dpi
    return fontsize * fig.dpi / 96 * min(1.0, COLUMN_PX / image_px)


def small_text(fig) -> list[tuple[str, float]]:
    """``(text, rendered points)`` for each visible text of ``fig`` below :data:`MIN_TEXT_PT`."""
    from matplotlib.text import Text

    found = []
    for artist in fig.findobj(Text):
        if artist.get_visible() and artist.get_text().strip():
            size = rendered_points(fig, artist.get_fontsize())
            if size < MIN_TEXT_PT - 1e-6:
                found.append((artist.get_text(), round(size, 1)))
    return found


def watch_text_size(fig):
    """A ``figure.hooks`` entry (set by :func:`use_book_style`): when ``fig`` is
    drawn, warn with :class:`SmallFigureText` about text too small to read at
    page width. The book's tests fail on that warning in any chapter."""
    import warnings

    def check(event):
        small = small_text(fig)
        if small and not getattr(fig, "_small_text_reported", False):
            fig._small_text_reported = True  # once per figure, not at every draw
            shown = ", ".join(f"{text!r} at {size} pt" for text, size in small[:4])
            warnings.warn(
                f"figure {fig.get_figwidth():.1f} x {fig.get_figheight():.1f} in: "
                f"{len(small)} texts below {MIN_TEXT_PT:g} pt at page width "
                f"({shown}); make the figure narrower or the text larger",
                SmallFigureText, stacklevel=2)

    fig.canvas.mpl_connect("draw_event", check)


CJK_FAMILY = "RNN Course Sans SC"


def use_cjk_font() -> str:
    """Let matplotlib draw Chinese characters with the CJK font that ships with rnncourse.

    The font, ``rnncourse/fonts/RNNCourseSansSC-Regular.otf``, is Noto Sans
    CJK SC cut down to the characters of the Chinese side of the Tatoeba pairs
    (:func:`rnncourse.data.load_tatoeba_cmn`), under the SIL Open Font License
    (see ``rnncourse/fonts/README.md``); nothing is downloaded. It is added to
    matplotlib's font manager and placed after the first sans-serif font in
    the font family list, so Latin text keeps its font and matplotlib falls
    back to this one, glyph by glyph, for Chinese. Call it after
    :func:`use_book_style`. Returns the family name, for ``fontfamily=``.
    """
    from importlib.resources import as_file, files

    import matplotlib as mpl
    from matplotlib import font_manager

    resource = files("rnncourse").joinpath("fonts", "RNNCourseSansSC-Regular.otf")
    if not resource.is_file():
        raise FileNotFoundError("rnncourse ships no fonts/RNNCourseSansSC-Regular.otf; is the package installed completely?")
    if CJK_FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        with as_file(resource) as path:
            font_manager.fontManager.addfont(str(path))
    first = [f for f in mpl.rcParams["font.sans-serif"] if f != CJK_FAMILY][0]
    mpl.rcParams["font.family"] = [first, CJK_FAMILY]
    return CJK_FAMILY
