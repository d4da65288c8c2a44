"""The scripts under tools/ and benchmarks/, imported by the tests as modules."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load(name: str, path: Path):
    """Import the file ``path`` as a module called ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tool(name: str):
    """``tools/<name>.py`` as a module."""
    return load(name, ROOT / "tools" / f"{name}.py")


def executed_or_skip(path: Path, book_stamp=None) -> None:
    """For a test of what the last clean ``make book`` made of the chapter ``path``:
    skip when no build since saw the chapter and package as they are now, fail
    when the build saw them and did not execute the chapter (tools/book_stamp.py,
    ``build_status``: in CI, which builds and then tests, a skip would hide it)."""
    import pytest

    status = (book_stamp or tool("book_stamp")).build_status(path)
    if status == "missed":
        pytest.fail(f"{path.name}: the last make book had this source and package in its toc but did not "
                    "execute it as it is (no executed copy in _build/jupyter_execute, or one with other "
                    "code); run make book again")
    if status == "stale":
        pytest.skip(f"{path.name}: the last clean book build did not execute this source and package (make book)")
