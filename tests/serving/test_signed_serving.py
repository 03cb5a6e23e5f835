"""A signed model is verified before it is served: a clone of this repository signs its models
with a key pair, registers v0.1.0 (signed) and builds its Bento. Then the model in BentoML's
store is changed by one byte: `gitml serve`, `gitml smoke-test` and `gitml build` refuse it with
one line, before any server starts; and a version whose signature tag is gone is refused while
a signature is required."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gitml.errors import EXIT_GATES_FAILED
from tests.cli import run_gitml
from tests.helpers import REPO_ROOT, git
from tests.signing_keys import key_pair

pytestmark = pytest.mark.slow(minutes=2)

SIGNING = '\n[tool.gitml.signing]\nmethod = "key"\npublic_key = "signing/model.pub"\n'


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory):
    """A clone signing with a key pair, v0.1.0 registered and signed, its Bento built."""
    base = tmp_path_factory.mktemp("signed")
    clone = base / "clone"
    git(base, "clone", "-q", str(REPO_ROOT), str(clone))
    (clone / "signing").mkdir()
    private, _public = key_pair(clone / "signing")
    with (clone / "pyproject.toml").open("a") as pyproject:
        pyproject.write(SIGNING)
    git(clone, "add", "-A")
    git(clone, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", "sign")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))},
        "BENTOML_HOME": str(base / "bentoml"),
        "BENTOML_DO_NOT_TRACK": "True",
        "GIT_COMMITTER_NAME": "gitml tests",
        "GIT_COMMITTER_EMAIL": "tests@gitml.invalid",
    }
    run_gitml("run", "--pull", cwd=clone, env=env, expect=0)
    run_gitml(
        "promote", "--no-push", cwd=clone, env={**env, "GITML_SIGNING_KEY": private}, expect=0
    )
    built = run_gitml("build", "--version", "v0.1.0", cwd=clone, env=env, expect=0)
    assert built.stdout == "bento: classifier:v0.1.0\n"
    return clone, env, base / "bentoml" / "models" / "classifier" / "v0.1.0" / "model.joblib"


REFUSED = (
    "ERROR: refusing the model of classifier v0.1.0: its signature does not verify (its bytes "
    "differ from the signed ones); serve only the model that was registered (rebuild it from "
    "the DVC remote)"
)


def test_a_model_changed_by_one_byte_is_refused_before_serving(signed, tmp_path):
    clone, env, stored = signed
    original = stored.read_bytes()
    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0x01
    stored.write_bytes(bytes(changed))
    try:
        for command in (
            ["serve", "--port", "3999"],  # the version in staging
            ["serve", "--version", "v0.1.0", "--port", "3999"],
            ["smoke-test", "--version", "v0.1.0", "--limit", "5"],
            ["build", "--version", "v0.1.0"],
        ):
            result = run_gitml(*command, cwd=clone, env=env, timeout=300)
            assert result.returncode == EXIT_GATES_FAILED, result
            assert result.stderr.strip().splitlines()[-1] == REFUSED, result
            assert "bentoml serve" not in result.output and "Traceback" not in result.output
    finally:
        stored.write_bytes(original)
    # the untouched model is accepted again
    run_gitml("build", "--version", "v0.1.0", cwd=clone, env=env, expect=0)


def test_a_version_without_its_signature_is_refused_when_one_is_required(signed, tmp_path):
    clone, env, _stored = signed
    other = tmp_path / "clone"
    shutil.copytree(clone, other, symlinks=True)
    git(other, "tag", "-d", "gitml-signatures/classifier/v0.1.0")
    fresh = {**env, "BENTOML_HOME": str(tmp_path / "bentoml")}
    result = run_gitml("build", "--version", "v0.1.0", cwd=other, env=fresh)
    assert result.returncode == EXIT_GATES_FAILED, result
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "ERROR: refusing the model of classifier v0.1.0: it has no signature and "
            "[tool.gitml.signing] requires one"
        )
    )
    assert not (tmp_path / "bentoml" / "models" / "classifier").exists()  # nothing imported


def test_with_required_off_an_unsigned_version_is_built(signed, tmp_path):
    clone, env, _stored = signed
    other = tmp_path / "clone"
    shutil.copytree(clone, other, symlinks=True)
    git(other, "tag", "-d", "gitml-signatures/classifier/v0.1.0")
    pyproject = other / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "required = false\n")
    fresh = {**env, "BENTOML_HOME": str(tmp_path / "bentoml")}
    run_gitml("build", "--version", "v0.1.0", cwd=other, env=fresh, expect=0)
    assert Path(tmp_path / "bentoml" / "models" / "classifier" / "v0.1.0").is_dir()
