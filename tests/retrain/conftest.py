"""The demo's repository as a retraining starts from it: the reference project on main, trained,
its data, model and run-cache on a local DVC remote, origin a bare repository; copied per test."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from gitml.demo import steps
from gitml.demo.folder import DemoFolder
from gitml.demo.progress import Progress
from gitml.github_emulator import GitHubEmulator
from tests.retrain.helpers import (
    REPOSITORY,
    TOKEN,
    World,
)


@pytest.fixture(scope="session")
def reference_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once (the baseline trains a forest): create the repository, train on main, push."""
    home = tmp_path_factory.mktemp("retrain-home")
    folder = DemoFolder(tmp_path_factory.mktemp("retrain-world") / "demo")
    folder.root.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("DVC_NO_ANALYTICS", "1")
        patch.setenv("DVC_SITE_CACHE_DIR", str(home / ".dvc-site"))
        for role in ("AUTHOR", "COMMITTER"):
            patch.setenv(f"GIT_{role}_NAME", "gitml tests")
            patch.setenv(f"GIT_{role}_EMAIL", "tests@gitml.invalid")
        context = steps.Context(folder, Progress(stream=io.StringIO(), tick=False), print)
        steps.create_repository(context)
        steps.baseline(context)
    return folder.root


@pytest.fixture
def world(reference_world: Path, tmp_path: Path) -> World:
    root = tmp_path / "world"
    shutil.copytree(reference_world, root, symlinks=True)
    return World(root)


@pytest.fixture
def github(world: World):
    with GitHubEmulator() as emulator:
        emulator.add_token(TOKEN)
        emulator.add_repo(REPOSITORY)
        emulator.link_git(REPOSITORY, str(world.origin))
        yield emulator
