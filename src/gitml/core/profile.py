"""The reference profile: what ``gitml monitor`` needs of a version's training data, made when the
model is evaluated, so monitoring needs neither that data nor its size at run time.

One JSON file (``FORMAT``), written by the evaluate stage beside the metrics and read by
``gitml monitor --stage`` at the version's commit:

- ``columns``: per feature its kind (``infer_kind``), its row and missing counts, and its values:
  numbers exactly (sorted) up to ``EXACT_ROWS`` non-missing values, else their counts when they
  take at most ``COUNTED_VALUES`` values, else ``EXACT_ROWS`` quantiles (at the midpoints of equal
  shares, each an observed value); categories as counts; text as the ``TEXT_ROWS`` texts the text
  test would pick (``by_hash``).
- ``prediction``: the same for the model's predicted classes and each class's probability on
  the training data (the baseline of prediction drift).
- ``calibration``: the model's probabilities on the evaluation split and its labels (the
  reference of the label-free performance estimate).

This module owns the format and the rules both sides share (what kind a column is, which texts a
test sees); the monitor turns a profile back into one series per column (``columns_from``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FORMAT = "gitml-reference-profile"
VERSION = 1
#: Non-missing numbers kept exactly up to this many; above, this many quantiles stand in.
EXACT_ROWS = 2000
#: Numbers taking at most this many distinct values are kept as exact counts.
COUNTED_VALUES = 50
#: Texts a text test sees per side at most (and so the texts a profile keeps).
TEXT_ROWS = 1000
#: Rows of the evaluation split kept for calibration at most (a seeded sample above).
CALIBRATION_ROWS = 20_000
#: Counted values are repeated into a series of at most this many (shares kept): a distance is
#: unchanged, and above 1000 rows no test uses the row count itself.
MAX_REPEATED = 1_000_000
#: A string column is text when its reference has at least this many distinct values making up
#: at least this share of its rows (free text, not a category).
TEXT_MIN_DISTINCT, TEXT_MIN_SHARE = 20, 0.5


def infer_kind(values: pd.Series) -> str:
    """Numbers (not booleans) are numeric; strings with many distinct values making up most of
    the rows (``TEXT_MIN_DISTINCT``, ``TEXT_MIN_SHARE``) are text; anything else is categorical."""
    is_bool = pd.api.types.is_bool_dtype(values)
    if pd.api.types.is_numeric_dtype(values) and not is_bool:
        return "numeric"
    present = values.dropna()
    if present.empty or pd.api.types.infer_dtype(present, skipna=True) != "string":
        return "categorical"
    count = int(present.nunique())
    is_text = count >= TEXT_MIN_DISTINCT and count >= TEXT_MIN_SHARE * len(present)
    return "text" if is_text else "categorical"


def by_hash(texts: pd.Series, limit: int, seed: int) -> pd.Series:
    """The ``limit`` texts with the smallest seeded hash, in hash order: the same texts whatever
    the order of the rows, and a prefix of this choice for any smaller limit (so a profile that
    keeps this choice gives a test the texts the raw data would)."""
    key = f"gitml{seed:011d}"[-16:]
    texts = texts.reset_index(drop=True)
    hashes = pd.util.hash_pandas_object(texts, index=False, hash_key=key).to_numpy()
    order = np.lexsort((texts.to_numpy(dtype=str), hashes))
    return texts.iloc[order[:limit]].reset_index(drop=True)


def _numbers(values: pd.Series) -> np.ndarray:
    return np.sort(pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float))


def describe_column(values: pd.Series, kind: str, seed: int = 0) -> dict[str, Any]:
    """One column's entry: kind, rows, missing, and its values in the form its kind keeps."""
    present = values.dropna()
    entry: dict[str, Any] = {"kind": kind, "rows": len(values)}
    if kind == "numeric":
        numbers = _numbers(present)
        entry["missing"] = len(values) - len(numbers)
        distinct, counts = np.unique(numbers, return_counts=True)
        if len(numbers) <= EXACT_ROWS:
            entry["values"] = numbers.tolist()
        elif len(distinct) <= COUNTED_VALUES:
            entry["counts"] = {"values": distinct.tolist(), "counts": counts.tolist()}
        else:
            shares = (np.arange(EXACT_ROWS) + 0.5) / EXACT_ROWS
            entry["quantiles"] = np.quantile(numbers, shares, method="inverted_cdf").tolist()
        return entry
    strings = present.astype(str)
    entry["missing"] = len(values) - len(strings)
    if kind == "text":
        entry["sample"] = by_hash(strings, TEXT_ROWS, seed).tolist()
        return entry
    counted = strings.value_counts(sort=False)
    entry["counts"] = {"values": counted.index.tolist(), "counts": counted.tolist()}
    return entry


