"""Image naming, labels and backend checks. No image is built here: the release test
(tests/workflows/test_act_release.py) builds one with buildah, pushes it and runs it.

The tagging failures run the real `bentoml containerize` on a real one-endpoint Bento with a
stand-in `docker`/`buildah` on PATH that builds nothing and fails on `tag`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitml.errors import GitmlError, UsageError
from gitml.serving import containerize as containerize_module
from gitml.serving.containerize import (
    containerize,
    image_labels,
    image_repository,
    image_tags,
    source_url,
)

# runs the image builders: the full suite's, not the fast lane's
pytestmark = pytest.mark.slow(minutes=1)


def test_image_tags_carry_version_commit_and_stage():
    assert image_tags(
        "ghcr.io/acme/ml/classifier", "v0.2.0", "0123456789abcdef0123", "staging"
    ) == [
        "ghcr.io/acme/ml/classifier:v0.2.0",
        "ghcr.io/acme/ml/classifier:sha-0123456789ab",
        "ghcr.io/acme/ml/classifier:staging",
    ]
    assert image_tags("classifier", "v1.0.0", "f" * 40, None) == [
        "classifier:v1.0.0",
        "classifier:sha-ffffffffffff",
    ]


def test_default_repository_is_ghcr_inside_actions(monkeypatch):
    assert image_repository("classifier") == "classifier"
    monkeypatch.setenv("GITHUB_REPOSITORY", "Acme/Models")
    assert image_repository("classifier") == "ghcr.io/acme/models/classifier"
    assert image_repository("classifier", "") == "ghcr.io/acme/models/classifier"


@pytest.mark.parametrize(
    "registry",
    [
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml",
        "europe-docker.pkg.dev/my-project/models",
        "acme.azurecr.io",
        "harbor.example.com/ml/",
        "127.0.0.1:5000/acme/models",
    ],
)
def test_a_registry_prefix_names_the_image(monkeypatch, registry):
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/models")
    assert image_repository("classifier", registry) == f"{registry.rstrip('/')}/classifier"


@pytest.mark.parametrize(
    "registry", ["https://ghcr.io/acme", "ghcr.io/Acme/models", "ghcr.io/acme:v1", "a b"]
)
def test_a_registry_that_is_no_prefix_is_a_usage_error(registry):
    with pytest.raises(UsageError) as error:
        image_repository("classifier", registry)
    assert error.value.message.startswith(f"registry {registry!r} is not a registry host")


def test_labels_name_the_source_revision_version_and_model(monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/models")
    assert image_labels("classifier:v1.0.0", "v1.0.0", "f" * 40, source_url(tmp_path)) == {
        "org.opencontainers.image.revision": "f" * 40,
        "org.opencontainers.image.version": "v1.0.0",
        "com.github.gitml.model-tag": "classifier:v1.0.0",
        "org.opencontainers.image.source": "https://github.com/acme/models",
    }


def test_source_outside_actions_is_origin_without_credentials(tmp_path):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert source_url(tmp_path) is None
    url = "https://user:token@git.example.com/acme/models.git"
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", url], check=True)
    assert source_url(tmp_path) == "https://git.example.com/acme/models"


def test_unknown_backend_is_a_usage_error():
    with pytest.raises(UsageError, match=r"unknown backend 'podman'; use one of docker, buildah"):
        containerize("classifier:v0.1.0", "podman", ["classifier:v0.1.0"])


def test_missing_backend_names_the_fix(monkeypatch):
    monkeypatch.setattr(containerize_module.shutil, "which", lambda name: None)
    with pytest.raises(GitmlError) as error:
        containerize("classifier:v0.1.0", "buildah", ["classifier:v0.1.0"])
    assert error.value.message == (
        "`buildah` is not installed; apt-get install buildah or choose another backend"
    )


STAND_IN = """#!/bin/sh
# {name} stand-in: succeeds at everything BentoML asks, fails on `tag` like a real daemon would
echo "$@" >> "{log}"
case "$1" in
  version) echo '"24.0.7"' ;;
  tag) echo "Getting image source signatures" >&2
       echo "Error: tagging {name} image: image not known: $2" >&2; exit 125 ;;
esac
exit 0
"""

TINY_SERVICE = """\
import bentoml


@bentoml.service
class Tiny:
    @bentoml.api
    def echo(self, text: str) -> str:
        return text
"""


@pytest.fixture
def tiny_bento(tmp_path, isolated_host):
    """A real Bento of a one-endpoint service in this test's BENTOML_HOME (set by conftest)."""
    import subprocess
    import sys

    source = tmp_path / "tiny"
    source.mkdir()
    (source / "service.py").write_text(TINY_SERVICE)
    (source / "bentofile.yaml").write_text('service: "service:Tiny"\ninclude:\n  - service.py\n')
    subprocess.run(
        [sys.executable, "-m", "bentoml", "build", "--output", "tag"],
        cwd=source,
        check=True,
        capture_output=True,
        env={**os.environ, "BENTOML_DO_NOT_TRACK": "True"},
    )
    return "tiny:latest"


def stand_in(tmp_path, monkeypatch, name: str) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    log = folder / f"{name}.log"
    script = folder / name
    script.write_text(STAND_IN.format(name=name, log=log))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


@pytest.mark.parametrize("backend", ["docker", "buildah"])
def test_failed_extra_tag_names_the_command_and_its_last_line(
    tmp_path, monkeypatch, tiny_bento, backend
):
    log = stand_in(tmp_path, monkeypatch, backend)
    tags = ["tiny:v0.1.0", "tiny:sha-0123456789ab", "tiny:staging"]
    with pytest.raises(GitmlError) as error:
        containerize(tiny_bento, backend, tags, log_dir=tmp_path / ".gitml")
    assert error.value.exit_code == 3
    assert error.value.message == (
        f"`{backend} tag tiny:v0.1.0 tiny:sha-0123456789ab` failed (exit code 125): "
        f"Error: tagging {backend} image: image not known: tiny:v0.1.0; the image is built as "
        "tiny:v0.1.0: fix the cause and run the command again"
    )
    calls = log.read_text().splitlines()
    assert any("tiny:v0.1.0" in call and call.split()[0] in {"build", "bud"} for call in calls)
    assert calls[-1] == "tag tiny:v0.1.0 tiny:sha-0123456789ab"  # stopped at the first failure


def test_an_archive_needs_an_image(tmp_path):
    from gitml.serving.containerize import build_and_containerize

    with pytest.raises(UsageError, match=r"--oci-archive saves the image: add --containerize"):
        build_and_containerize(tmp_path, oci_archive=tmp_path / "image.tar")


def test_saving_without_skopeo_names_the_fix(monkeypatch, tmp_path):
    from gitml.serving import archive

    monkeypatch.setattr(archive.shutil, "which", lambda name: None)
    with pytest.raises(GitmlError) as error:
        archive.save_oci_archive("buildah", ["classifier:v0.1.0"], tmp_path / "image.tar")
    assert error.value.message == (
        "`skopeo` is not installed; apt-get install skopeo (it saves the image)"
    )
