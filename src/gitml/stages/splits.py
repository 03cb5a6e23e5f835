"""The prepared splits the stages hand each other: CSV files with a ``target`` column.

Kept apart from the stages so that reading a split imports pandas only: ``train`` and
``evaluate`` need it without ``prepare``'s ``sklearn.model_selection`` or ``train``'s pipeline
modules (about 0.1-0.15 s each at every stage's start-up).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gitml.errors import DataError

TARGET_COLUMN = "target"


def read_split(path: Path | str) -> tuple[pd.DataFrame, pd.Series]:
    """Read a prepared split as features and target."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} not found; run the prepare stage first (`gitml run`)")
    frame = pd.read_csv(path)
    return frame.drop(columns=[TARGET_COLUMN]), frame[TARGET_COLUMN]
