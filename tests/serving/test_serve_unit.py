"""How `gitml serve` and the test/smoke servers point the Bento's monitoring at a directory."""

from __future__ import annotations

import pytest

from gitml.errors import UsageError
from gitml.serving.serve import feedback_warning, monitoring_options, server_environment


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


@pytest.mark.parametrize(
    ("host", "env", "warned"),
    [
        ("127.0.0.1", {}, False),
        ("::1", {}, False),
        ("localhost", {}, False),
        ("0.0.0.0", {}, True),
        ("10.1.2.3", {}, True),
        ("ml.example.com", {}, True),
        ("0.0.0.0", {"GITML_FEEDBACK_TOKEN": "t"}, False),
        ("0.0.0.0", {"GITML_FEEDBACK_TOKEN": " "}, True),
        ("0.0.0.0", {"GITML_FEEDBACK_AUTH": "required"}, False),
    ],
)
def test_serving_to_other_machines_without_a_feedback_token_is_warned(host, env, warned):
    warning = feedback_warning(host, env)
    assert (warning is not None) == warned
    if warning:
        assert warning.startswith(f"--host {host} lets other machines post labels")
        assert "set GITML_FEEDBACK_TOKEN" in warning
