"""Read a version's reference profile (``gitml.core.profile``) and check it before trusting it.

The profile is a file a pipeline run produced: data, never instructions. Anything that is not the
documented shape (a wrong format or version, a kind gitml does not know, counts that are not whole
numbers, numbers that are not finite, probabilities outside [0, 1], lists of unequal lengths) is
refused with one error naming the file, so a crafted or damaged profile never becomes a verdict.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from gitml.core.profile import (
    CALIBRATION_ROWS,
    EXACT_ROWS,
    FORMAT,
    TEXT_ROWS,
    VERSION,
    series_from,
)
from gitml.errors import DataError
from gitml.monitor.estimate import Calibration

KINDS = ("numeric", "categorical", "text")
#: Rows a profile may claim: beyond, it is not a training set but a crafted number.
MAX_ROWS = 10**12


@dataclass(frozen=True)
class Profile:
    """A checked profile: the stand-in series per feature and per prediction column."""

    name: str
    rows: int
    features: list[str]
    columns: dict[str, pd.Series]
    kinds: dict[str, str]
    prediction: dict[str, pd.Series]
    calibration: Calibration | None


class _Bad(ValueError):
    """A profile that is not the documented shape; the message says where."""


def _require(condition: bool, where: str) -> None:
    if not condition:
        raise _Bad(where)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _finite_numbers(values: Any) -> bool:
    return isinstance(values, list) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values
    )


def _check_entry(name: str, entry: Any) -> None:
    where = f"column {name!r}"
    _require(isinstance(entry, dict) and entry.get("kind") in KINDS, f"{where}: kind")
    _require(_whole(entry.get("rows")) and _whole(entry.get("missing")), f"{where}: rows")
    _require(entry["rows"] <= MAX_ROWS, f"{where}: rows")
    _require(entry["missing"] <= entry["rows"], f"{where}: more missing than rows")
    forms = [key for key in ("values", "counts", "quantiles", "sample") if key in entry]
    _require(len(forms) == 1, f"{where}: exactly one of values, counts, quantiles, sample")
    form, kind = forms[0], entry["kind"]
    if form in ("values", "quantiles"):
        _require(kind == "numeric" and _finite_numbers(entry[form]), f"{where}: {form}")
        _require(len(entry[form]) <= EXACT_ROWS, f"{where}: more than {EXACT_ROWS} {form}")
    elif form == "sample":
        sample = entry["sample"]
        ok = kind == "text" and isinstance(sample, list)
        _require(ok and all(isinstance(t, str) for t in sample), f"{where}: sample")
        _require(len(sample) <= TEXT_ROWS, f"{where}: more than {TEXT_ROWS} texts")
    else:
        counted = entry["counts"]
        _require(isinstance(counted, dict), f"{where}: counts")
        values, counts = counted.get("values"), counted.get("counts")
        ok = isinstance(values, list) and isinstance(counts, list) and len(values) == len(counts)
        _require(ok and all(_whole(c) for c in counts), f"{where}: counts")
        if kind == "numeric":
            _require(_finite_numbers(values), f"{where}: counted values")
        else:
            _require(all(isinstance(v, str) for v in values), f"{where}: counted values")
        _require(sum(counts) <= entry["rows"], f"{where}: counts above the rows")


def _calibration(raw: Any) -> Calibration | None:
    if raw is None:
        return None
    _require(isinstance(raw, dict), "calibration")
    classes, labels, rows = raw.get("classes"), raw.get("labels"), raw.get("probabilities")
    _require(isinstance(classes, list) and len(classes) >= 2, "calibration: classes")
    _require(all(isinstance(c, str) for c in classes), "calibration: classes")
    _require(isinstance(labels, list) and isinstance(rows, list), "calibration: rows")
    _require(len(labels) == len(rows) and len(rows) >= 2, "calibration: rows")
    _require(len(rows) <= CALIBRATION_ROWS, f"calibration: more than {CALIBRATION_ROWS} rows")
    _require(all(isinstance(label, str) for label in labels), "calibration: labels")
    ok = all(
        _finite_numbers(row) and len(row) == len(classes) and all(0 <= v <= 1 for v in row)
        for row in rows
    )
    _require(ok, "calibration: probabilities must be numbers in [0, 1], one per class")
    return Calibration.from_dict(raw)


def parse_profile(text: str, name: str) -> Profile:
    """A checked ``Profile`` from the file's text, else a ``DataError`` naming ``name``."""
    try:
        data = json.loads(text)
        _require(isinstance(data, dict), "not a JSON object")
        _require(data.get("format") == FORMAT, f"format is not {FORMAT!r}")
        _require(data.get("version") == VERSION, f"version is not {VERSION}")
        _require(_whole(data.get("rows")) and data["rows"] <= MAX_ROWS, "rows")
        features, columns = data.get("features"), data.get("columns")
        _require(isinstance(features, list) and isinstance(columns, dict), "features")
        _require(all(isinstance(f, str) and f in columns for f in features), "features")
        prediction = data.get("prediction") or {}
        _require(isinstance(prediction, dict), "prediction")
        for key, entry in [*columns.items(), *prediction.items()]:
            _check_entry(key, entry)
        calibration = _calibration(data.get("calibration"))
    except (ValueError, RecursionError) as error:
        raise DataError(
            f"{name} is not a gitml reference profile ({error}); run the evaluate stage again, "
            'or set [tool.gitml.monitor] use_profile = "never" to read the training data'
        ) from error
    return Profile(
        name=name,
        rows=data["rows"],
        features=list(features),
        columns={f: series_from(columns[f]) for f in features},
        kinds={f: columns[f]["kind"] for f in features},
        prediction={key: series_from(entry) for key, entry in prediction.items()},
        calibration=calibration,
    )


def read_profile(path: Path, name: str) -> Profile:
    """Read and check the profile at ``path`` (``name`` for messages)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"cannot read the reference profile {name} ({error})") from error
    return parse_profile(text, name)


def is_profile(path: Path) -> bool:
    """Whether a local file starts like a reference profile (for ``--reference FILE``)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and FORMAT.encode() in head
