"""Fixtures every test folder may use. Every test runs isolated from the host: a temporary HOME,
no system or global git config, no real tokens (``isolated_host``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

# This machine's environment sets PYTHONDONTWRITEBYTECODE, under which every gitml, dvc and act
# job process a test starts compiled DVC, pandas and scikit-learn from source again (about 6 s a
# process; tests/report took twice as long). Bytecode is written once, next to the sources.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from tests import forkserver
from tests.cli import CliResult
from tests.helpers import isolate
from tests.projects import Project, new_project


def slow_minutes(item: pytest.Item) -> float:
    """The minutes a test's module declares with ``pytest.mark.slow(minutes=N)``; 0 if not slow."""
    marker = item.get_closest_marker("slow")
    return 0 if marker is None else marker.kwargs.get("minutes", 1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest modules first (a stable sort: a module's tests keep their order), so the
    other core works through the short tests meanwhile instead of waiting at the end."""
    items.sort(key=lambda item: -slow_minutes(item))


def pytest_sessionfinish() -> None:
    """Stop this worker's fork server (tests/forkserver.py), if a test started it."""
    forkserver.stop()


@pytest.fixture(autouse=True)
def isolated_host(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Run each test with a fresh HOME and git identity, and without the runner's GitHub context."""
    home = tmp_path_factory.mktemp("home")
    isolate(monkeypatch, home)
    return home


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A git repository with DVC initialised, in ``tmp_path/project``."""
    return new_project(tmp_path / "project")


@pytest.fixture
def gitml_main(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``gitml ARGS`` in this process through ``gitml.cli.main``: its exit code and streams
    (faster than ``tests.cli.run_gitml``, and monkeypatching reaches the code it runs)."""
    from gitml.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exit_:  # as a process would exit: None is 0, a message 1
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
        out, err = capsys.readouterr()
        return CliResult(("gitml", *args), code, out, err)

    return run


# Chromium for every test that opens an HTML page gitml writes (see tests/browser.py), mmdc for
# Mermaid (tests/mermaid_cli.py), actionlint for workflows (tests/linters.py).
from tests.browser import browser  # noqa: E402, F401
from tests.linters import actionlint  # noqa: E402, F401
from tests.mermaid_cli import mmdc  # noqa: E402, F401
