"""``gitml deploy`` into a separate manifests repository: a pull request, not a push.

Teams that keep their Kubernetes manifests apart from the model's code (``[tool.gitml.deploy]
repository = "acme/k8s-manifests"``) review what reaches the cluster there. gitml clones that
repository's branch, writes the stage's image into the kustomization file, force-pushes the commit
to a branch of its own (``gitml/deploy/<artifact>-<stage>``: gitml owns it, one per stage) and
opens a pull request, or updates the one it opened before (found by its marker and by the account
gitml acts as, never by the marker alone). When the branch already pins the image, nothing is
pushed and gitml's open pull request of that stage, now proposing an image the stage left, is
closed.

The token (``GITML_MANIFESTS_TOKEN``: may push branches and open pull requests in that
repository) reaches git only through a credential helper that reads it from the environment, so
it appears in no command line, URL or file; ``GITHUB_SERVER_URL`` says where the repository is
cloned from (GitHub Enterprise; a ``file://`` folder in the tests).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from gitml.core.git import commit_file, last_line, run_git
from gitml.core.secrets import hold
from gitml.deploy.kustomization import ImageRef, current_image, set_image
from gitml.errors import RemoteError, UsageError
from gitml.github.client import RetrySettings
from gitml.github.context import resolve
from gitml.github.pull_requests import PullRequest, PullRequests, web_url

TOKEN_VARIABLE = "GITML_MANIFESTS_TOKEN"
#: git asks this helper for credentials: the token from the environment, never on a command line
CREDENTIAL_HELPER = (
    '!f() { test "$1" = get && echo username=x-access-token && '
    f'echo "password=${TOKEN_VARIABLE}"; }}; f'
)


@dataclass(frozen=True)
class ManifestsChange:
    """One stage's image for the manifests repository (what ``gitml deploy`` resolved)."""

    artifact: str
    stage: str
    version: str
    image: str
    path: str
    #: the name the manifests' containers use for the model's image
    container: str


@dataclass(frozen=True)
class Proposed:
    """What happened in the manifests repository."""

    branch: str
    base: str
    commit: str | None = None
    pull_request: PullRequest | None = None
    opened: bool = False
    #: gitml's pull request closed because the branch already pins the image
    closed: PullRequest | None = None


def head_branch(change: ManifestsChange) -> str:
    return f"gitml/deploy/{change.artifact}-{change.stage}"


def marker(change: ManifestsChange) -> str:
    return f"<!-- gitml:deploy artifact={change.artifact} stage={change.stage} -->"


def git_env(env: Mapping[str, str], token: str) -> dict[str, str]:
    """The environment git runs with: only gitml's credential helper, the token beside it."""
    clean = {k: v for k, v in env.items() if not k.startswith("GIT_CONFIG_")}
    return {
        **clean,
        TOKEN_VARIABLE: token,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "credential.helper",
        "GIT_CONFIG_VALUE_0": "",  # an empty helper forgets the ones configured before
        "GIT_CONFIG_KEY_1": "credential.helper",
        "GIT_CONFIG_VALUE_1": CREDENTIAL_HELPER,
    }


def _title(change: ManifestsChange) -> str:
    return f"Deploy {change.artifact} {change.version} to {change.stage}"


def _body(change: ManifestsChange, env: Mapping[str, str]) -> str:
    source = env.get("GITHUB_REPOSITORY")
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    origin = f" from [{source}]({server}/{source})" if source else ""
    return (
        f"Deploys **{change.artifact} {change.version}** to **{change.stage}**{origin}: "
        f"`{change.path}` pins the image `{change.image}` by digest.\n\n"
        f"The model registry moved {change.stage} to {change.version} (its stage tag records who "
        "moved it and why: `gitml models --history`). Merging this pull request rolls it out. "
        f"gitml updates this pull request on the next move of {change.stage}, and closes it "
        "when the branch already pins the stage's image.\n\n"
        f"{marker(change)}\n"
    )


def _clone_url(env: Mapping[str, str], repository: str, api_web: str) -> str:
    server = env.get("GITHUB_SERVER_URL") or api_web
    return f"{server.rstrip('/')}/{repository}.git"


def _write_commit(work: Path, change: ManifestsChange) -> str | None:
    """Commit the image into the checkout; None when the file already pins it."""
    file = work / change.path
    text = file.read_text(encoding="utf-8") if file.exists() else ""
    if current_image(text, change.path, change.container) == change.image:
        return None
    file.parent.mkdir(parents=True, exist_ok=True)
    updated = set_image(text, change.path, change.container, ImageRef.parse(change.image))
    file.write_text(updated, encoding="utf-8")
    message = (
        f"{_title(change)}\n\n{change.path}: {change.image}\n\n"
        f"Gitml-Deploy: {change.stage} {change.version}\n"
    )
    return commit_file(work, change.path, message)


def propose(
    repository: str,
    change: ManifestsChange,
    *,
    branch: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Proposed:
    """Open or update gitml's pull request that pins ``change`` in ``repository``."""
    env = dict(os.environ if env is None else env)
    token = env.get(TOKEN_VARIABLE)
    if not token:
        raise UsageError(
            f"[tool.gitml.deploy] repository = {repository!r} needs a token: set "
            f"{TOKEN_VARIABLE} (the release workflow's manifests-token secret) to one that may "
            f"push branches and open pull requests in {repository}"
        )
    hold(token)
    context = resolve({**env, "GITHUB_TOKEN": token}, repository=repository)
    github = PullRequests(context, RetrySettings.from_env(env))
    base = branch or github.default_branch()
    head = head_branch(change)
    url, git = _clone_url(env, repository, web_url(context)), git_env(env, token)
    folder = Path(tempfile.mkdtemp(prefix="gitml-manifests-"))
    try:
        work = folder / "work"
        cloned = run_git(folder, "clone", "--quiet", "--depth", "1", "--single-branch",
                         "--branch", base, url, str(work), check=False, env=git)  # fmt: skip
        if cloned.returncode != 0:
            raise RemoteError(
                f"cannot clone branch {base} of {repository} ({last_line(cloned.stderr)}); check "
                f"that {TOKEN_VARIABLE} may read {repository} and that the branch exists"
            )
        sha = _write_commit(work, change)
        if sha is not None:
            _push(work, sha, head, repository, git)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    existing = github.find_open(marker(change), base)
    done = Proposed(branch=head, base=base, commit=sha)
    if sha is None:
        if existing is not None:
            github.close(existing)
        return replace(done, closed=existing)
    title, body = _title(change), _body(change, env)
    if existing is not None:
        github.update(existing, title, body)
        return replace(done, pull_request=replace(existing, title=title, body=body))
    return replace(done, pull_request=github.create(base, head, title, body), opened=True)


def _push(work: Path, sha: str, head: str, repository: str, git: Mapping[str, str]) -> None:
    pushed = run_git(work, "push", "--quiet", "--force", "origin", f"{sha}:refs/heads/{head}",
                     check=False, env=git)  # fmt: skip
    if pushed.returncode != 0:
        raise RemoteError(
            f"{repository} refused the push of {head} ({last_line(pushed.stderr)}); check that "
            f"{TOKEN_VARIABLE} may push branches there (contents: write)"
        )
