"""A real `bentoml build` and `bentoml serve` on 127.0.0.1 from a clone of this repository.

The module-wide fixtures of tests/serving/conftest.py clone the repository, reproduce the
pipeline, promote HEAD locally, build the Bento and serve it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pandas as pd
import pytest

from gitml.serving.serve import stop_server, wait_ready
from tests.cli import GITML, run_gitml
from tests.helpers import git
from tests.serving.helpers import gitml

# builds Bentos and serves them: the full suite's, not the fast lane's
pytestmark = pytest.mark.slow(minutes=1)


def test_predictions_equal_the_model_on_the_test_split(server, test_split):
    features, model = test_split
    rows = features.to_dict(orient="records")
    answer = httpx.post(f"{server}/predict", json={"instances": rows}, timeout=30)
    assert answer.status_code == 200
    assert answer.json() == model.predict(features).tolist()
    assert len(answer.json()) == len(features) > 100


def test_probabilities_equal_the_model(server, test_split):
    features, model = test_split
    rows = features.head(20).to_dict(orient="records")
    answer = httpx.post(f"{server}/predict_proba", json={"instances": rows}, timeout=30)
    assert answer.status_code == 200
    assert answer.json() == model.predict_proba(features.head(20)).tolist()


def test_health_and_metadata(server, test_split):
    features, _model = test_split
    assert httpx.get(f"{server}/livez").status_code == 200
    assert httpx.get(f"{server}/readyz").status_code == 200
    meta = httpx.post(f"{server}/metadata", json={}).json()
    assert meta["version"] == "v0.1.0"
    assert meta["features"] == list(features.columns)
    assert meta["classes"] == [0, 1]


def _row(features: pd.DataFrame) -> dict:
    return features.head(1).to_dict(orient="records")[0]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing", "instance 0 is missing feature(s): mean_radius"),
        ("wrong_type", "instance 0 feature 'mean_radius' must be a number, got \"abc\""),
        ("boolean", "instance 0 feature 'mean_radius' must be a number, got true"),
        (
            "unknown",
            "instance 0 has unknown feature(s): colour; see POST /metadata for the expected ones",
        ),
        ("empty", '"instances" must be a non-empty list of {feature: value} objects'),
        ("not_an_object", "instance 1 must be an object of feature: value"),
    ],
)
def test_bad_requests_are_400_with_a_clear_message(server, test_split, case, expected):
    features, _model = test_split
    row = _row(features)
    instances = {
        "missing": [{k: v for k, v in row.items() if k != "mean_radius"}],
        "wrong_type": [{**row, "mean_radius": "abc"}],
        "boolean": [{**row, "mean_radius": True}],
        "unknown": [{**row, "colour": 1.0}],
        "empty": [],
        "not_an_object": [row, [1, 2, 3]],
    }[case]
    answer = httpx.post(f"{server}/predict", json={"instances": instances})
    assert answer.status_code == 400
    assert answer.json() == {"error": expected}


@pytest.mark.parametrize(
    "body", [b'{"rows": []}', b'{"instances": "x"}', b"not json", b'{"instances": [1, 2]}']
)
def test_malformed_bodies_are_4xx(server, body):
    answer = httpx.post(
        f"{server}/predict", content=body, headers={"content-type": "application/json"}
    )
    assert 400 <= answer.status_code < 500, answer.text


def test_smoke_test_command_passes(project, server):
    clone, env = project
    result = gitml(clone, env, "smoke-test", "--limit", "50")
    assert result.stdout == (
        "classifier:v0.1.0: 50 rows, 0 mismatch(es), max |proba diff| 0, bad request -> 400\n"
    )


def test_the_images_dockerfile_sets_the_model_tag_after_the_python_packages(project):
    """So a build cache and a registry reuse the package layers from one version to the next
    (BentoML's own Dockerfile set the tag first, and every release reinstalled every package)."""
    _clone, env = project
    dockerfile = (
        Path(env["BENTOML_HOME"]) / "bentos" / "classifier" / "v0.1.0" / "env" / "docker"
    ) / "Dockerfile"
    lines = dockerfile.read_text().splitlines()
    installs = [i for i, line in enumerate(lines) if "install.sh" in line and "RUN" in line]
    tagged = [i for i, line in enumerate(lines) if "GITML_MODEL_TAG" in line]
    assert installs and len(tagged) == 1, tagged  # set once, in the image's last layers
    assert lines[tagged[0]] == 'ENV GITML_MODEL_TAG="classifier:v0.1.0"'
    assert tagged[0] > installs[-1]


def test_models_lists_the_promotion_metrics(project):
    clone, env = project
    listed = json.loads(gitml(clone, env, "models", "--json").stdout)
    assert [v["version"] for v in listed] == ["v0.1.0"]
    assert listed[0]["stages"] == ["staging"]
    metrics = json.loads((clone / "metrics.json").read_text())
    assert listed[0]["metrics"] == metrics


def test_serve_with_no_flag_serves_the_version_in_staging_and_records_to_monitor_dir(
    project, test_split, tmp_path
):
    clone, env = project
    features, model = test_split
    from gitml.serving.serve import free_port

    port = free_port()
    monitor_dir = tmp_path / "records"
    process = subprocess.Popen(
        [GITML, "serve", "--port", str(port), "--monitor-dir", str(monitor_dir)],
        cwd=clone,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url, timeout=240)
        meta = httpx.post(f"{url}/metadata", json={}).json()
        assert meta["version"] == "v0.1.0"
        rows = features.head(2).to_dict(orient="records")
        answer = httpx.post(f"{url}/predict", json={"instances": rows}, timeout=60)
    finally:
        stop_server(process)
    first_line = process.stderr.readline().decode()
    assert first_line == (
        f"serving classifier:v0.1.0 (stage staging (v0.1.0)) on http://127.0.0.1:{port}\n"
    )
    records = [
        json.loads(line)
        for path in (monitor_dir / "gitml_predictions" / "data").glob("data.*.log")
        for line in path.read_text().splitlines()
    ]
    assert [(r["request_id"], r["instance"]) for r in records] == [
        (answer.headers["x-request-id"], 0),
        (answer.headers["x-request-id"], 1),
    ]
    assert [r["prediction"] for r in records] == model.predict(features.head(2)).tolist()


def test_serve_of_a_bento_that_dies_at_start_is_one_error_line(project, tmp_path):
    """A copy of the store whose Bento's service raises on import: `bentoml serve` exits at once."""
    import shutil

    from gitml.serving.serve import free_port

    clone, env = project
    store = tmp_path / "bentoml"
    shutil.copytree(env["BENTOML_HOME"], store, symlinks=True)
    services = sorted((store / "bentos" / "classifier" / "v0.1.0" / "src").rglob("service*.py"))
    assert services, "the Bento's service file moved"
    for service in services:
        service.write_text(service.read_text() + "\nraise RuntimeError('broken on purpose')\n")
    result = run_gitml(
        "serve",
        "--port",
        str(free_port()),
        cwd=clone,
        env={**env, "BENTOML_HOME": str(store)},
        timeout=120,
    )
    assert result.returncode == 3, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "ERROR: bentoml serve exited with code 1 before ready: RuntimeError: broken on purpose"
    )
    assert "broken on purpose" in result.stderr.split("ERROR:")[0]  # BentoML's output came first
    assert result.stderr.count("ERROR: ") == 1


