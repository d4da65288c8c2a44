"""The book's house rules, checked: stored form of the chapters, the table of
contents, and that nothing downloads at run time."""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("notebooks", ROOT / "tools" / "notebooks.py")
notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(notebooks)

CHAPTERS = notebooks.chapter_paths()


def toc_files(node) -> list[str]:
    """Every ``file:`` entry of ``_toc.yml``, in order."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root"):
                found.append(value)
            else:
                found += toc_files(value)
    elif isinstance(node, list):
        for item in node:
            found += toc_files(item)
    return found


TOC = toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))


def test_there_are_chapters():
    assert CHAPTERS, "no notebook under chapters/"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_in_stored_form(path):
    """Setup cell in sync with _config.yml, no outputs or counts, python3 kernel."""
    nb = nbformat.read(path, as_version=4)
    assert notebooks.problems(nb, notebooks.setup_source()) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_in_toc(path):
    assert path.relative_to(ROOT).with_suffix("").as_posix() in TOC


@pytest.mark.parametrize("entry", TOC)
def test_toc_entry_exists(entry):
    stem = ROOT / entry
    assert any(stem.with_suffix(s).exists() for s in (".md", ".ipynb")), f"{entry} in _toc.yml has no file"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_name_and_title(path):
    """Chapters are chapters/NN_topic.ipynb and open with '# N. Title'."""
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name)
    nb = nbformat.read(path, as_version=4)
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first_md.source.startswith(f"# {int(path.name[:2])}. ")


# Anything that fetches from the network. The setup cell's pip install is the
# one allowed exception, and only where rnncourse is missing.
NETWORK = re.compile(
    r"urlopen|urlretrieve|urllib\.request|import requests|requests\.(get|post)|http\.client|"
    r"socket\.|wget|curl |torch\.hub|hf_hub|load_dataset\(|download\s*=\s*True|snapshot_download"
)
# In a chapter's code, a URL is a download too (``pd.read_csv("https://...")``);
# the package's docstrings may name where its data came from.
NETWORK_OR_URL = re.compile(NETWORK.pattern + r"|https?://")


def package_sources():
    return sorted((ROOT / "rnncourse").rglob("*.py"))


@pytest.mark.parametrize("path", package_sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_package_does_not_download(path):
    code = "\n".join(line.split("#")[0] for line in path.read_text().splitlines())
    assert not NETWORK.search(code), f"{path}: {NETWORK.search(code).group(0)!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_does_not_download(path):
    nb = nbformat.read(path, as_version=4)
    setup = notebooks.setup_source()
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source != setup:
            code = "\n".join(line.split("#")[0] for line in cell.source.splitlines())
            assert not NETWORK_OR_URL.search(code), f"{path.name}: {NETWORK_OR_URL.search(code).group(0)!r}"


def test_network_pattern_catches_a_download():
    """The guard above is only as good as its pattern."""
    assert NETWORK.search("urllib.request.urlretrieve('https://example.org/x.csv')")
    assert NETWORK.search("datasets.MNIST(root, download=True)")
    assert NETWORK_OR_URL.search("pd.read_csv('https://example.org/x.csv')")
    assert not NETWORK_OR_URL.search("np.loadtxt(path)")


def test_requirements_pin_everything():
    """Every line of requirements.txt is an exact pin, torch included."""
    lines = [l.split("#")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    pins = [l for l in lines if l]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][A-Za-z0-9.+\-]*", p) for p in pins), pins
    assert "torch==2.13.0" in pins


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_front_block(path):
    """Prerequisites, objectives and time, as the syllabus page reads them."""
    front = notebooks.front_matter(nbformat.read(path, as_version=4))
    missing = [k for k in ("prerequisites", "time") if not front[k]] + (["objectives"] if len(front["objectives"]) < 2 else [])
    assert missing == [], f"{path.name}: front block lacks {missing} (see CONTRIBUTING.md, chapter rule 2)"


def printing_hidden_cells(nb) -> list[int]:
    """Indices of code cells whose source the page hides (``remove-input``) but that ``print``:
    the reader would see a bare line of output with nothing to say what it is."""
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            and "remove-input" in cell.metadata.get("tags", []) and re.search(r"^\s*print\(", cell.source, re.M)]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_hidden_cells_do_not_print(path):
    assert printing_hidden_cells(nbformat.read(path, as_version=4)) == []


def test_hidden_print_is_caught():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1\nprint(x)", metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_code_cell("print(2)"),                                        # shown: fine
        nbformat.v4.new_code_cell("glue('x', 1)", metadata={"tags": ["remove-input"]}),  # no output: fine
    ])
    assert printing_hidden_cells(nb) == [0]


PAGE_WIDTH = 79  # characters of shown code and printed output that fit the page without scrolling


def long_code_lines(nb) -> list[str]:
    """Code lines wider than the page, as 'cell N: line'. The setup cell is hidden everywhere."""
    return [f"cell {i}: {line}" for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and "setup" not in cell.metadata.get("tags", [])
            for line in cell.source.splitlines() if len(line) > PAGE_WIDTH]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_code_fits_the_page(path):
    """Shown code fits 79 characters: wider lines hide behind a scroll bar at 1280 px."""
    assert long_code_lines(nbformat.read(path, as_version=4)) == []


def test_long_code_line_is_caught():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1\n" + "y = " + "1 + " * 20 + "1")])
    assert long_code_lines(nb) == [f"cell 0: y = {'1 + ' * 20}1"]


def exercise_mentions(nb, chapter: str) -> list[str]:
    """Problems with the prose's mentions of exercises: each must be a link,
    {numref}`chNN-exK`, to an exercise of this chapter."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    labels = set(re.findall(r":label:\s*(ch\d\d-ex\d+)", text))
    bare = re.sub(r"\{numref\}`[^`]*`", "", text)
    found = [f"not a link: {m.group(0)!r}" for m in re.finditer(r"\b[Ee]xercises?\s+\d+", bare)]
    for label in re.findall(r"\{numref\}`(?:[^`<]*<)?([^`>]+)>?`", text):
        if label.startswith("ch") and "-ex" in label and label not in labels:
            found.append(f"no exercise labelled {label} in this chapter")
    found += [f"label {label} is not of chapter {chapter}" for label in labels if not label.startswith(f"ch{chapter}-")]
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exercise_mentions_are_links_that_resolve(path):
    assert exercise_mentions(nbformat.read(path, as_version=4), path.name[:2]) == []


def test_bad_exercise_mentions_are_caught():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("As exercise 2 shows; see {numref}`ch05-ex1` and {numref}`ch05-ex9`."),
        nbformat.v4.new_markdown_cell(":::{exercise} A\n:label: ch05-ex1\n:::\n:::{exercise} B\n:label: ch04-ex2\n:::"),
    ])
    assert sorted(exercise_mentions(nb, "05")) == sorted([
        "not a link: 'exercise 2'", "no exercise labelled ch05-ex9 in this chapter",
        "label ch04-ex2 is not of chapter 05"])
