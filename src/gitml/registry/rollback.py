"""``gitml rollback``: move a stage back to the version it held before, or to a named version that
held it; nothing is deleted, the move is one more assignment tag whose message says why.

"Before" is defined on the stage's history (``history.read_history``): walking the stage's
assignments back from the current holder's latest assignment, the first one of another version
that is still registered and not deprecated. Unassignments are skipped (an empty stage is no version
to go back to). A rollback is itself an assignment, so rolling back twice returns to where it
began: A then B in prod, a rollback puts A back (B held it before A's new assignment), and a
second rollback puts B back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitml.config import Settings, load_settings
from gitml.core.artifacts import artifact_name, version_in_stage
from gitml.errors import UsageError
from gitml.registry import tags
from gitml.registry.assign import StageMove, assign_stage
from gitml.registry.history import RegistryEvent, detail_line, read_history
from gitml.registry.versions import list_versions


def previous_holder(events: list[RegistryEvent], current: str, active: set[str]) -> str | None:
    """The version ``events`` (one stage's, oldest first) say held the stage before ``current``'s
    latest assignment; see the module docstring. None when there is none."""
    assignments = [e for e in events if e.event == "assignment"]
    latest = max((i for i, e in enumerate(assignments) if e.version == current), default=None)
    if latest is None:
        return None
    for event in reversed(assignments[:latest]):
        if event.version != current and event.version in active:
            return event.version
    return None


@dataclass(frozen=True)
class RollbackPlan:
    artifact: str
    stage: str
    current: str
    target: str


def plan_rollback(
    root: Path | str, stage: str, to: str | None = None, artifact: str | None = None,
    settings: Settings | None = None,
) -> RollbackPlan:  # fmt: skip
    """Which version ``stage`` goes back to (see the module docstring); a ``UsageError`` naming
    why when there is none."""
    settings = settings or load_settings(root)
    name = artifact_name(settings, artifact)
    versions = list_versions(root, name)
    current = version_in_stage(versions, stage)
    if current is None:
        raise UsageError(f"{stage} holds no version of {name}: nothing to roll back")
    events = read_history(root, name, stage)
    active = {v.version for v in versions if v.active}
    held = {e.version for e in events if e.event == "assignment" and e.version}
    if to is not None:
        target = to if to.startswith("v") else f"v{to}"
        if target == current.version:
            raise UsageError(f"{name} {target} is already in {stage}")
        if target not in held or target not in active:
            raise UsageError(
                f"{name} {target} never held {stage} (or is no longer registered): a rollback "
                f"goes back to a version that held it ({', '.join(sorted(held & active))}); "
                f"move a stage to a new version with `gitml promote --to {stage} --version V`"
            )
        return RollbackPlan(name, stage, current.version, target)
    found = previous_holder(events, current.version, active)
    if found is None:
        raise UsageError(
            f"{name} {current.version} is the only registered version {stage} ever held: "
            "there is nothing to roll back to"
        )
    return RollbackPlan(name, stage, current.version, found)


def rollback(
    root: Path | str = ".",
    *,
    stage: str,
    to: str | None = None,
    reason: str | None = None,
    artifact: str | None = None,
    push: bool = True,
    remote: str = "origin",
    retries: int = tags.DEFAULT_RETRIES,
    settings: Settings | None = None,
) -> StageMove:
    """Move ``stage`` back (see the module docstring); the tag message records ``reason``."""
    settings = settings or load_settings(root)
    plan = plan_rollback(root, stage, to, artifact, settings)
    notes = (
        detail_line("rollback", {"from": plan.current, "to": plan.target}),
        detail_line("reason", reason or "none given"),
    )
    return assign_stage(root, version=plan.target, stage=stage, artifact=plan.artifact, push=push,
                        remote=remote, retries=retries, allow_older=True, settings=settings,
                        action="gitml rollback", notes=notes)  # fmt: skip