OWN_SERVICE = """\
import os
from typing import Any

import bentoml
import joblib
import numpy as np
from bentoml.exceptions import InvalidArgument


@bentoml.service(workers=1)
class Own:
    # the documented way for a user's service to name the model gitml imported
    model_ref = bentoml.models.BentoModel(os.environ["GITML_MODEL_TAG"])

    def __init__(self) -> None:
        self.model = joblib.load(self.model_ref.path_of("model.joblib"))

    def matrix(self, instances: list[Any]) -> np.ndarray:
        try:
            return np.array([[r[f] for f in self.model.feature_names_in_] for r in instances])
        except KeyError as missing:
            raise InvalidArgument(f"missing feature {missing}") from None

    @bentoml.api
    def predict(self, instances: list[Any]) -> list[Any]:
        return self.model.predict(self.matrix(instances)).tolist()

    @bentoml.api
    def predict_proba(self, instances: list[Any]) -> list[list[float]]:
        return self.model.predict_proba(self.matrix(instances)).tolist()
"""


def test_build_smoke_tests_a_users_own_service(project, tmp_path):
    """The service reads GITML_MODEL_TAG at import, as its image sets it: the smoke test must
    serve the Bento with the variables the Bento declares, or it cannot start."""
    import shutil

    clone, env = project
    store = tmp_path / "bentoml"
    shutil.copytree(env["BENTOML_HOME"], store, symlinks=True)
    service = tmp_path / "own" / "service.py"
    service.parent.mkdir()
    service.write_text(OWN_SERVICE)
    result = run_gitml(
        "build",
        "--service",
        f"{service}:Own",
        "--smoke-test",
        cwd=clone,
        env={**env, "BENTOML_HOME": str(store)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "bento: classifier:v0.1.0\n"


def test_build_with_a_failing_docker_tag_is_one_error_line(project, tmp_path):
    """`gitml build --containerize docker` with a stand-in docker that fails on `tag`."""
    clone, env = project
    folder = tmp_path / "bin"
    folder.mkdir()
    docker = folder / "docker"
    docker.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        "  version) echo '\"24.0.7\"' ;;\n"
        '  tag) echo "Error response from daemon: No such image: $2" >&2; exit 1 ;;\n'
        "esac\n"
        "exit 0\n"
    )
    docker.chmod(0o755)
    commit = git(clone, "rev-parse", "HEAD")
    result = run_gitml(
        "build",
        "--containerize",
        "docker",
        "--image",
        "example/classifier",
        cwd=clone,
        env={**env, "PATH": f"{folder}{os.pathsep}{env['PATH']}"},
        timeout=300,
    )
    assert result.returncode == 3, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"ERROR: `docker tag example/classifier:v0.1.0 example/classifier:sha-{commit[:12]}` "
        "failed (exit code 1): Error response from daemon: No such image: "
        "example/classifier:v0.1.0; the image is built as example/classifier:v0.1.0: fix the "
        "cause and run the command again"
    )
    assert "Traceback" not in result.stderr
    assert "unexpected" not in result.stderr
