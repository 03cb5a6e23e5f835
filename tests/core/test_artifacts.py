"""Artifact names and versions: which artifact, the next version, the metrics a tag carries."""

from __future__ import annotations

import pytest

from gitml.config import PromoteSettings, Settings
from gitml.core.artifacts import (
    ModelVersion,
    artifact_name,
    find_version,
    metrics_message,
    next_version,
    parse_metrics,
    parse_metrics_by_file,
    semver_key,
    version_in_stage,
)
from gitml.errors import ConfigError


def test_the_artifact_is_the_option_else_the_setting():
    settings = Settings(promote=PromoteSettings(artifact="classifier"))
    assert artifact_name(settings, None) == "classifier"
    assert artifact_name(settings, "other") == "other"
    with pytest.raises(ConfigError, match=r"set \[tool.gitml.promote\] artifact"):
        artifact_name(Settings(), None)


def test_next_version_bumps_the_highest_ever_registered():
    assert next_version([], "minor") == "v0.1.0"
    assert next_version(["v0.9.0", "v0.10.0", "junk"], "minor") == "v0.11.0"
    assert next_version(["v1.2.3"], "patch") == "v1.2.4"
    assert next_version(["v1.2.3"], "major") == "v2.0.0"
    assert semver_key("v1.10.0") > semver_key("v1.9.9") > semver_key("not-a-version")
    with pytest.raises(ValueError):
        next_version([], "huge")


def test_the_registration_message_carries_the_metrics():
    message = metrics_message("classifier", "v0.1.0", {"metrics.json": {"accuracy": 0.9}})
    assert message.startswith("Registering artifact classifier version v0.1.0\n\n")
    assert parse_metrics(message) == {"accuracy": 0.9}
    assert parse_metrics("gitml-metrics: {broken") == {}
    assert parse_metrics(None) == {}


def test_two_files_with_the_same_name_keep_both_values():
    by_file = {
        "train/metrics.json": {"dice_multi": 0.87, "loss": 0.2},
        "eval/metrics.json": {"dice_multi": 0.85},
    }
    message = metrics_message("segmenter", "v0.1.0", by_file)
    assert parse_metrics_by_file(message) == by_file
    assert parse_metrics(message) == {
        "eval/metrics.json:dice_multi": 0.85,
        "train/metrics.json:dice_multi": 0.87,
        "loss": 0.2,
    }


def test_tags_written_before_metrics_were_kept_by_file_still_read():
    old = 'Registering artifact classifier version v0.1.0\n\ngitml-metrics: {"accuracy": 0.9}\n'
    assert parse_metrics_by_file(old) == {"": {"accuracy": 0.9}}
    assert parse_metrics(old) == {"accuracy": 0.9}


def test_metrics_that_did_not_load_are_said_in_the_message():
    message = metrics_message("c", "v0.1.0", {}, ["eval/metrics.json at abc (not pulled)"])
    assert "Metrics not loaded: eval/metrics.json at abc (not pulled)" in message
    assert parse_metrics(message) == {}


def test_stages_and_versions_are_found_by_name():
    versions = [
        ModelVersion("c", "v0.2.0", "b" * 40, None, stages=("staging",)),
        ModelVersion("c", "v0.1.0", "a" * 40, None, stages=("prod", "staging")),
    ]
    assert version_in_stage(versions, "staging").version == "v0.2.0"
    assert version_in_stage(versions, "prod").version == "v0.1.0"
    assert version_in_stage(versions, "dev") is None
    assert find_version(versions, "0.1.0").tag == "c@v0.1.0"
    assert find_version(versions, "v9.9.9") is None
