"""The built wheel ships the data, and the loaders read them from an installed copy.

Builds a wheel from a snapshot of the sources (so the build leaves nothing in
the repository), installs it without dependencies into a fresh venv, and runs
the loaders there from a temporary working directory. The fresh venv sees
torch and numpy through a ``.pth`` line naming the project venv's
site-packages (``--system-site-packages`` would expose the base interpreter's
packages, which lack torch); ``.pth`` files inside that directory are not run,
so the editable install of ``rnncourse`` stays invisible, and the test checks
that the ``rnncourse`` imported is the one installed in the new venv.
About 10-20 s.
"""
import json
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import json, sys
import rnncourse, rnncourse.data as rd
dates, values = rd.load_sunspots()
names, labels, classes = rd.load_names()
text = rd.load_shakespeare()
digits = rd.load_spoken_digits(speakers="theo", takes=[0, 49])
from rnncourse.book import use_cjk_font
pairs = rd.load_tatoeba_cmn()
import matplotlib; matplotlib.use("Agg"); from matplotlib import font_manager
cjk = font_manager.findfont(font_manager.FontProperties(family=use_cjk_font()), fallback_to_default=False)
print(json.dumps({"file": rnncourse.__file__, "prefix": sys.prefix, "sunspots": len(values),
                  "first_month": str(dates[0]), "names": len(names), "classes": len(classes),
                  "chars": len(text), "readme": rd._files.data_file("README.md").is_file(),
                  "recordings": len(digits.waveforms), "samples": int(sum(map(len, digits.waveforms))),
                  "pairs": len(pairs), "attribution": pairs[0].attribution, "cjk_font": cjk}))
"""


def run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "rnncourse", src / "rnncourse", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp / "dist", src])
    (path,) = (tmp / "dist").glob("rnncourse-*.whl")
    return path


def test_wheel_holds_the_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "rnncourse" / "data" / "files").rglob("*") if p.is_file()}
    assert "rnncourse/data/files/tatoeba-cmn.txt.xz" in shipped and len(shipped) >= 4 + 18
    assert "rnncourse/data/files/fsdd-mulaw.npz" in shipped
    assert shipped <= names, sorted(shipped - names)
    fonts = {p.relative_to(ROOT).as_posix() for p in (ROOT / "rnncourse" / "fonts").iterdir()}
    assert len(fonts) == 3 and fonts <= names, sorted(fonts - names)      # the CJK font, its licence, README


def test_installed_wheel_loads_every_data_set(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    purelib = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    (purelib / "project_venv.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel])
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    out = json.loads(run([python, "-c", CHECK], cwd=workdir, env={"PATH": "/usr/bin:/bin"}).strip().splitlines()[-1])
    assert Path(out["file"]).is_relative_to(venv) and Path(out["prefix"]) == venv, out
    assert not Path(out["file"]).is_relative_to(ROOT / "rnncourse")
    assert out["sunspots"] == 2820 and out["first_month"] == "1749-01"
    assert out["names"] == 20074 and out["classes"] == 18
    assert out["chars"] == 1_115_394 and out["readme"]
    assert out["recordings"] == 20 and out["samples"] == 53_306
    assert out["pairs"] == 29155 and out["attribution"].startswith("CC-BY 2.0 (France) Attribution: tatoeba.org #")
    assert Path(out["cjk_font"]).is_relative_to(venv) and out["cjk_font"].endswith(".otf"), out["cjk_font"]
