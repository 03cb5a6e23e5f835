"""``gitml models``: every version with its stages and the metrics it was promoted with."""

from __future__ import annotations

from pathlib import Path

from gitml.config import Settings, load_settings
from gitml.registry.promote import artifact_name
from gitml.registry.versions import ModelVersion, list_versions


def list_models(
    root: Path | str = ".", artifact: str | None = None, settings: Settings | None = None
) -> tuple[str, list[ModelVersion]]:
    settings = settings or load_settings(root)
    name = artifact_name(settings, artifact)
    return name, list_versions(root, name)


def render_table(versions: list[ModelVersion], metric_names: list[str] | None = None) -> str:
    """A plain-text table: version, stages, commit, date and the promotion metrics."""
    names = metric_names or sorted({m for v in versions for m in v.metrics})
    header = ["version", "stages", "commit", "registered", *names]
    rows = [header]
    for v in versions:
        rows.append(
            [
                v.version + ("" if v.active else " (deregistered)"),
                ", ".join(v.stages) or "-",
                v.commit[:7],
                v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "-",
                *(f"{v.metrics[m]:.4g}" if m in v.metrics else "-" for m in names),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return (
        "\n".join(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        )
        + "\n"
    )
