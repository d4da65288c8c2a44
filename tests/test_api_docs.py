"""The API reference covers every public name, and every public name has a docstring."""
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
API = (ROOT / "api.md").read_text()
DOCUMENTED = re.findall(r"\.\. automodule:: (\S+)", API)


def public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, obj in vars(module).items()
                 if not n.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
                 and obj.__module__ == module.__name__]
    return names


PUBLIC = [(m, n) for m in DOCUMENTED for n in public_names(importlib.import_module(m)) if not n.startswith("__")]


def test_every_subpackage_is_in_the_reference():
    modules = {p.stem for p in (ROOT / "rnncourse").iterdir()
               if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").exists())}
    assert {f"rnncourse.{m}" for m in modules} <= set(DOCUMENTED)


@pytest.mark.parametrize("module, name", PUBLIC, ids=[f"{m}.{n}" for m, n in PUBLIC])
def test_public_name_has_a_docstring(module, name):
    obj = getattr(importlib.import_module(module), name)
    doc = inspect.getdoc(obj)
    assert doc and len(doc) > 20, f"{module}.{name} has no docstring"
    if inspect.isclass(obj):
        for method in ("forward", "backward", "step", "sample"):
            if method in vars(obj) or any(method in vars(base) for base in obj.__mro__[1:-1]):
                assert inspect.getdoc(getattr(obj, method)), f"{module}.{name}.{method} has no docstring"
