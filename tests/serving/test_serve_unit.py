"""How `gitml serve` and the test/smoke servers point the Bento's monitoring at a directory."""

from __future__ import annotations

import pytest

from gitml.errors import UsageError
from gitml.serving.serve import monitoring_options, server_environment


def test_monitor_dir_becomes_bentoml_overrides_after_the_users_own(tmp_path):
    env = server_environment(tmp_path / "logs", {"BENTOML_CONFIG_OPTIONS": "a.b=1"}, "nope:v1")
    key = "services.nope.monitoring"
    assert env["BENTOML_CONFIG_OPTIONS"] == (
        f"a.b=1 {key}.enabled=true {key}.type=default {key}.options.log_path={tmp_path / 'logs'}"
    )
    assert env["BENTOML_DO_NOT_TRACK"] == "True"


def test_no_monitor_dir_turns_recording_off():
    assert monitoring_options("nope:v1", None) == "services.nope.monitoring.enabled=false"


def test_a_monitor_dir_with_a_space_is_refused(tmp_path):
    with pytest.raises(UsageError, match="holds a space"):
        monitoring_options("nope:v1", tmp_path / "my logs")
