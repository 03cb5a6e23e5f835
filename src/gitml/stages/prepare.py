"""``prepare``: read the raw dataset, select features, split into train and test sets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gitml.errors import ConfigError, DataError
from gitml.stages.params import section
from gitml.stages.splits import TARGET_COLUMN, check_numeric


def read_dataset(data: dict) -> pd.DataFrame:
    """Read the raw data as a frame with named feature columns and a ``target`` column.

    ``format: csv`` reads a CSV with a header row. ``format: sklearn`` reads scikit-learn's bundled
    layout (first row: sample count, feature count, class names), naming columns from the
    ``feature_names`` file (one name a line).
    """
    path = Path(data.get("path", ""))
    if not path.is_file():
        raise DataError(
            f"dataset {path} not found; run `gitml run --pull` (or `dvc pull`) to fetch it"
        )
    fmt = data.get("format", "csv")
    if fmt == "csv":
        frame = pd.read_csv(path)
        target = data.get("target", TARGET_COLUMN)
        if target not in frame.columns:
            raise ConfigError(f"target column {target!r} is not in {path}; set data.target")
        return frame.rename(columns={target: TARGET_COLUMN})
    if fmt == "sklearn":
        names_file = Path(data.get("feature_names", ""))
        if not names_file.is_file():
            raise DataError(f"feature names file {names_file} not found; set data.feature_names")
        names = [line.strip() for line in names_file.read_text().splitlines() if line.strip()]
        frame = pd.read_csv(path, skiprows=1, header=None)
        if frame.shape[1] != len(names) + 1:
            raise DataError(
                f"{path} has {frame.shape[1] - 1} feature columns but {names_file} names "
                f"{len(names)}; they must match"
            )
        frame.columns = [*names, TARGET_COLUMN]
        return frame
    raise ConfigError(f"data.format {fmt!r} is not supported; use csv or sklearn")


def prepare(params: dict, out_dir: Path | str = "prepared") -> tuple[Path, Path]:
    """Write ``train.csv`` and ``test.csv`` under ``out_dir``; return their paths."""
    # sklearn.model_selection imports sklearn.metrics and most of scikit-learn (about 0.15 s):
    # imported for the split itself, part of the stage's work, not its start-up (bench/stages.py)
    from sklearn.model_selection import train_test_split

    data = section(params, "data")
    settings = params.get("prepare", {}) or {}
    frame = read_dataset(data)
    features = settings.get("features") or [c for c in frame.columns if c != TARGET_COLUMN]
    missing = sorted(set(features) - set(frame.columns))
    if missing:
        raise ConfigError(f"prepare.features names unknown columns: {', '.join(missing)}")
    frame = frame[[*features, TARGET_COLUMN]]
    check_numeric(frame[features], data.get("path", ""))
    train, test = train_test_split(
        frame,
        test_size=settings.get("test_size", 0.25),
        random_state=settings.get("seed", 0),
        stratify=frame[TARGET_COLUMN] if settings.get("stratify", True) else None,
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    train_path, test_path = out / "train.csv", out / "test.csv"
    train.to_csv(train_path, index=False)
    test.to_csv(test_path, index=False)
    return train_path, test_path
