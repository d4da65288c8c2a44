"""The environment files: exact pins, PyTorch's CPU build, Python 3.11+, and a
Binder environment with only what the chapters need, pinned as the course is."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"


def lines(path: Path) -> list[str]:
    return [l.split("#")[0].strip() for l in path.read_text().splitlines() if l.split("#")[0].strip()]


def pins(path: Path) -> dict[str, str]:
    found = dict(re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", l).groups() for l in lines(path) if "==" in l)
    return {name.lower(): version for name, version in found.items()}


def test_torch_comes_from_the_cpu_index_and_is_pinned_alike():
    torch_file = lines(ROOT / "requirements-torch.txt")
    assert torch_file == [CPU_INDEX, "torch==2.13.0"]
    assert pins(ROOT / "requirements.txt")["torch"] == "2.13.0"
    makefile = (ROOT / "Makefile").read_text()
    assert makefile.index("-r requirements-torch.txt") < makefile.index("-r requirements.txt")


def test_python_311_everywhere():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert "3.11+" in (ROOT / "README.md").read_text()
    assert not re.search(r"Python 3\.10", (ROOT / "README.md").read_text())
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_binder_installs_the_package_and_only_what_chapters_need_pinned_as_the_course():
    binder = lines(ROOT / "binder" / "requirements.txt")
    assert CPU_INDEX in binder and "." in binder
    binder_pins, course = pins(ROOT / "binder" / "requirements.txt"), pins(ROOT / "requirements.txt")
    assert all(course.get(name) == version for name, version in binder_pins.items()), binder_pins
    runtime = {re.split(r"[<>=!~ ]", d)[0].lower()
               for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    assert runtime <= set(binder_pins), f"package dependencies missing from binder: {runtime - set(binder_pins)}"
    assert not {"jupyter-book", "pytest", "nbval", "selenium", "sphinx"} & set(binder_pins)
