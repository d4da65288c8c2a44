"""Access to the data files installed with the package (``rnncourse/data/files``).

Files are read through :mod:`importlib.resources`, so the loaders work from any
working directory and from an installed wheel; nothing is downloaded.
"""
from __future__ import annotations

from importlib.resources import files


def data_file(*parts: str):
    """The shipped file ``files/<parts...>`` as a :class:`importlib.resources.abc.Traversable`."""
    path = files("rnncourse.data").joinpath("files", *parts)
    if not path.is_file():
        raise FileNotFoundError(f"rnncourse ships no data file {'/'.join(parts)!r}; is the package installed completely?")
    return path


def read_text(*parts: str) -> str:
    """The text of a shipped file, decoded as UTF-8."""
    return data_file(*parts).read_text(encoding="utf-8")


def list_files(*parts: str, suffix: str = "") -> list[str]:
    """Sorted names of the shipped files in the folder ``files/<parts...>`` ending in ``suffix``."""
    folder = files("rnncourse.data").joinpath("files", *parts)
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name.endswith(suffix))
