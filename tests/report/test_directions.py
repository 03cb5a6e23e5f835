"""Directions of nested metric names: the full name first, then any dotted part.

dvclive's per-split layout ``{"roc_auc": {"train": .., "test": ..}}`` gives ``roc_auc.test``;
its direction was looked up by the last part (``test``), so every such metric was ``changed``.
"""

from __future__ import annotations

import pytest

from gitml.core.compare import default_direction, resolve_direction


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
