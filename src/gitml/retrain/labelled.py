"""Reading the new labelled rows and checking them against the dataset, a file at a time.

A file must have exactly the dataset's columns (in any order; a ``target`` column stands for the
dataset's target column when that is named otherwise), and every value the type of its column:
numbers where the dataset has numbers (whole numbers where it has integers), missing values only
where the dataset has some, and class labels the dataset already knows (a new class cannot be
learned from a few rows and would change what the model predicts). A file that does not match is
refused whole, naming its first bad row; nothing is appended then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gitml.errors import DataError
from gitml.retrain.dataset import Dataset
from gitml.stages.prepare import TARGET_COLUMN

MISSING = {"", "na", "n/a", "nan", "null", "none"}


@dataclass(frozen=True)
class LabelledFile:
    """One ``--data`` file as text: every value a string, as written."""

    path: Path
    rows: pd.DataFrame


@dataclass(frozen=True)
class NewRows:
    """The checked rows of every file, typed as the dataset's columns, in its column order."""

    frame: pd.DataFrame
    #: (file name, rows in it)
    sources: tuple[tuple[str, int], ...]


def read_files(paths: list[Path]) -> list[LabelledFile]:
    """Read each file as text; an empty file (no bytes, or a header only) has no rows."""
    files = []
    for path in paths:
        try:
            rows = pd.read_csv(path, dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            rows = pd.DataFrame()
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
            raise DataError(f"cannot read the labelled file {path}: {error}") from None
        files.append(LabelledFile(Path(path), rows))
    return files


def check(files: list[LabelledFile], existing: pd.DataFrame, dataset: Dataset) -> NewRows:
    """Every file's rows typed as ``existing``'s columns; a mismatch is a ``DataError``."""
    frames, sources = [], []
    for labelled in files:
        if labelled.rows.empty:
            sources.append((labelled.path.name, 0))
            continue
        rows = _columns(labelled, existing, dataset)
        frames.append(_typed(labelled, rows, existing, dataset))
        sources.append((labelled.path.name, len(rows)))
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else existing.iloc[0:0].reset_index(drop=True)
    )
    return NewRows(frame=frame, sources=tuple(sources))


def _columns(labelled: LabelledFile, existing: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    rows = labelled.rows
    expected = [str(c) for c in existing.columns]
    if dataset.target != TARGET_COLUMN and dataset.target not in rows.columns:
        rows = rows.rename(columns={TARGET_COLUMN: dataset.target})
    missing = [c for c in expected if c not in rows.columns]
    extra = [str(c) for c in rows.columns if c not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {_names(missing)}")
        if extra:
            parts.append(f"unknown {_names(extra)}")
        raise DataError(
            f"{labelled.path} is refused: its columns do not match the dataset {dataset.path} "
            f"({'; '.join(parts)}); export it with the training data's columns"
        )
    return rows[expected]


def _names(columns: list[str]) -> str:
    shown = ", ".join(columns[:5])
    return shown + (f" and {len(columns) - 5} more" if len(columns) > 5 else "")


def _typed(
    labelled: LabelledFile, rows: pd.DataFrame, existing: pd.DataFrame, dataset: Dataset
) -> pd.DataFrame:
    """Convert row by row so the first bad row (not the first bad column) is the one named."""
    converters = {
        column: _converter(existing[column], column == dataset.target) for column in rows.columns
    }
    values: dict[str, list] = {column: [] for column in rows.columns}
    for index, record in enumerate(rows.itertuples(index=False, name=None)):
        for column, raw in zip(rows.columns, record, strict=True):
            try:
                values[column].append(converters[column](raw))
            except ValueError as problem:
                raise DataError(
                    f"{labelled.path} is refused: row {index + 1} (line {index + 2}), column "
                    f"{column!r}: {raw!r} {problem}; fix or remove that row, nothing was appended"
                ) from None
    return pd.DataFrame(
        {column: pd.Series(values[column], dtype=existing[column].dtype) for column in rows},
    )


def _converter(column: pd.Series, is_target: bool):
    kind = column.dtype.kind
    allows_missing = bool(column.isna().any())
    known = set(column.dropna().tolist()) if is_target and kind in "iubO" else None

    def convert(raw: str):
        text = raw.strip()
        if text.lower() in MISSING:
            if allows_missing:
                return None if kind == "O" else math.nan
            raise ValueError("is missing, and this column has no missing values")
        value: Any
        if kind in "iuf":
            value = _number(text, whole=kind in "iu")
        elif kind == "b":
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError("is not true or false")
            value = text.lower() in ("true", "1")
        else:
            value = text
        if known is not None and value not in known:
            shown = ", ".join(repr(v) for v in sorted(known, key=str)[:10])
            raise ValueError(f"is not a class the dataset knows ({shown})")
        return value

    return convert


def _number(text: str, whole: bool) -> float | int:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("is not a number") from None
    if not math.isfinite(value):
        raise ValueError("is not a finite number")
    if whole:
        if not float(value).is_integer():
            raise ValueError("is not a whole number, and this column holds integers")
        return int(np.int64(value))
    return value
