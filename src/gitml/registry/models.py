"""``gitml models``: every version with its stages and the metrics it was promoted with.

With no artifact named (no ``--artifact``, no ``[tool.gitml.promote] artifact``), every artifact
is listed: those the registry's tags name (as ``gto show`` lists them) and those ``dvc.yaml``
declares, registered or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitml.config import Settings, load_settings
from gitml.core.artifacts import ModelVersion, artifact_name
from gitml.errors import ConfigError, NotFound
from gitml.registry.versions import artifact_states, list_versions


@dataclass(frozen=True)
class ArtifactVersions:
    """One artifact's versions, as ``gitml models --artifact NAME`` shows them."""

    name: str
    versions: list[ModelVersion]
    #: deprecated (``name@deprecated``): ``gto show`` leaves it out unless ``-d``
    deprecated: bool = False


def list_models(
    root: Path | str = ".", artifact: str | None = None, settings: Settings | None = None
) -> ArtifactVersions:
    """The versions of ``artifact`` (default: ``[tool.gitml.promote] artifact``); an artifact
    neither the registry's tags nor dvc.yaml name is ``NotFound`` (exit 1, as ``gto show``)."""
    settings = settings or load_settings(root)
    name = artifact_name(settings, artifact)
    states = artifact_states(root)
    if name not in states:
        known = artifact_names(root, states)
        if name not in known:
            names = ", ".join(known) or "no artifact"
            raise NotFound(
                f"no artifact {name}: the registry's tags and dvc.yaml know {names}; "
                "check the name (`gitml models` lists them)"
            )
    return ArtifactVersions(name, list_versions(root, name), not states.get(name, True))


def artifact_names(root: Path | str, states: dict[str, bool] | None = None) -> list[str]:
    """Every artifact the registry's tags or the project's dvc.yaml know, sorted."""
    from gitml import dvc_adapter

    tagged = set(artifact_states(root) if states is None else states)
    try:
        with dvc_adapter.open_repo(root) as repo:
            declared = set(dvc_adapter.declared_artifacts(repo))
    except ConfigError:  # not a DVC project: a registry of tags only
        declared = set()
    return sorted(tagged | declared)


def list_all_models(
    root: Path | str = ".", deprecated: bool = False
) -> dict[str, list[ModelVersion]]:
    """The versions of every artifact (an empty list for one declared but never registered);
    deprecated artifacts only with ``deprecated``, as ``gto show -d``."""
    states = artifact_states(root)
    return {
        name: list_versions(root, name)
        for name in artifact_names(root, states)
        if deprecated or states.get(name, True)
    }


def render_all(models: dict[str, list[ModelVersion]]) -> str:
    """One table for every artifact: an artifact column, then :func:`render_table`'s columns."""
    header = ["artifact", "version", "stages", "commit", "registered"]
    rows = [header]
    for name, versions in models.items():
        if not versions:
            rows.append([name, "(none registered)", "-", "-", "-"])
        shown = f"{name} (deprecated)" if versions and versions[0].deprecated else name
        rows += [[shown, *row] for row in _rows(versions, [])]
    return _align(rows)


def _rows(versions: list[ModelVersion], names: list[str]) -> list[list[str]]:
    return [
        [
            _version_cell(v),
            ", ".join(v.stages) or "-",
            v.commit[:7],
            v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "-",
            *(f"{v.metrics[m]:.4g}" if m in v.metrics else "-" for m in names),
        ]
        for v in versions
    ]


def _version_cell(version: ModelVersion) -> str:
    if not version.registered:
        return f"{version.commit[:7]} (not registered)"
    return version.version + ("" if version.active else " (deregistered)")


def _align(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return (
        "\n".join(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        )
        + "\n"
    )


def render_table(versions: list[ModelVersion], metric_names: list[str] | None = None) -> str:
    """A plain-text table: version, stages, commit, date and the promotion metrics."""
    names = metric_names or sorted({m for v in versions for m in v.metrics})
    header = ["version", "stages", "commit", "registered", *names]
    return _align([header, *_rows(versions, names)])
