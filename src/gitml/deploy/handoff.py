"""``gitml deploy``: hand a stage's model over to a GitOps deployment (Argo CD, Flux).

The version in the stage and its image come from the registry: the release records the pushed
image, by digest, in the stage tag's message (``gitml promote --to staging --image``); any later
move of that version (prod) finds it there. The image goes into the stage's kustomization file
(``[tool.gitml.deploy] stages``), committed on the manifests' branch in a temporary worktree and
pushed; a push that loses a race with another commit is redone on the new tip, a bounded number
of times.

The commit does not start the release workflow again: its message carries ``[skip ci]`` (GitHub
starts no push workflow for it) and, in the workflow, it is pushed with the job's
``GITHUB_TOKEN``, whose pushes start no workflow either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitml.config import Settings, load_settings
from gitml.core.artifacts import artifact_name, version_in_stage
from gitml.core.git import commit_file, last_line, run_git, temporary_worktree
from gitml.deploy.kustomization import ImageRef, current_image, set_image
from gitml.deploy.manifests import ManifestsChange, propose
from gitml.errors import DataError, RemoteError, UsageError
from gitml.registry.history import read_history
from gitml.registry.versions import list_versions
from gitml.serving.build import bento_name

#: How many times a push that lost a race is redone on the branch's new tip.
RETRIES = 5
SKIP_CI = "[skip ci]"


@dataclass(frozen=True)
class Deployed:
    """What ``gitml deploy`` did: the file, the image, and the commit (None: nothing changed)."""

    stage: str
    version: str
    image: str
    path: str
    branch: str
    commit: str | None = None
    pushed: bool = False
    #: with a separate manifests repository: the pull request (its address) and what was done
    #: to it (``opened``, ``updated``, ``closed``)
    pull_request: str | None = None
    pull_request_action: str | None = None


def recorded_image(root: Path | str, artifact: str, version: str) -> ImageRef | None:
    """The newest image the registry's tag messages record for ``version``."""
    for event in reversed(read_history(root, artifact)):
        if event.version == version and isinstance(event.details.get("image"), str):
            return ImageRef.parse(event.details["image"])
    return None


def _attempt(root: Path, remote: str, branch: str, plan: Deployed, name: str, push: bool):
    """One try on the branch's tip: (commit or None when nothing changes, pushed)."""
    start = f"{remote}/{branch}" if push else branch
    with temporary_worktree(root, start, prefix="gitml-deploy-") as work:
        file = work / plan.path
        text = file.read_text(encoding="utf-8") if file.exists() else ""
        if current_image(text, plan.path, name) == plan.image:
            return None, False
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(set_image(text, plan.path, name, ImageRef.parse(plan.image)), "utf-8")
        message = (
            f"Deploy {name} {plan.version} to {plan.stage} {SKIP_CI}\n\n"
            f"{plan.path}: {plan.image}\n\nGitml-Deploy: {plan.stage} {plan.version}\n"
        )
        sha = commit_file(work, plan.path, message)
        if not push:
            run_git(root, "update-ref", f"refs/heads/{branch}", sha)
            return sha, False
        pushed = run_git(root, "push", "--porcelain", remote, f"{sha}:refs/heads/{branch}",
                         check=False)  # fmt: skip
        if pushed.returncode == 0:
            return sha, True
        said = pushed.stdout + pushed.stderr
        if "[rejected]" in said or "non-fast-forward" in said or "fetch first" in said:
            return sha, False  # another commit won: redo on the new tip
        raise RemoteError(
            f"{remote} refused the push of {plan.path} to {branch} ({last_line(said)}); check "
            "that the token may push (contents: write) and that the branch takes pushes "
            "(branch protection)"
        )


def deploy(
    root: Path | str = ".",
    *,
    stage: str,
    artifact: str | None = None,
    image: str | None = None,
    push: bool = True,
    remote: str = "origin",
    settings: Settings | None = None,
) -> Deployed:
    """Write the image of the version in ``stage`` into the stage's kustomization file, commit
    and push it (see the module docstring)."""
    root = Path(root)
    settings = settings or load_settings(root)
    name = artifact_name(settings, artifact)
    path = settings.deploy.stages.get(stage)
    if path is None:
        raise UsageError(f"no kustomization for {stage}: set [tool.gitml.deploy.stages] {stage}")
    current = version_in_stage(list_versions(root, name), stage)
    if current is None:
        raise UsageError(f"no version of {name} is in {stage}: nothing to deploy")
    ref = ImageRef.parse(image) if image else recorded_image(root, name, current.version)
    if ref is None:
        raise DataError(
            f"no image is recorded for {name} {current.version}: the release records it when "
            f"it assigns staging (gitml promote --to staging --image NAME@sha256:...); pass "
            "--image NAME@sha256:... to deploy one by hand"
        )
    container = settings.deploy.image or bento_name(name)
    if settings.deploy.repository is not None:
        change = ManifestsChange(name, stage, current.version, str(ref), path, container)
        return _proposed(settings.deploy.repository, change, settings.deploy.branch)
    branch = settings.deploy.branch or settings.base
    plan = Deployed(stage, current.version, str(ref), path, branch)
    for _ in range(RETRIES):
        if push:
            tracking = f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"
            run_git(root, "fetch", "--quiet", remote, tracking)
        sha, pushed = _attempt(root, remote, branch, plan, container, push)
        if sha is None or pushed or not push:
            return Deployed(stage, plan.version, plan.image, path, branch, sha, pushed)
    raise RemoteError(
        f"could not push {path} to {remote}/{branch}: {RETRIES} pushes lost the race to other "
        "commits; run gitml deploy again"
    )


def _proposed(repository: str, change: ManifestsChange, branch: str | None) -> Deployed:
    done = propose(repository, change, branch=branch)
    pull, action = done.pull_request, None
    if pull is not None:
        action = "opened" if done.opened else "updated"
    elif done.closed is not None:
        pull, action = done.closed, "closed"
    return Deployed(
        change.stage, change.version, change.image, change.path, done.base, done.commit,
        pushed=done.commit is not None, pull_request=pull.url if pull else None,
        pull_request_action=action,
    )  # fmt: skip
