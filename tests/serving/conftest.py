"""Fixtures for tests that build and serve a real Bento (module-scoped: one build per module).

``project`` clones the repository, reproduces the pipeline (restored from the committed
run-cache), promotes HEAD locally and builds the Bento. ``served`` serves it on 127.0.0.1 with
its answers recorded under a temporary monitor directory and its stderr kept in a file. Every
BentoML step runs in a child process with its own BENTOML_HOME: BentoML binds its store at first
use, so the per-test HOME of the top conftest would not reach it in process.
"""

from __future__ import annotations

import os

import joblib
import pandas as pd
import pytest

from gitml.serving.serve import stop_server
from tests.helpers import REPO_ROOT, git
from tests.serving.helpers import BENTO, gitml, serve


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    """A clone with the pipeline's outputs, v0.1.0 in staging (local tags) and its Bento built."""
    base = tmp_path_factory.mktemp("bento")
    home = base / "home"
    home.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))},
        "HOME": str(home),
        "BENTOML_HOME": str(base / "bentoml"),
        "BENTOML_DO_NOT_TRACK": "True",
        "DVC_NO_ANALYTICS": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "gitml tests",
        "GIT_AUTHOR_EMAIL": "tests@gitml.invalid",
        "GIT_COMMITTER_NAME": "gitml tests",
        "GIT_COMMITTER_EMAIL": "tests@gitml.invalid",
    }
    clone = base / "clone"
    git(base, "clone", "-q", str(REPO_ROOT), str(clone))
    gitml(clone, env, "run", "--pull")
    gitml(clone, env, "promote", "--no-push")
    output = base / "github_output"
    built = gitml(clone, {**env, "GITHUB_OUTPUT": str(output)}, "build")
    assert built.stdout == f"bento: {BENTO}\n"
    commit = git(clone, "rev-parse", "HEAD")
    assert output.read_text() == (
        "bento-tag=classifier:v0.1.0\nmodel-tag=classifier:v0.1.0\nversion=v0.1.0\n"
        f"commit={commit}\nimage=\nimages=\ndigest=\n"
    )
    yield clone, env


@pytest.fixture(scope="module")
def served(project, tmp_path_factory: pytest.TempPathFactory):
    _clone, env = project
    base = tmp_path_factory.mktemp("served")
    process, running = serve(env, base / "monitoring", base / "server.log")
    try:
        yield running
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def server(served) -> str:
    """The served Bento's base URL."""
    return served.url


@pytest.fixture(scope="module")
def test_split(project):
    clone, _env = project
    frame = pd.read_csv(clone / "prepared" / "test.csv")
    features = frame.drop(columns=["target"])
    model = joblib.load(clone / "models" / "model.joblib")
    return features, model
