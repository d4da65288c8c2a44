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
