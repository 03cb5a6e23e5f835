"""Read the registry: versions, their stages and the metrics each was promoted with.

Everything goes through ``gto.api`` so that gitml, ``gto show`` and ``dvc artifacts get`` read the
same tags; DVC's own resolver is not used because it ignores deregister and unassign tags.

Besides the registered versions (active or deregistered), the list holds every commit a stage was
assigned to without registering it (``gto assign NAME REF --stage S --sr``, or a ``name#stage#N``
tag made by hand), as ``gto show`` lists it: its version is the commit's sha and ``registered`` is
False. Those commits take no version number and cannot be moved with ``--to``; they are listed so
that a stage never disappears and a promotion says what it replaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gitml.core.artifacts import ModelVersion, flat_metrics, parse_metrics_by_file, semver_key
from gitml.errors import UsageError


@contextmanager
def reading_registry(root: Path | str) -> Iterator[None]:
    """A folder outside any git repository is a ``UsageError`` naming it (GTO's SCMError)."""
    from scmrepo.exceptions import SCMError

    try:
        yield
    except SCMError:
        raise UsageError(
            f"{Path(root).resolve()} is not in a git repository: the registry is its git tags; "
            "run `gitml models` in your project's clone"
        ) from None


def _show(root: Path | str, artifact: str) -> list[dict[str, Any]]:
    import gto.api
    from gto.exceptions import GTOException

    with reading_registry(root):
        try:
            return gto.api.show(str(root), artifact, deprecated=True)
        except GTOException:
            return []  # no tag of this artifact yet


def artifact_states(root: Path | str) -> dict[str, bool]:
    """Every artifact the registry's tags name, and whether it is active (``gto show -d``):
    False once deprecated (``name@deprecated``)."""
    import gto.api
    from gto.exceptions import GTOException

    with reading_registry(root):
        try:
            shown = gto.api.show(str(root), deprecated=True)
        except GTOException:
            return {}
    return {name: bool(state.get("active", True)) for name, state in shown.items()}


def _deprecated(root: Path | str, artifact: str) -> bool:
    """Whether ``artifact`` is deprecated as GTO tells it (its last event a deprecation); the
    registry is read a second time only when a ``NAME@deprecated`` tag exists at all."""
    from gitml.core.git import run_git

    tags = run_git(root, "tag", "--list", f"{artifact}@deprecated", check=False).stdout
    return bool(tags.strip()) and not artifact_states(root).get(artifact, True)


def _version(artifact: str, raw: dict[str, Any], deprecated: bool) -> ModelVersion:
    registrations = raw.get("registrations") or []
    active = bool(raw.get("is_active", True))
    stages = tuple(dict.fromkeys(s["stage"] for s in raw.get("stages", [])))
    by_file = parse_metrics_by_file(registrations[0].get("message")) if registrations else {}
    return ModelVersion(
        artifact=artifact,
        version=raw["version"],
        commit=raw["commit_hexsha"],
        created_at=raw.get("created_at"),
        stages=stages if active else (),
        metrics=flat_metrics(by_file),
        active=active,
        registered=bool(registrations),
        deprecated=deprecated,
        metrics_by_file=by_file,
    )


def list_versions(root: Path | str, artifact: str) -> list[ModelVersion]:
    """Every registered version of ``artifact``, newest (highest semver) first, then the
    unregistered commits that hold a stage (see the module's docstring)."""
    deprecated = _deprecated(root, artifact)
    found: dict[str, ModelVersion] = {}
    for raw in _show(root, artifact):
        if not raw.get("registrations") and not raw.get("stages"):
            continue  # a commit GTO only discovered: neither registered nor in a stage
        # GTO lists a commit it discovered through a stage tag twice: keep one
        found.setdefault(raw["version"], _version(artifact, raw, deprecated))
    return sorted(found.values(), key=lambda v: (v.registered, semver_key(v.version)), reverse=True)
