"""``--export-labelled``: logged rows with feedback as rows of the training data, ready to append.

The columns are the training data's own, in its order (the reference's columns: the features and
the target column, named by ``[tool.gitml.monitor] target``). A row whose logged features do not
match the model's (a feature missing or extra, or a number that is not one) is left out and counted,
as are rows whose feedback label (or logged prediction) is not one of the model's classes.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gitml.errors import DataError
from gitml.monitor.flow import MonitorResult
from gitml.monitor.reading import LABEL, ORDER, SCHEMA_OK, TIMESTAMP


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int
    left_out: int


def _matching(labelled: pd.DataFrame, features: list[str], numeric: set[str]) -> pd.Series:
    ok = (
        labelled[SCHEMA_OK].astype(bool)
        if SCHEMA_OK in labelled.columns
        else pd.Series(True, index=labelled.index)
    )
    for name in features:
        if name not in labelled.columns:
            return pd.Series(False, index=labelled.index)
        if name in numeric:
            ok &= pd.to_numeric(labelled[name], errors="coerce").notna()
    return ok


def export_labelled(result: MonitorResult, path: Path, numeric: set[str] | None = None) -> Exported:
    """Write the labelled rows as CSV (atomically); return how many were written and left out."""
    if numeric is None:
        numeric = {f.name for f in result.report.features if f.kind == "numeric"}
    columns = result.columns or [*result.features, result.target]
    if result.target not in columns:
        columns = [*columns, result.target]
    labelled = result.labelled
    if labelled.empty:
        frame = pd.DataFrame(columns=columns)
        left_out = 0
    else:
        by = [c for c in (TIMESTAMP, ORDER) if c in labelled.columns]
        labelled = labelled.sort_values(by, kind="stable") if by else labelled  # oldest first
        ok = _matching(labelled, result.features, numeric)
        rows = labelled[ok].rename(columns={LABEL: result.target})
        left_out = int((~ok).sum())
        missing = [c for c in columns if c not in rows.columns]
        if missing:
            raise DataError(
                f"cannot export: the training data's column(s) {', '.join(missing)} are not in "
                "the logs; set [tool.gitml.monitor] target to the label column's name"
            )
        frame = rows[columns]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    frame.to_csv(temporary, index=False)
    os.replace(temporary, path)
    return Exported(path, len(frame), left_out + result.refused)
