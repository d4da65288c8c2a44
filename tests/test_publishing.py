"""Publishing: the GitHub Actions workflow builds the book with the README's
command and deploys it to GitHub Pages; actionlint finds nothing wrong with it."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if not found:
        pytest.fail("actionlint is not installed: it is pinned in requirements.txt (make venv)")
    return found


def lint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", str(path)], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("path", sorted((ROOT / ".github" / "workflows").glob("*.yml")), ids=lambda p: p.name)
def test_workflow_passes_actionlint(path):
    result = lint(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs-on: ubuntu-lastest", 1)
                      .replace("${{ steps.deployment.outputs.page_url }}", "${{ steps.deploy.outputs.page_url }}"))
    result = lint(broken)
    assert result.returncode != 0
    assert "ubuntu-lastest" in result.stdout and "deploy" in result.stdout


def test_workflow_builds_with_the_readme_command_and_deploys_the_html():
    flow = yaml.safe_load(WORKFLOW.read_text())
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads the key `on` as True
    assert on["push"]["branches"] == ["main"]
    readme_build = re.search(r"^make book\b", (ROOT / "README.md").read_text(), re.M)
    assert readme_build, "the README names `make book` as the build command"
    build = flow["jobs"]["build"]["steps"]
    assert any(step.get("run", "").strip() == "make book" for step in build)
    python = next(step for step in build if step.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    upload = next(step for step in build if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(step.get("uses", "").startswith("actions/deploy-pages") for step in deploy["steps"])
    assert flow["permissions"] == {"contents": "write", "pages": "write", "id-token": "write"}


def test_workflow_publishes_learner_notebooks_where_the_launch_buttons_point():
    """The Colab and Binder buttons open `repository.branch`; the workflow puts the
    learner notebooks there, over the chapters, with the student notebooks beside."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]["steps"]
    script = next(step["run"] for step in steps if "make learner" in step.get("run", ""))
    branch = config["repository"]["branch"]
    assert f"git checkout -B {branch}" in script and f"git push --force origin {branch}" in script
    assert "cp learner/*.ipynb chapters/" in script
    on = yaml.safe_load(WORKFLOW.read_text()).get("on") or yaml.safe_load(WORKFLOW.read_text())[True]
    assert branch not in on["push"]["branches"], "the generated branch must not trigger a build of itself"


def test_the_learner_step_commits_the_student_notebooks_that_gitignore_hides(tmp_path):
    """The step's `git add` and `git commit` lines, run in a repository with this
    project's .gitignore (which ignores student/): both folders are committed."""
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]["steps"]
    script = next(step["run"] for step in steps if "make learner" in step.get("run", ""))
    lines = [line.strip() for line in script.splitlines()
             if line.strip().startswith(("git add", "git commit"))]
    assert lines, "the learner step commits nothing"

    def git(*args):
        return subprocess.run(["git", *args], cwd=tmp_path, capture_output=True, text=True)

    git("init", "-q")
    git("config", "user.name", "test"), git("config", "user.email", "test@example.org")
    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    for folder in ("chapters", "student"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "01_a.ipynb").write_text("{}")
    for line in lines:
        done = subprocess.run(line, shell=True, cwd=tmp_path, capture_output=True, text=True,
                              env={"GITHUB_SHA": "0" * 40, "PATH": "/usr/bin:/bin"})
        assert done.returncode == 0, f"{line!r} fails: {done.stderr.strip()}"
    committed = git("ls-files").stdout.split()
    assert {"chapters/01_a.ipynb", "student/01_a.ipynb"} <= set(committed), committed
