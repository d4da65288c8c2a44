"""Shared test settings."""
import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def one_thread():
    """Tiny models train fastest on one thread; on a busy CPU, more threads spin and crawl."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def pytest_collection_modifyitems(session, config, items):
    """Each chapter executes at most twice in CI: the book build, then the student
    version. nbval re-runs a chapter only when the last clean book build did not run
    exactly this source with exactly this package (see tools/book_stamp.py)."""
    import os
    from pathlib import Path

    if os.environ.get("RNNCOURSE_NBVAL_ALL") == "1":
        return
    from _tools import tool

    stamp = tool("book_stamp")
    done = {}
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb" and path.parent.name == "chapters":
            if path not in done:
                done[path] = stamp.executed_by_book(path)
    skip = {path for path, executed in done.items() if executed}
    if skip:
        kept = [item for item in items if Path(str(item.fspath)) not in skip]
        config.hook.pytest_deselected(items=[item for item in items if Path(str(item.fspath)) in skip])
        items[:] = kept
        config._rnncourse_executed_by_book = sorted(p.name for p in skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    names = getattr(config, "_rnncourse_executed_by_book", [])
    if names:
        terminalreporter.write_line(
            f"nbval: {len(names)} chapters not re-run, the last book build executed this exact "
            f"code and package without an error: {', '.join(names)} (RNNCOURSE_NBVAL_ALL=1 runs them)")
