"""What a registration tag records beyond its metrics: the version it was compared with and the
gates it passed, so the model card of any version tells them as they were at registration.

Two lines at the end of the ``name@vX.Y.Z`` tag's message::

    gitml-baseline: v0.1.0          (or "none": the stage was empty)
    gitml-gates: [{"metric": "accuracy", "rule": "min 0.9", "passed": true, "detail": "..."}]

A tag message is data anyone with push rights could write: it is parsed strictly, and a version
registered before gitml recorded these (or by hand) has ``recorded`` False, never a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml.core.artifacts import ModelVersion
from gitml.core.git import run_git
from gitml.core.model import GateResult

BASELINE_MARKER = "gitml-baseline: "
GATES_MARKER = "gitml-gates: "
_GATE_FIELDS = {"metric": str, "rule": str, "passed": bool, "detail": str}


@dataclass(frozen=True)
class RecordedGate:
    metric: str
    rule: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "rule": self.rule,
            "passed": self.passed,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class RegistrationFacts:
    """The baseline and gates a registration tag recorded; ``recorded`` False when it has none."""

    recorded: bool = False
    #: the version compared with; None: the stage was empty
    baseline: str | None = None
    gates: tuple[RecordedGate, ...] = field(default_factory=tuple)
    #: who made the registration tag and when (``git``'s tagger), when the tag is annotated
    tagger: str | None = None
    tagged_at: str | None = None


def facts_lines(baseline: ModelVersion | None, gates: list[GateResult]) -> str:
    """The lines a registration tag's message ends with."""
    recorded = [gate.to_dict() for gate in gates]
    return (
        f"{BASELINE_MARKER}{baseline.version if baseline else 'none'}\n"
        f"{GATES_MARKER}{json.dumps(recorded, sort_keys=True)}\n"
    )


def parse_facts(message: str) -> tuple[bool, str | None, tuple[RecordedGate, ...]]:
    """(recorded, baseline, gates) from a registration tag's message."""
    baseline_line = gates_line = None
    for line in message.splitlines():
        if line.startswith(BASELINE_MARKER):
            baseline_line = line[len(BASELINE_MARKER) :].strip()
        elif line.startswith(GATES_MARKER):
            gates_line = line[len(GATES_MARKER) :]
    if baseline_line is None or gates_line is None:
        return False, None, ()
    gates = _gates(gates_line)
    if gates is None:
        return False, None, ()
    baseline = None if baseline_line == "none" else baseline_line
    return True, baseline, gates


def _gates(text: str) -> tuple[RecordedGate, ...] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, list):
        return None
    gates = []
    for item in data:
        if not isinstance(item, dict) or any(
            not isinstance(item.get(name), kind) for name, kind in _GATE_FIELDS.items()
        ):
            return None
        gates.append(RecordedGate(**{name: item[name] for name in _GATE_FIELDS}))
    return tuple(gates)


def registration_facts(root: Path | str, artifact: str, version: str) -> RegistrationFacts:
    """What the registration tag of ``artifact`` ``version`` recorded, with its tagger."""
    tag = f"{artifact.replace(':', '=')}@{version}"
    shown = run_git(
        root,
        "for-each-ref",
        "--format=%(taggername)%0a%(taggerdate:iso-strict)%0a%(contents)",
        f"refs/tags/{tag}",
    ).stdout
    if not shown.strip():
        return RegistrationFacts()
    tagger, _, rest = shown.partition("\n")
    tagged_at, _, message = rest.partition("\n")
    recorded, baseline, gates = parse_facts(message)
    return RegistrationFacts(
        recorded, baseline, gates, tagger.strip() or None, tagged_at.strip() or None
    )
