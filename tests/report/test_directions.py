"""Directions of nested metric names: the full name first, then any dotted part.

dvclive's per-split layout ``{"roc_auc": {"train": .., "test": ..}}`` gives ``roc_auc.test``;
its direction was looked up by the last part (``test``), so every such metric was ``changed``.
"""

from __future__ import annotations

import pytest

from gitml.core.compare import default_direction, known_direction, resolve_direction


@pytest.mark.parametrize(
    "name",
    ["roc_auc.test", "test.roc_auc", "eval.test.roc_auc.mean", "ROC_AUC.Train", "roc_auc"],
)
def test_a_known_part_gives_the_direction(name):
    assert resolve_direction("eval/metrics.json", name, {}) == "higher"
    assert default_direction(name) == "higher"


def test_unknown_and_conflicting_parts_leave_it_unknown():
    assert resolve_direction("m.json", "test.widgets", {}) is None
    assert resolve_direction("m.json", "loss.accuracy", {}) is None


@pytest.mark.parametrize(
    ("configured", "name", "expected"),
    [
        # configured names match dotted parts too
        ({"widgets": "lower"}, "widgets.test", "lower"),
        ({"m.json:widgets": "lower"}, "test.widgets", "lower"),
        ({"other.json:widgets": "lower"}, "test.widgets", None),
        # the full name beats its parts, file:name beats name
        ({"roc_auc.test": "lower"}, "roc_auc.test", "lower"),
        ({"m.json:roc_auc.test": "lower", "roc_auc.test": "higher"}, "roc_auc.test", "lower"),
        # a configured part beats the built-in direction of a part
        ({"roc_auc": "lower"}, "roc_auc.test", "lower"),
        # ... but the built-in direction of the full name beats a configured part
        ({"val": "higher"}, "val_loss", "lower"),
        ({"test": "lower"}, "test.accuracy", "lower"),
        # configured parts that disagree: unknown
        ({"a": "higher", "b": "lower"}, "a.b", None),
    ],
)
def test_precedence(configured, name, expected):
    assert resolve_direction("m.json", name, configured) == expected


# What common libraries log, as they name it (dvclive and ultralytics write "/" in names).
LIBRARY_NAMES = {
    "higher": [
        "dice_multi",  # fastai segmentation
        "dice",
        "foreground_acc",
        "jaccard_coeff",
        "mean_iou",
        "metrics/mAP50(B)",  # ultralytics
        "metrics/mAP50-95(B)",
        "metrics/precision(M)",
        "map_50",  # torchmetrics MeanAveragePrecision
        "MulticlassAccuracy",  # torchmetrics class names
        "R2Score",
        "val_accuracy",  # Keras
        "top_k_categorical_accuracy",
        "eval_f1",  # transformers' Trainer
        "bleu",  # Hugging Face evaluate
        "rouge1",
        "rougeLsum",
        "meteor",
        "exact_match",
        "r2",  # scikit-learn
        "explained_variance",
        "neg_mean_squared_error",  # scikit-learn scorers: negated errors
        "balanced_accuracy",
        "avg_prec.test",  # dvclive's example project
        "ndcg@10",
    ],
    "lower": [
        "val_loss",
        "eval/loss",  # dvclive
        "train/loss",
        "val/box_loss",  # ultralytics
        "eval_loss",
        "valid_loss",  # fastai
        "error_rate",
        "perplexity",
        "wer",
        "cer",
        "mae",
        "mse",
        "rmse",
        "mape",
        "mean_absolute_error",
        "MeanSquaredError",
        "val_sparse_categorical_crossentropy",
        "log_loss.test",
    ],
}


@pytest.mark.parametrize(
    ("name", "direction"),
    [(name, direction) for direction, names in LIBRARY_NAMES.items() for name in names],
)
def test_names_common_libraries_log(name, direction):
    assert known_direction(name) == direction
    assert resolve_direction("metrics.json", name, {}) == direction


@pytest.mark.parametrize(
    "name", ["step", "epoch", "lr", "lr/pg0", "eval_runtime", "loss.accuracy", "test.widgets"]
)
def test_names_without_a_direction(name):
    assert known_direction(name) is None


def test_configuration_overrides_a_known_name_and_its_parts():
    assert resolve_direction("m.json", "dice_multi", {"dice_multi": "lower"}) == "lower"
    assert resolve_direction("m.json", "eval/loss", {"loss": "higher"}) == "higher"
    assert resolve_direction("m.json", "eval/loss", {"m.json:eval/loss": "higher"}) == "higher"


def documented_names() -> list[tuple[str, str]]:
    """Every name docs/metric-directions.md's table lists, with the column it is in."""
    import re

    from tests.helpers import REPO_ROOT

    page = (REPO_ROOT / "docs" / "metric-directions.md").read_text()
    table = page.split("## The names gitml knows", 1)[1]
    found = []
    for line in table.splitlines():
        cells = line.split("|")
        if len(cells) < 5 or cells[1].strip() in ("library", "---"):
            continue
        for direction, text in (("higher", cells[2]), ("lower", cells[3])):
            found += [(name, direction) for name in re.findall(r"`([^`*]+)`", text)]
    return found


@pytest.mark.parametrize(("name", "direction"), documented_names())
def test_every_name_the_docs_list_has_that_direction(name, direction):
    assert known_direction(name) == direction
