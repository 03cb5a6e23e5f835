"""``gitml validate`` end to end: real Bentos served by BentoML, real logged prod traffic.

One module-scoped project: v0.1.0 in prod, served with its records on, answers the test split in
requests of 1, 3, 5 and 2 rows and gets feedback for every other row (the service's own logs).
Then ``gitml validate`` (a real process) replays that traffic:

- v0.2.0, the same model at a later commit: it agrees on every request, so it passes;
- v0.3.0, built from a user's service that refuses requests of more than one row, which prod
  answered: it fails on new errors, with those requests listed, and ``--check`` exits 1.

The statistics and the flipped-answers case are tested without a server in test_stats.py and
test_report.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pandas as pd
import pytest

from gitml.serving.serve import start_server, stop_server, wait_ready
from tests.cli import run_gitml
from tests.helpers import REPO_ROOT, git

pytestmark = pytest.mark.slow(minutes=4)

#: Rows per request, in turn: the batch shapes the candidate must take as prod did.
SHAPES = (1, 3, 5, 2)
REFUSES_BATCHES = """\
import os
from typing import Any

import bentoml
import joblib
import numpy as np
from bentoml.exceptions import InvalidArgument


@bentoml.service(workers=1)
class OneRowAtATime:
    model_ref = bentoml.models.BentoModel(os.environ["GITML_MODEL_TAG"])

    def __init__(self) -> None:
        self.model = joblib.load(self.model_ref.path_of("model.joblib"))

    @bentoml.api
    def predict(self, instances: list[Any]) -> list[Any]:
        if len(instances) != 1:
            raise InvalidArgument(f"one instance per request, got {len(instances)}")
        row = np.array([[instances[0][f] for f in self.model.feature_names_in_]])
        return self.model.predict(row).tolist()
