"""Move a registered version into a stage (``gitml promote --to prod --version v1.2.0``).

This is also the last step of the release workflow: the stage tag is created and pushed only
after the version's image was pushed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gitml.config import Settings, load_settings
from gitml.core.artifacts import ModelVersion, artifact_name, semver_key, version_in_stage
from gitml.registry import git, tags
from gitml.registry.lock import registry_lock
from gitml.registry.promote import PromotionRefused, resolve_version
from gitml.registry.versions import list_versions


@dataclass
class StageMove:
    artifact: str
    version: str
    commit: str
    stage: str
    #: the version that was in the stage before, as a person reads it (``ModelVersion.label``;
    #: None when the stage was empty)
    previous: str | None
    tags: list[str] = field(default_factory=list)
    pushed: bool = False
    attempts: int = 1

    @property
    def changed(self) -> bool:
        return bool(self.tags)


def assign_stage(
    root: Path | str = ".",
    *,
    version: str,
    stage: str,
    artifact: str | None = None,
    push: bool = True,
    remote: str = "origin",
    retries: int = tags.DEFAULT_RETRIES,
    allow_older: bool = False,
    settings: Settings | None = None,
    action: str = "gitml promote --to",
    notes: tuple[str, ...] = (),
) -> StageMove:
    """Assign ``stage`` to ``version``; a no-op when it is already the version in that stage.

    Moving a stage to a version older than the one it holds is refused unless ``allow_older``
    (a deliberate rollback): two release runs finishing out of order must not put the older
    model back into staging, since the last assignment wins for ``gto show`` and DVC.
    The tag's message names ``action`` and carries ``notes`` (``gitml-<key>: value`` lines:
    the validation, an override's or a rollback's reason, the image; see ``history``).
    """
    settings = settings or load_settings(root)
    name = artifact_name(settings, artifact)
    message = Message(action, tuple(notes))

    def attempt() -> tuple[StageMove, list[str]]:
        return _assign_once(root, name, version, stage, allow_older, message)

    with registry_lock(root), tags.gto_errors("create the registry tags"):
        if push:
            git.require_remote(root, remote)
        move, attempts = tags.publish(root, attempt, push=push, remote=remote, retries=retries)
    move.pushed = push and move.changed
    move.attempts = attempts
    return move


@dataclass(frozen=True)
class Message:
    """What the stage tag's message says besides the move: who did it and its notes."""

    action: str
    notes: tuple[str, ...] = ()

    def text(self, stage: str, name: str, version: str, previous: str | None) -> str:
        head = (
            f"Assigning stage {stage} to artifact {name} version {version} "
            f"({self.action}; was {previous or 'empty'})"
        )
        return head + ("\n\n" + "\n".join(self.notes) + "\n" if self.notes else "")


def _assign_once(
    root: Path | str,
    name: str,
    version: str,
    stage: str,
    allow_older: bool,
    message: Message = Message("gitml promote --to"),
) -> tuple[StageMove, list[str]]:
    """One attempt: the stage tag for ``version`` created locally (none when already there),
    and the tags to push; ``tags.publish`` calls it again after losing a push race."""
    import gto.api

    target: ModelVersion = resolve_version(root, name, version)
    if not target.active:
        _refuse_deregistered(target, stage)
    current = version_in_stage(list_versions(root, name), stage)
    move = StageMove(name, target.version, target.commit, stage, current.label if current else None)
    if current is not None and current.version == target.version:
        return move, []
    if current is not None and not allow_older:
        _refuse_going_back(stage, current.version, target.version)
    tags.wait_for_new_second(root, name)
    event = gto.api.assign(  # force: re-entering a stage it held before
        str(root),
        name,
        stage,
        force=True,
        version=target.version,
        message=message.text(stage, name, target.version, move.previous),
    )
    move.tags = [event.tag]
    return move, move.tags


def _refuse_deregistered(target: ModelVersion, stage: str) -> None:
    """GTO would write the stage tag and then not show the version in the stage (it skips
    deregistered versions) while DVC's resolver, which ignores deregistrations, would serve it:
    refuse before any tag is made."""
    raise PromotionRefused(
        f"refusing to assign {stage} to {target.artifact} {target.version}: the version was "
        f"deregistered (tag {target.tag}!), so `gto show` would not show it in {stage}; "
        f"register the commit again with `gitml promote --rev {target.commit[:12]} --stage "
        f"{stage}`, or move an active version (`gitml models`)"
    )


def _refuse_going_back(stage: str, current: str, target: str) -> None:
    """Two release runs finishing out of order must not put the older model back."""
    if semver_key(target) < semver_key(current):
        raise PromotionRefused(
            f"refusing to move {stage} back: it holds {current}, newer than "
            f"{target}; pass "
            "--allow-older to roll back on purpose"
        )
