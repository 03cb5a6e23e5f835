"""The prepared splits the stages hand each other: CSV files with a ``target`` column.

Kept apart from the stages so that reading a split imports pandas only: ``train`` and
``evaluate`` need it without ``prepare``'s ``sklearn.model_selection`` or ``train``'s pipeline
modules (about 0.1-0.15 s each at every stage's start-up).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gitml.errors import ConfigError, DataError

TARGET_COLUMN = "target"


def check_numeric(features: pd.DataFrame, source: Path | str) -> None:
    """Refuse feature columns that hold text (``color``: red, blue): gitml's built-in stages fit
    scikit-learn on numbers, and its default service and monitor take numbers only, so such a
    column is named with the fix, instead of scikit-learn's "could not convert string to float".

    Encoding it inside the saved pipeline was not done: the served model would then take strings
    the default service refuses (docs/serving.md), and serving and monitoring would disagree.
    """
    text = [
        column
        for column in features.columns
        if not pd.api.types.is_numeric_dtype(features[column])
        and not pd.api.types.is_bool_dtype(features[column])
    ]
    if not text:
        return
    column = text[0]
    sample = features[column].dropna().astype(str).head(2).tolist()
    shown = ", ".join(repr(value) for value in sample)
    raise ConfigError(
        f"{source}: feature column{'s' if len(text) > 1 else ''} {', '.join(text)} "
        f"hold{'' if len(text) > 1 else 's'} text ({shown}); gitml's built-in stages and its "
        f"default service take numbers only: encode {column} as numbers in the dataset (one 0/1 "
        f"column per value, e.g. {column}_{sample[0] if sample else 'value'}) or leave it out "
        "with prepare.features in params.yaml"
    )


def read_split(path: Path | str) -> tuple[pd.DataFrame, pd.Series]:
    """Read a prepared split as features and target."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} not found; run the prepare stage first (`gitml run`)")
    frame = pd.read_csv(path)
    features = frame.drop(columns=[TARGET_COLUMN])
    check_numeric(features, path)
    return features, frame[TARGET_COLUMN]
