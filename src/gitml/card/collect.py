"""Gather one version's card from what gitml knows: the registry's tags, DVC's records at the
version's commit, the project's ``MODEL_CARD.md`` and, with a token, GitHub's pull request."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from gitml import dvc_adapter
from gitml.card.model import DataFile, ModelCard, ValidationSummary
from gitml.card.template import read_template
from gitml.config import Settings, load_settings
from gitml.core.artifacts import artifact_name
from gitml.github.api import GitHubApi
from gitml.github.client import RetrySettings
from gitml.github.context import resolve as resolve_context
from gitml.github.errors import ApiError
from gitml.github.pull_facts import MergeFacts, merge_facts
from gitml.registry.facts import registration_facts
from gitml.registry.promote import resolve_version
from gitml.registry.signatures import has_signature, signature_tag

#: Row counts are read only from text tables up to this size in the working tree.
MAX_COUNTED_BYTES = 64 * 1024 * 1024
COUNTED_SUFFIXES = (".csv", ".tsv")


def count_rows(root: Path | str, tracked: dvc_adapter.TrackedInput) -> int | None:
    """Data rows of a CSV/TSV input when the working tree holds that very version (its md5
    is the one DVC recorded) and it is small enough to read at once; else None."""
    path = Path(root) / tracked.path
    if tracked.nfiles is not None or not tracked.path.endswith(COUNTED_SUFFIXES):
        return None
    if not path.is_file() or path.stat().st_size > MAX_COUNTED_BYTES:
        return None
    data = path.read_bytes()
    if hashlib.md5(data, usedforsecurity=False).hexdigest() != tracked.md5:
        return None
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return max(lines - 1, 0)  # the header


def pull_request(
    commit: str, env: Mapping[str, str], github: bool
) -> tuple[MergeFacts | None, str | None]:
    """The merged pull request of ``commit`` and, when there is none, why."""
    if not github:
        return None, "not looked up (--no-github)"
    context = resolve_context(env)
    if not context.token or not context.repository:
        return None, "not looked up (no GITHUB_TOKEN and GITHUB_REPOSITORY)"
    api = GitHubApi.connect(context, RetrySettings.from_env(env))
    try:
        found = merge_facts(api, commit)
    except ApiError as error:
        return None, f"not read: {error.message}"
    finally:
        api.close()
    return found, None if found else "none: the commit reached the branch without one"


def repository_url(env: Mapping[str, str]) -> str | None:
    repository = env.get("GITHUB_REPOSITORY")
    if not repository:
        return None
    return f"{env.get('GITHUB_SERVER_URL', 'https://github.com').rstrip('/')}/{repository}"


def collect_card(
    root: Path | str = ".",
    *,
    version: str,
    artifact: str | None = None,
    settings: Settings | None = None,
    env: Mapping[str, str] | None = None,
    github: bool = True,
    validation: ValidationSummary | None = None,
) -> ModelCard:
    """The card of ``artifact`` ``version``. ``validation`` fills the card's validation slot
    (a ``gitml validate`` result for prod); ``github`` False skips the pull request lookup."""
    settings = settings or load_settings(root)
    env = os.environ if env is None else env
    name = artifact_name(settings, artifact)
    found = resolve_version(root, name, version)
    facts = registration_facts(root, name, found.version)
    lineage = dvc_adapter.model_lineage(root, dvc_adapter.artifact_path(root, name), found.commit)
    merge, note = pull_request(found.commit, env, github)
    signed = has_signature(root, name, found.version)
    return ModelCard(
        artifact=name,
        version=found.version,
        commit=found.commit,
        registered_at=facts.tagged_at,
        registered_by=facts.tagger,
        stages=found.stages,
        model=lineage.model,
        stage=lineage.stage,
        params=lineage.params,
        data=tuple(DataFile(entry, count_rows(root, entry)) for entry in lineage.inputs),
        metrics=dict(found.metrics),
        recorded=facts.recorded,
        baseline=facts.baseline,
        gates=facts.gates,
        merge=merge,
        merge_note=note,
        signature_tag=signature_tag(name, found.version) if signed else None,
        signing_method=settings.signing.method if signed else None,
        template=read_template(root, found.commit),
        validation=validation,
        repository_url=repository_url(env),
    )
