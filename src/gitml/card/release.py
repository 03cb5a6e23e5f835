"""Publish a version's GitHub Release from its papers folder (:mod:`gitml.card.papers`): the
card's body as the release body, every paper as an asset, on the version's tag."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from gitml.card.papers import read_papers
from gitml.config import load_settings
from gitml.core.artifacts import artifact_name
from gitml.errors import UsageError
from gitml.github.api import GitHubApi
from gitml.github.client import RetrySettings
from gitml.github.context import resolve as resolve_context
from gitml.github.release import PublishedRelease, ReleaseRequest, publish_release
from gitml.registry.promote import resolve_version


def publish_version_release(
    root: Path | str,
    *,
    version: str,
    papers: Path,
    artifact: str | None = None,
    env: Mapping[str, str] | None = None,
    repository: str | None = None,
) -> PublishedRelease:
    """Create or update the release on ``<artifact>@<version>`` from ``papers``."""
    env = os.environ if env is None else env
    name = artifact_name(load_settings(root), artifact)
    found = resolve_version(root, name, version)
    read = read_papers(papers)
    context = resolve_context(env, repository=repository)
    if not context.token or not context.repository:
        raise UsageError(
            "publishing a release needs GITHUB_TOKEN (contents: write) and GITHUB_REPOSITORY "
            "(or --repo)"
        )
    request = ReleaseRequest(
        tag=found.tag,
        name=f"{name} {found.version}",
        body=read.body,
        commit=found.commit,
        assets=read.assets,
    )
    api = GitHubApi.connect(context, RetrySettings.from_env(env))
    try:
        return publish_release(api, request)
    finally:
        api.close()