def build_profile(
    reference: pd.DataFrame,
    features: list[str],
    predictions: dict[str, pd.Series] | None = None,
    calibration: dict[str, Any] | None = None,
    source: str = "",
    seed: int = 0,
) -> dict[str, Any]:
    """The profile of ``reference`` (its ``features``), the model's answers on it
    (``predictions``: ``prediction`` and ``probability[CLASS]`` series) and ``calibration``."""
    columns = {
        name: describe_column(reference[name], infer_kind(reference[name]), seed)
        for name in features
        if name in reference.columns
    }
    prediction = {
        name: describe_column(values, "categorical" if name == "prediction" else "numeric", seed)
        for name, values in (predictions or {}).items()
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "source": source,
        "rows": len(reference),
        "seed": seed,
        "features": [name for name in features if name in reference.columns],
        "columns": columns,
        "prediction": prediction,
        "calibration": calibration,
    }


def calibration_data(
    classes: list[Any], probabilities: np.ndarray, labels: pd.Series, seed: int = 0
) -> dict[str, Any]:
    """The calibration block: the model's probabilities on labelled rows and their labels
    (a seeded sample of ``CALIBRATION_ROWS`` rows above that)."""
    keep = np.arange(len(labels))
    if len(keep) > CALIBRATION_ROWS:
        keep = np.sort(np.random.default_rng(seed).choice(keep, CALIBRATION_ROWS, replace=False))
    return {
        "classes": [str(c) for c in classes],
        "probabilities": np.round(np.asarray(probabilities)[keep], 6).tolist(),
        "labels": [str(label) for label in labels.to_numpy()[keep]],
    }


def write_profile(profile: dict[str, Any], path: Path) -> Path:
    """Write the profile as JSON (no NaN or infinity: they are not JSON)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(profile, allow_nan=False) + "\n", encoding="utf-8")
    return path


def series_from(entry: dict[str, Any]) -> pd.Series:
    """A column's stand-in series: its exact values, its counts repeated, its quantiles or its
    texts, with missing values in the share the data had."""
    kind = entry["kind"]
    if "values" in entry:
        values = np.asarray(entry["values"], dtype=float)
    elif "counts" in entry:
        counted = entry["counts"]
        dtype = float if kind == "numeric" else object
        counts = np.asarray(counted["counts"], dtype=np.int64)
        if counts.sum() > MAX_REPEATED:
            scaled = np.round(counts * (MAX_REPEATED / counts.sum())).astype(np.int64)
            counts = np.where(counts > 0, np.maximum(scaled, 1), 0)
        values = np.repeat(np.asarray(counted["values"], dtype=dtype), counts)
    elif "quantiles" in entry:
        values = np.asarray(entry["quantiles"], dtype=float)
    else:
        values = np.asarray(entry["sample"], dtype=object)
    rows, missing = int(entry["rows"]), int(entry["missing"])
    present = rows - missing
    if missing and present:
        missing = math.ceil(missing * len(values) / present) if len(values) != present else missing
    elif missing:
        missing = rows
    padding = np.full(missing, np.nan if kind == "numeric" else None, dtype=values.dtype)
    return pd.Series(np.concatenate([values, padding]))
