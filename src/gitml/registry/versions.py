"""Read the registry: versions, their stages and the metrics each was promoted with.

Everything goes through ``gto.api`` so that gitml, ``gto show`` and ``dvc artifacts get`` read the
same tags; DVC's own resolver is not used because it ignores deregister and unassign tags.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitml.core.artifacts import ModelVersion, flat_metrics, parse_metrics_by_file, semver_key


def _show(root: Path | str, artifact: str) -> list[dict[str, Any]]:
    import gto.api
    from gto.exceptions import GTOException

    try:
        return gto.api.show(str(root), artifact, deprecated=True)
    except GTOException:
        return []  # no tag of this artifact yet


def list_versions(root: Path | str, artifact: str) -> list[ModelVersion]:
    """Every registered version of ``artifact``, newest (highest semver) first."""
    found = []
    for raw in _show(root, artifact):
        if not raw.get("registrations"):
            continue  # a commit GTO only discovered, never registered
        stages = tuple(dict.fromkeys(s["stage"] for s in raw.get("stages", [])))
        by_file = parse_metrics_by_file(raw["registrations"][0].get("message"))
        found.append(
            ModelVersion(
                artifact=artifact,
                version=raw["version"],
                commit=raw["commit_hexsha"],
                created_at=raw.get("created_at"),
                stages=stages if raw.get("is_active", True) else (),
                metrics=flat_metrics(by_file),
                active=bool(raw.get("is_active", True)),
                metrics_by_file=by_file,
            )
        )
    return sorted(found, key=lambda v: semver_key(v.version), reverse=True)
