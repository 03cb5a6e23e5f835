"""Image naming and backend checks (no image is built here; see test_image.py)."""

from __future__ import annotations

import pytest

from gitml.errors import GitmlError, UsageError
from gitml.serving import containerize as containerize_module
from gitml.serving.containerize import containerize, default_repository, image_tags


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
    assert default_repository("classifier") == "classifier"
    monkeypatch.setenv("GITHUB_REPOSITORY", "Acme/Models")
    assert default_repository("classifier") == "ghcr.io/acme/models/classifier"


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