"""


def gitml(project: Path, env: dict, *args: str, expect: int | None = 0):
    return run_gitml(*args, cwd=project, env=env, expect=expect, timeout=900)


def send_prod_traffic(project: Path, env: dict, logs: Path) -> tuple[list[int], int]:
    """Serve v0.1.0 recording to ``logs``; send the test split in SHAPES; feedback every other
    row. Returns (rows of each request, labels)."""
    frame = pd.read_csv(project / "prepared" / "test.csv")
    truth = frame.pop("target").tolist()
    rows = frame.to_dict(orient="records")
    process, url = start_server("classifier:v0.1.0", monitor_dir=logs, env=env)
    feedback, sizes, start = [], [], 0
    try:
        wait_ready(process, url, timeout=300)
        with httpx.Client(base_url=url, timeout=60) as client:
            while start < len(rows):
                batch = rows[start : start + SHAPES[len(sizes) % len(SHAPES)]]
                answer = client.post("/predict", json={"instances": batch})
                assert answer.status_code == 200, answer.text
                feedback += [
                    {"request_id": answer.headers["X-Request-Id"], "instance": i - start,
                     "label": truth[i]}
                    for i in range(start, start + len(batch)) if i % 2 == 0
                ]  # fmt: skip
                start += len(batch)
                sizes.append(len(batch))
            assert client.post("/feedback", json={"feedback": feedback}).status_code == 200
    finally:
        stop_server(process)
    return sizes, len(feedback)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("validate")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))},
        "HOME": str(base),
        "BENTOML_HOME": str(base / "bentoml"),
        "BENTOML_DO_NOT_TRACK": "True",
        "GITML_READY_TIMEOUT": "300",
        "GIT_CONFIG_NOSYSTEM": "1",
        **{f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER")
           for what, value in (("NAME", "gitml tests"), ("EMAIL", "tests@gitml.invalid"))},
    }  # fmt: skip
    clone = base / "clone"
    git(base, "clone", "-q", str(REPO_ROOT), str(clone))
    # latency is measured, never asserted: on a loaded machine its gate is left wide open
    with (clone / "pyproject.toml").open("a", encoding="utf-8") as settings:
        settings.write("\n[tool.gitml.validate]\nmin_requests = 20\nmax_p99_ratio = 1000\n")
    git(clone, "commit", "-qam", "validation settings")
    gitml(clone, env, "run", "--pull")
    gitml(clone, env, "promote", "--no-push")
    gitml(clone, env, "promote", "--to", "prod", "--version", "v0.1.0", "--no-push")
    (clone / "serving").mkdir()
    for note in ("same model, later commit", "a service of our own"):
        if note.startswith("a service"):
            (clone / "serving" / "one_row.py").write_text(REFUSES_BATCHES)
        else:
            (clone / "NOTES.md").write_text(note + "\n")
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", note)
        gitml(clone, env, "promote", "--no-push")
    gitml(clone, env, "build", "--version", "v0.1.0")
    gitml(clone, env, "build", "--version", "v0.3.0", "--service", "serving/one_row.py")
    sizes, labels = send_prod_traffic(clone, env, base / "logs")
    yield clone, env, base / "logs", sizes, labels


def test_a_candidate_that_agrees_on_every_logged_request_passes(project, tmp_path) -> None:
    clone, env, logs, sizes, labels = project
    requests = len(sizes)
    out = tmp_path / "validate"
    run = gitml(clone, {**env, "GITHUB_OUTPUT": str(tmp_path / "outputs")}, "validate",
                "--candidate", "v0.2.0", "--current", str(logs), "-o", str(out / "v.md"),
                "--json", str(out / "v.json"), "--html", str(out / "v.html"), "--check")  # fmt: skip
    report = json.loads((out / "v.json").read_text())
    assert report["verdict"] == "pass", report["gates"]
    assert report["champion"]["version"] == "v0.1.0" and report["champion"]["stage"] == "prod"
    assert report["traffic"]["requests"] == requests
    assert report["traffic"]["labelled_rows"] == labels
    assert report["agreement"] == 1.0 and report["replay_fidelity"] == 1.0
    assert report["new_errors"] == 0
    for side in ("champion", "candidate"):
        assert report["latency"][side]["requests"] == requests
        assert report["latency"][side]["errors"] == 0
    accuracy = next(m for m in report["metrics"] if m["name"] == "accuracy")
    assert accuracy["difference"] == accuracy["low"] == accuracy["high"] == 0.0
    assert {m["name"] for m in report["metrics"]} >= {"accuracy", "f1", "log_loss"}
    # the candidate's probabilities came from its own records: their drift was tested
    assert [d["name"] for d in report["prediction_drift"]] == [
        "prediction", "probability[0]", "probability[1]"
    ]  # fmt: skip
    assert "verdict=pass\n" in (tmp_path / "outputs").read_text()
    assert "wrote" in run.stderr


def test_a_candidate_whose_service_refuses_a_request_shape_prod_took_fails(
    project, tmp_path
) -> None:
    clone, env, logs, sizes, _labels = project
    out = tmp_path / "v.json"
    run = gitml(clone, env, "validate", "--candidate", "v0.3.0", "--current", str(logs),
                "--json", str(out), "--check", expect=1)  # fmt: skip
    report = json.loads(out.read_text())
    assert report["verdict"] == "fail"
    assert report["new_errors"] == sum(1 for rows in sizes if rows > 1)
    assert {f["rows"] for f in report["failed_requests"]} == {2, 3, 5}
    assert {f["status"] for f in report["failed_requests"]} == {400}
    outcomes = {g["gate"]: g["passed"] for g in report["gates"]}
    assert outcomes["new errors"] is False and outcomes["agreement"] is True
    assert (
        run.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "ERROR: ❌ gitml validate: classifier v0.3.0 against v0.1.0 (prod): 1 gate(s) failed "
            "(new errors)"
        )
    )
    # the single-row requests it answered agree with prod
    assert report["agreement"] == 1.0
    assert "probability drift is left out" in run.stdout


def test_with_nothing_in_the_champions_stage_the_candidate_is_smoke_tested(project, tmp_path):
    """The first version to reach a stage has nothing to be compared with: the report says so,
    and the smoke test decides (--check passes on it)."""
    clone, env, logs, _sizes, _labels = project
    out = tmp_path / "v.json"
    run = gitml(clone, env, "validate", "--candidate", "v0.2.0", "--champion-stage", "canary",
                "--current", str(logs), "--json", str(out), "--check")  # fmt: skip
    report = json.loads(out.read_text())
    assert (report["verdict"], report["champion"], report["gates"]) == ("smoke-tested", None, [])
    assert report["notes"] == [
        "no version of classifier is in canary yet: there is no production traffic to compare with"
    ]
    assert report["smoke_test"].startswith("classifier:v0.2.0: 143 rows of the test split")
    assert run.stdout.startswith("## 🟡 gitml validate: classifier v0.2.0: no version of")
