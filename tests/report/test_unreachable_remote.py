"""`gitml run --pull` when the DVC remote cannot be read: name the remote, its URL and the error."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from tests.cli import run_dvc
from tests.projects import Project

PIPELINE = """\
stages:
  copy:
    cmd: cp data.txt out.txt
    deps: [data.txt]
    outs: [out.txt]
"""


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unpulled(project: Project, tmp_path: Path) -> Project:
    """A project whose tracked input and output are in neither the workspace nor the cache."""
    project.write({"data.txt": "hello\n", "dvc.yaml": PIPELINE})
    run_dvc("add", "-q", "data.txt", cwd=project.root, expect=0)
    project.commit("pipeline over tracked data")
    shutil.rmtree(project.root / ".dvc" / "cache", ignore_errors=True)
    (project.root / "data.txt").unlink()
    return project


def set_remote(project: Project, url: str) -> None:
    run_dvc("remote", "add", "-f", "-d", "store", url, cwd=project.root, expect=0)


def error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_local_remote_that_does_not_exist_is_named_with_its_path(unpulled, tmp_path):
    missing = tmp_path / "no-such-store"
    set_remote(unpulled, str(missing))
    result = unpulled.gitml("run", "--pull")
    assert result.returncode == 3, result.stderr
    line = error_line(result)
    assert f"remote 'store' ({missing})" in line
    assert f"the folder {missing} does not exist" in line
    assert "pull it with `gitml run --pull`" not in line


def test_an_http_remote_on_a_closed_port_names_the_connection_error(unpulled):
    url = f"http://127.0.0.1:{closed_port()}/store"
    set_remote(unpulled, url)
    result = unpulled.gitml("run", "--pull")
    assert result.returncode == 3, result.stderr
    line = error_line(result)
    assert f"remote 'store' ({url})" in line
    assert "Cannot connect to host" in line  # the network error itself
    assert "missing data" not in line


def test_a_reachable_remote_that_lacks_the_data_says_so_not_pull_again(unpulled, tmp_path):
    store = tmp_path / "empty-store"
    store.mkdir()
    set_remote(unpulled, str(store))
    result = unpulled.gitml("run", "--pull")
    assert result.returncode == 3, result.stderr
    line = error_line(result)
    assert "missing data" in line and "data.txt" in line
    assert f"just pulled from remote 'store' ({store}), which lacks it" in line
    assert "pull it with `gitml run --pull`" not in line


def test_without_pull_the_hint_is_to_pull(unpulled, tmp_path):
    set_remote(unpulled, str(tmp_path / "store"))
    result = unpulled.gitml("run")
    assert result.returncode == 3, result.stderr
    assert "pull it with `gitml run --pull`" in error_line(result)
