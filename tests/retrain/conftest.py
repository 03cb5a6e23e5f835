"""The demo's repository as a retraining starts from it: the reference project on main, trained,
its data, model and run-cache on a local DVC remote, origin a bare repository; copied per test."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from gitml.demo import steps
from gitml.demo.folder import DemoFolder
from gitml.demo.progress import Progress
from gitml.retrain.dataset import EXACT_FLOATS
from gitml.testing.github_emulator import GitHubEmulator

REPOSITORY = "octo/cancer"
TOKEN = "ghs_retrain000000000000000000000000000000"
DATE = "2026-11-29"
BRANCH = f"gitml/retrain/classifier-{DATE}"


@dataclass
class World:
    root: Path

    @property
    def workspace(self) -> Path:
        return self.root / "workspace"

    @property
    def origin(self) -> Path:
        return self.root / "origin.git"

    @property
    def dvc_remote(self) -> Path:
        return self.root / "dvc-remote"

    def dataset(self, root: Path | None = None) -> pd.DataFrame:
        """The dataset with its named columns, floats read exactly (as gitml retrain reads them)."""
        data = (root or self.workspace) / "data"
        names = (data / "breast_cancer_features.txt").read_text().split()
        frame = pd.read_csv(data / "breast_cancer.csv", skiprows=1, header=None, **EXACT_FLOATS)
        frame.columns = [*names, "target"]
        return frame


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


def env_for(github: GitHubEmulator) -> dict[str, str]:
    return {
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_TOKEN": TOKEN,
        "GITML_GITHUB_RETRIES": "1",
        "GITML_GITHUB_WRITE_INTERVAL": "0",
    }


def labelled_rows(world: World, count: int, seed: int, duplicates: int = 0) -> pd.DataFrame:
    """``count`` new rows near real ones (features nudged, labels kept), then ``duplicates`` rows
    copied from the dataset as they are."""
    frame = world.dataset()
    sample = frame.sample(count, random_state=seed).reset_index(drop=True)
    features = [c for c in frame.columns if c != "target"]
    noise = pd.DataFrame(
        (1 + 0.01 * pd.Series(range(1, count + 1)).values[:, None] / count)
        * sample[features].to_numpy(),
        columns=features,
    ).round(6)
    rows = pd.concat([noise, sample[["target"]]], axis=1)
    copies = frame.sample(duplicates, random_state=seed + 1) if duplicates else frame.iloc[0:0]
    return pd.concat([rows, copies], ignore_index=True)


def write_labelled(path: Path, rows: pd.DataFrame) -> Path:
    rows.to_csv(path, index=False)
    return path
