"""Pure registry helpers: version bumps and the metrics carried in a tag message."""

from __future__ import annotations

import pytest

from gitml.core.artifacts import (
    ModelVersion,
    metrics_message,
    next_version,
    parse_metrics,
    version_in_stage,
)
from gitml.registry.models import render_table


@pytest.mark.parametrize(
    ("existing", "bump", "expected"),
    [
        ([], "minor", "v0.1.0"),
        ([], "major", "v1.0.0"),
        ([], "patch", "v0.0.1"),
        (["v0.1.0", "v0.10.0", "v0.9.0"], "minor", "v0.11.0"),
        (["v1.2.3"], "patch", "v1.2.4"),
        (["v1.2.3"], "major", "v2.0.0"),
        (["v0.1.0", "not-semver"], "minor", "v0.2.0"),
    ],
)
def test_next_version(existing, bump, expected):
    assert next_version(existing, bump) == expected


def test_next_version_rejects_unknown_bump():
    with pytest.raises(ValueError, match="bump must be one of"):
        next_version([], "huge")


def test_metrics_round_trip_through_the_tag_message():
    message = metrics_message("classifier", "v0.2.0", {"m.json": {"accuracy": 0.97, "f1": 0.95}})
    assert message.startswith("Registering artifact classifier version v0.2.0\n")
    assert parse_metrics(message) == {"accuracy": 0.97, "f1": 0.95}
    assert parse_metrics("Registering artifact classifier version v0.1.0") == {}
    assert parse_metrics("gitml-metrics: {broken") == {}


def version(name: str, stages=(), active=True, metrics=None) -> ModelVersion:
    return ModelVersion("classifier", name, "a" * 40, None, tuple(stages), metrics or {}, active)


def test_version_in_stage_takes_the_active_one():
    versions = [version("v0.3.0", ["staging"], active=False), version("v0.2.0", ["staging"])]
    assert version_in_stage(versions, "staging").version == "v0.2.0"
    assert version_in_stage(versions, "prod") is None


def test_render_table_exact():
    table = render_table(
        [version("v0.2.0", ["staging"], metrics={"accuracy": 0.9712}), version("v0.1.0")]
    )
    assert table == (
        "version  stages   commit   registered  accuracy\n"
        "v0.2.0   staging  aaaaaaa  -           0.9712\n"
        "v0.1.0   -        aaaaaaa  -           -\n"
    )
