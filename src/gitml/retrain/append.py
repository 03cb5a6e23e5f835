"""Appending the new rows: duplicates dropped and counted, the file replaced in one move.

The dataset is copied byte for byte to a temporary file next to it, the new rows are appended,
and the temporary file replaces the dataset (``os.replace``): a crash leaves the old file or the
new one, never half of it. Replacing also leaves DVC's cache alone when the checkout links the
file to it (``cache.type`` hardlink or symlink), where an in-place append would corrupt the cache.
"""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gitml.errors import DataError
from gitml.retrain.dataset import Dataset


@dataclass(frozen=True)
class Appended:
    """What appending did to the dataset."""

    added: int
    #: new rows equal to a row already in the dataset
    duplicates: int
    #: new rows equal to an earlier new row (the same row in two files, or twice in one)
    repeated: int
    rows_before: int

    @property
    def rows_after(self) -> int:
        return self.rows_before + self.added


def unique_new_rows(existing: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """``new`` without rows already in ``existing`` or repeated; and how many of each went."""
    if new.empty:
        return new, 0, 0
    known = set(pd.util.hash_pandas_object(existing, index=False).tolist())
    hashes = pd.util.hash_pandas_object(new, index=False)
    present = hashes.isin(known)
    repeated = hashes.duplicated() & ~present
    keep = ~present & ~repeated
    return new[keep.to_numpy()].reset_index(drop=True), int(present.sum()), int(repeated.sum())


def append_rows(
    work: Path, dataset: Dataset, existing: pd.DataFrame, new: pd.DataFrame
) -> Appended:
    """Append the rows of ``new`` not already present to the dataset file in ``work``."""
    rows, duplicates, repeated = unique_new_rows(existing, new)
    result = Appended(len(rows), duplicates, repeated, rows_before=len(existing))
    if rows.empty:
        return result
    path = work / dataset.path
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(path, "rb") as source, os.fdopen(handle, "wb") as target:
            newline = _newline(source)
            if dataset.format == "sklearn":
                target.write(_count_row(source.readline(), result.rows_after, dataset.path))
            shutil.copyfileobj(source, target)
            if _lacks_final_newline(path):
                target.write(newline.encode())
            target.write(_csv(rows, newline).encode("utf-8"))
            target.flush()
            os.fsync(target.fileno())
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result


def _newline(source) -> str:
    first = source.readline()
    source.seek(0)
    return "\r\n" if first.endswith(b"\r\n") else "\n"


def _lacks_final_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() == 0:
            return False
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"


def _count_row(line: bytes, rows: int, name: str) -> bytes:
    """scikit-learn's first row (``samples,features,class names``) with the new sample count."""
    text = line.decode("utf-8")
    first, _, rest = text.partition(",")
    if not first.strip().isdigit():
        raise DataError(f"{name}'s first row {text.strip()!r} does not start with a row count")
    return f"{rows},{rest}".encode()


def _csv(rows: pd.DataFrame, newline: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    for record in rows.itertuples(index=False, name=None):
        writer.writerow([_text(value) for value in record])
    return buffer.getvalue()


def _text(value: object) -> str:
    """Floats in their shortest exact form (read back equal), whole numbers without ``.0``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "item"):  # numpy scalars
        return _text(value.item())
    return str(value)
