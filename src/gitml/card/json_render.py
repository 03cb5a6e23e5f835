"""The card as JSON data: the release's ``metrics.json`` asset (metrics, gates, baseline and
the rest of the card, for tools)."""

from __future__ import annotations

import json
from typing import Any

from gitml.card.model import ModelCard
from gitml.dvc_adapter import TrackedInput


def _tracked(entry: TrackedInput) -> dict[str, Any]:
    return {
        "path": entry.path,
        "md5": entry.md5,
        "size": entry.size,
        "nfiles": entry.nfiles,
        "source": entry.source,
    }


def to_dict(card: ModelCard) -> dict[str, Any]:
    return {
        "artifact": card.artifact,
        "version": card.version,
        "commit": card.commit,
        "registered_at": card.registered_at,
        "registered_by": card.registered_by,
        "stages": list(card.stages),
        "metrics": card.metrics,
        "gates_recorded": card.recorded,
        "baseline": card.baseline,
        "gates": [gate.to_dict() for gate in card.gates],
        "model": _tracked(card.model) if card.model else None,
        "stage": card.stage,
        "estimator": card.estimator,
        "params": card.params,
        "data": [{**_tracked(item.tracked), "rows": item.rows} for item in card.data],
        "pull_request": card.merge.to_dict() if card.merge else None,
        "pull_request_note": card.merge_note,
        "signature_tag": card.signature_tag,
        "validation": card.validation.to_dict() if card.validation else None,
    }


def render(card: ModelCard) -> str:
    return json.dumps(to_dict(card), indent=2, sort_keys=False, default=str) + "\n"
