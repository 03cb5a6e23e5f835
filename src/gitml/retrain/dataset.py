"""Which file new labelled rows go into, how it is laid out, and reading it as a frame.

The dataset is, in order: ``--dataset``, ``[tool.gitml.retrain] dataset``, else the one
DVC-tracked file or folder the pipeline depends on (a folder must hold exactly one CSV file). It
must be tracked by a ``.dvc`` file: a stage's output is made by the pipeline, not appended to.
Its layout comes from ``params.yaml``'s ``data:`` section when that names the same file (gitml's
stages: ``format: csv`` or ``sklearn``, ``feature_names``); any other file is a CSV with a header
row. Its target column is ``[tool.gitml.retrain] target``, else ``params.yaml``'s ``data.target``
when that section names the file; with neither, gitml asks for one (a user's dataset has its own
target, which gitml does not guess). The sklearn layout has no header: its last column is the
target, named so in the frame.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from gitml import dvc_adapter
from gitml.config import Settings
from gitml.dvc_adapter import TrackedData
from gitml.errors import ConfigError, DataError

#: pandas 3 parses floats exactly by default and deprecates the option; older ones need it, or a
#: row read back can differ from the same row in a labelled file in its last digit
EXACT_FLOATS = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


@dataclass(frozen=True)
class Dataset:
    """The data file and its layout, paths relative to the project root."""

    path: str
    tracked: TrackedData
    #: "csv" (a header row) or "sklearn" (scikit-learn's bundled layout: a count row, no names)
    format: str = "csv"
    #: the target column (in the sklearn layout, the name given to the file's last column)
    target: str = "target"
    feature_names: str | None = None


def _norm(path: str) -> str:
    return posixpath.normpath(Path(path).as_posix()).removeprefix("./")


def find_tracked(root: Path, explicit: str | None, settings: Settings) -> tuple[TrackedData, str]:
    """The ``.dvc``-tracked output holding the dataset, and the dataset's path ("" when the output
    is a folder whose one CSV file is found after checkout)."""
    tracked = dvc_adapter.tracked_data(root)
    wanted = explicit or settings.retrain.dataset
    if wanted:
        path = _norm(wanted)
        for item in tracked:
            if path == item.output or path.startswith(item.output + "/"):
                return item, path
        where = "--dataset" if explicit else "[tool.gitml.retrain] dataset"
        raise ConfigError(
            f"{where} {path} is not tracked by DVC (no .dvc file holds it); track it with "
            f"`dvc add {path}` and commit the .dvc file, or name a tracked file"
        )
    deps = dvc_adapter.pipeline_dependencies(root)
    candidates = [
        item
        for item in tracked
        if any(dep == item.output or dep.startswith(item.output + "/") for dep in deps)
    ]
    if len(candidates) != 1:
        found = ", ".join(item.output for item in candidates) or "none"
        raise ConfigError(
            f"cannot tell which dataset to append to (DVC-tracked data the pipeline depends "
            f'on: {found}); set [tool.gitml.retrain] dataset = "data/FILE.csv" or pass --dataset'
        )
    item = candidates[0]
    return item, "" if item.is_dir else item.output


def resolve(work: Path, tracked: TrackedData, path: str, settings: Settings) -> Dataset:
    """The dataset in a checkout whose data is present: its file and layout."""
    if not path:
        csvs = sorted(p for p in (work / tracked.output).rglob("*.csv") if p.is_file())
        if len(csvs) != 1:
            names = ", ".join(p.relative_to(work).as_posix() for p in csvs) or "none"
            raise ConfigError(
                f"{tracked.output}/ holds {len(csvs)} CSV files ({names}); name the one to "
                'append to with [tool.gitml.retrain] dataset = "..." or --dataset'
            )
        path = csvs[0].relative_to(work).as_posix()
    if not (work / path).is_file():
        raise DataError(f"dataset {path} is not a file in {tracked.dvc_file}'s data")
    return _layout(work, path, tracked, settings)


def _layout(work: Path, path: str, tracked: TrackedData, settings: Settings) -> Dataset:
    data = _params_data(work)
    ours = data if data and _norm(str(data.get("path", ""))) == path else {}
    target = settings.retrain.target or ours.get("target")
    if not isinstance(target, str) or not target:
        raise ConfigError(
            f"cannot tell the target column of the dataset {path}: set [tool.gitml.retrain] "
            'target = "COLUMN" in pyproject.toml (or data.target in params.yaml)'
        )
    fmt = ours.get("format", "csv")
    if fmt not in ("csv", "sklearn"):
        raise ConfigError(f"params.yaml data.format {fmt!r}: gitml retrain reads csv, sklearn")
    names = ours.get("feature_names")
    return Dataset(
        path=path,
        tracked=tracked,
        format=fmt,
        target=target,
        feature_names=_norm(str(names)) if fmt == "sklearn" and names else None,
    )


def _params_data(work: Path) -> dict | None:
    params = work / "params.yaml"
    try:
        loaded = yaml.safe_load(params.read_text(encoding="utf-8")) if params.is_file() else None
    except yaml.YAMLError:
        return None
    data = loaded.get("data") if isinstance(loaded, dict) else None
    return data if isinstance(data, dict) else None


def read(work: Path, dataset: Dataset) -> pd.DataFrame:
    """The dataset as a frame with the columns as the file names them (sklearn: the feature
    names file, then ``target``). Floats are parsed exactly, so duplicates compare equal."""
    path = work / dataset.path
    try:
        if dataset.format == "sklearn":
            names = _feature_names(work, dataset)
            frame = pd.read_csv(path, skiprows=1, header=None, **EXACT_FLOATS)
            if frame.shape[1] != len(names) + 1:
                raise DataError(
                    f"{dataset.path} has {frame.shape[1] - 1} feature columns but "
                    f"{dataset.feature_names} names {len(names)}; they must match"
                )
            frame.columns = [*names, dataset.target]
        else:
            frame = pd.read_csv(path, **EXACT_FLOATS)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise DataError(f"cannot read the dataset {dataset.path}: {error}") from None
    if dataset.target not in frame.columns:
        raise ConfigError(
            f"the dataset {dataset.path} has no target column {dataset.target!r}; set "
            "[tool.gitml.retrain] target (or data.target in params.yaml)"
        )
    return frame


def _feature_names(work: Path, dataset: Dataset) -> list[str]:
    names_file = work / (dataset.feature_names or "")
    if not dataset.feature_names or not names_file.is_file():
        raise DataError(
            f"feature names file {dataset.feature_names} not found; set data.feature_names"
        )
    text = names_file.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]
