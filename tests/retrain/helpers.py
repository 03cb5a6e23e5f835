"""What the retraining tests share besides fixtures: the repository's names, the environment
for the GitHub emulation, and labelled rows near the real ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gitml.github_emulator import GitHubEmulator
from gitml.retrain.dataset import EXACT_FLOATS

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
