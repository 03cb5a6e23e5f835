"""The git side of retraining: which branch, whether it is gitml's, commit, push.

The work happens in a temporary ``git worktree`` at the default branch's tip, so the user's own
checkout (its branch, its uncommitted files) is never touched and only the default branch's code
runs (``trust.py`` decides what an existing retraining branch may bring: its data version, never
its code); the commit is made there and becomes a branch only when the remote has taken it, so a
refused push leaves nothing committed on any branch.

A branch is gitml's retraining branch of a model when its first commit past the base (or its tip,
when it has none) carries the trailer ``Gitml-Retrain: <model>``: that names it, it does not make
it trusted (anyone who may push can write a trailer).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gitml.core.git import run_git
from gitml.errors import RemoteError, UsageError

TRAILER = "Gitml-Retrain"
PREFIX = "gitml/retrain/"


@dataclass(frozen=True)
class Target:
    """The branch to commit on, the default branch's tip, and the branch's own tip."""

    name: str
    #: the default branch's tip on the remote: the work starts there
    base: str
    #: the branch's tip when it exists on the remote with commits past the base (an earlier
    #: run's), else None
    tip: str | None = None

    @property
    def exists(self) -> bool:
        return self.tip is not None


def default_name(model: str, date: str) -> str:
    return f"{PREFIX}{model}-{date}"


def check_name(name: str) -> str:
    """``name`` when it is a plain branch name, else a ``UsageError``. git's own ``check-ref-format
    --branch`` expands ``@`` and ``@{-1}`` and accepts ``refs/heads/x`` (which would become
    ``refs/heads/refs/heads/x``), so the name is checked as written: a valid ref under
    ``refs/heads/``, not ``HEAD``, no ``@{``, no leading ``-`` or ``refs/``."""
    plain = (
        name
        and name not in ("@", "HEAD")
        and "@{" not in name
        and not name.startswith(("-", "refs/"))
        and run_git(".", "check-ref-format", f"refs/heads/{name}", check=False).returncode == 0
    )
    if not plain:
        raise UsageError(
            f"--branch {name!r} is not a plain branch name (such as retrain/june); git's "
            "shorthands (@, @{-1}) and full refs (refs/heads/...) are refused"
        )
    return name


def describe_remote(root: Path, remote: str) -> str:
    url = run_git(root, "remote", "get-url", remote, check=False).stdout.strip()
    return f"git remote '{remote}' ({url})" if url else f"git remote '{remote}'"


def remote_branches(root: Path, remote: str, base: str, online: bool = True) -> dict[str, str]:
    """Branch name -> sha on ``remote``: asked of the remote (``online``), else as the last fetch
    left them in ``refs/remotes/REMOTE/`` (a job without credentials whose checkout fetched every
    branch)."""
    if run_git(root, "remote", "get-url", remote, check=False).returncode != 0:
        raise UsageError(f"no git remote '{remote}' to push the retraining branch to; add it")
    if not online:
        return _tracking_branches(root, remote, base)
    listed = run_git(root, "ls-remote", "--heads", remote, check=False)
    if listed.returncode != 0:
        raise RemoteError(
            f"cannot read the branches of {describe_remote(root, remote)}: "
            f"{_last(listed.stderr)}; check the URL and the credentials"
        )
    heads = {}
    for line in listed.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        heads[ref.removeprefix("refs/heads/")] = sha
    if base not in heads:
        raise UsageError(f"{describe_remote(root, remote)} has no branch '{base}' (the base)")
    return heads


def _tracking_branches(root: Path, remote: str, base: str) -> dict[str, str]:
    prefix = f"refs/remotes/{remote}/"
    listed = run_git(root, "for-each-ref", "--format=%(refname) %(objectname)", prefix)
    heads = {}
    for line in listed.stdout.splitlines():
        ref, _, sha = line.partition(" ")
        if ref != f"{prefix}HEAD":
            heads[ref.removeprefix(prefix)] = sha
    if base not in heads:
        raise UsageError(
            f"no {prefix}{base} in this clone (the base); fetch every branch first "
            "(actions/checkout with fetch-depth: 0), or let gitml fetch (without --no-fetch)"
        )
    return heads


def fetch(root: Path, remote: str, branches: list[str]) -> None:
    refspecs = [f"+refs/heads/{b}:refs/remotes/{remote}/{b}" for b in dict.fromkeys(branches)]
    result = run_git(root, "fetch", "--quiet", "--no-tags", remote, *refspecs, check=False)
    if result.returncode != 0:
        raise RemoteError(
            f"cannot fetch from {describe_remote(root, remote)}: {_last(result.stderr)}"
        )


def owner(root: Path, base_sha: str, tip: str) -> str | None:
    """The model named by the branch's first commit past the base (or its tip); None if none."""
    first = run_git(root, "rev-list", "--reverse", f"{base_sha}..{tip}").stdout.split()
    commit = first[0] if first else tip
    body = run_git(root, "log", "-1", "--format=%B", commit).stdout
    found = re.search(rf"^{TRAILER}:\s*(\S+)\s*$", body, re.MULTILINE)
    return found.group(1) if found else None


def has_commits_past(root: Path, base_sha: str, tip: str) -> bool:
    return bool(run_git(root, "rev-list", "--max-count=1", f"{base_sha}..{tip}").stdout.strip())


def choose(
    root: Path,
    remote: str,
    base: str,
    model: str,
    date: str,
    requested: str | None,
    online: bool = True,
) -> Target:
    """The branch to add to: ``--branch``, else the newest unmerged branch of this model's that
    gitml made, else ``gitml/retrain/<model>-<date>``. Git alone decides (the half that runs
    the pipeline holds no GitHub token); the publishing half checks the open pull request."""
    heads = remote_branches(root, remote, base, online)
    ours = sorted(b for b in heads if b.startswith(f"{PREFIX}{model}-"))
    if online:
        fetch(root, remote, [base, *ours, *(n for n in (requested,) if n in heads)])
    base_sha = heads[base]
    name = requested
    if name is None:
        unmerged = [
            b
            for b in ours
            if has_commits_past(root, base_sha, heads[b])
            and owner(root, base_sha, heads[b]) == model
        ]
        name = _newest(root, unmerged, heads) if unmerged else default_name(model, date)
    check_name(name)
    if name == base:
        raise UsageError(f"--branch {name} is the base branch; retraining goes on its own branch")
    if name not in heads:
        return Target(name, base_sha)
    made_by = owner(root, base_sha, heads[name])
    if made_by != model:
        raise UsageError(
            f"branch {name} already exists on {describe_remote(root, remote)} and is not gitml's "
            f"retraining branch for {model} (its first commit has no '{TRAILER}: {model}' "
            "trailer); pass --branch with another name, or delete that branch"
        )
    if has_commits_past(root, base_sha, heads[name]):
        return Target(name, base_sha, heads[name])
    return Target(name, base_sha)  # merged: start again from the base


def _newest(root: Path, branches: list[str], heads: dict[str, str]) -> str:
    def committed(branch: str) -> int:
        return int(run_git(root, "log", "-1", "--format=%ct", heads[branch]).stdout.strip())

    return max(branches, key=lambda b: (committed(b), b))


def commit(work: Path, paths: list[str], message: str, parents: list[str]) -> str:
    """Commit ``paths`` (relative to ``work``) as they are in the worktree, on ``parents``
    (the branch's tip, and the default branch's when the branch is behind it); move the
    worktree's detached HEAD there and return the sha. No hook runs (``commit-tree``).

    Without a git identity (a fresh CI runner) the commit is made as ``gitml retrain``.
    """
    run_git(work, "add", "--", *paths)
    identity = []
    for key, fallback in (("user.name", "gitml retrain"), ("user.email", "gitml@users.noreply")):
        if not run_git(work, "config", key, check=False).stdout.strip():
            identity += ["-c", f"{key}={fallback}"]
    tree = run_git(work, "write-tree").stdout.strip()
    linked = [arg for parent in parents for arg in ("-p", parent)]
    sha = run_git(work, *identity, "commit-tree", tree, *linked, "-m", message).stdout.strip()
    run_git(work, "update-ref", "--no-deref", "HEAD", sha)
    return sha


def bundle(top: Path, sha: str, parents: list[str]) -> bytes:
    """Commit ``sha`` as a git bundle holding what ``parents`` lack (its one head: ``HEAD``,
    which points at it in the worktree ``top``)."""
    folder = Path(tempfile.mkdtemp(prefix="gitml-retrain-bundle-"))
    try:
        path = folder / "commit.bundle"
        excluded = [f"^{parent}" for parent in parents]
        run_git(top, "bundle", "create", "--quiet", str(path), "HEAD", *excluded)
        return path.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def committed_files(work: Path, sha: str) -> list[str]:
    """The files commit ``sha`` changed against its first parent (against the default branch's
    tip, its last parent, when it brings the branch up to date), relative to ``work``."""
    parents = run_git(work, "rev-parse", f"{sha}^@").stdout.split()
    shown = run_git(work, "diff", "--name-only", "--relative", parents[-1], sha)
    return [line for line in shown.stdout.splitlines() if line]


def push(root: Path, remote: str, sha: str, name: str) -> None:
    """Push ``sha`` to ``refs/heads/NAME`` (a fast-forward or a new branch), then point the
    remote-tracking ref and a local branch of that name (when there is none) at it."""
    result = run_git(root, "push", "--porcelain", remote, f"{sha}:refs/heads/{name}", check=False)
    if result.returncode != 0:
        reason = _rejection(result.stdout, result.stderr) or _last(result.stderr)
        raise RemoteError(
            f"{describe_remote(root, remote)} refused the push of branch {name} ({reason}); "
            "nothing was committed on any branch (what went to the DVC remote is harmless "
            "there); check that the token may push branches (contents: write) and run again"
        )
    run_git(root, "update-ref", f"refs/remotes/{remote}/{name}", sha, check=False)
    if run_git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False).stdout:
        return
    run_git(root, "branch", "--quiet", name, sha, check=False)


def _rejection(porcelain: str, stderr: str) -> str | None:
    """Why the remote refused (``pre-receive hook declined``), with what it said (``remote:``)."""
    for line in porcelain.splitlines():
        if line.startswith("!"):
            status = line.split("\t")[-1].strip()
            found = re.search(r"\((.*)\)\s*$", status)
            reason = found.group(1) if found else status
            said = [
                text.removeprefix("remote:").strip()
                for text in stderr.splitlines()
                if text.startswith("remote:") and text.removeprefix("remote:").strip()
            ]
            return f"{reason}: {' '.join(said)}" if said else reason
    return None


def _last(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


@dataclass(frozen=True)
class RetrainCommit:
    """One ``gitml retrain`` commit on the branch, read back from its trailers."""

    sha: str
    date: str
    added: int
    dropped: int
    rows_after: int | None
    sources: tuple[str, ...]
    #: the pipeline was reproduced in the commit (``Gitml-Pipeline: reproduced``); None: the
    #: commit does not say (made before gitml recorded it)
    reproduced: bool | None = None


def history(root: Path, base: str, tip: str) -> list[RetrainCommit]:
    """gitml's retraining commits between ``base`` and ``tip``, oldest first."""
    out = run_git(root, "log", "--reverse", "--format=%H%x00%cs%x00%B%x1e", f"{base}..{tip}")
    found = []
    for record in out.stdout.split("\x1e"):
        if not record.strip():
            continue
        sha, date, body = record.strip("\n").split("\x00", 2)
        trailers = _trailers(body)
        if TRAILER not in trailers:
            continue
        found.append(
            RetrainCommit(
                sha=sha,
                date=date,
                added=_int(trailers.get("Gitml-Rows-Added")) or 0,
                dropped=_int(trailers.get("Gitml-Rows-Dropped")) or 0,
                rows_after=_int(trailers.get("Gitml-Rows-Total"), None),
                sources=tuple(trailers.get("Gitml-Source", "").split("; "))
                if trailers.get("Gitml-Source")
                else (),
                reproduced=_pipeline(trailers.get("Gitml-Pipeline")),
            )
        )
    return found


def _pipeline(value: str | None) -> bool | None:
    if not value:
        return None
    return value.strip() == "reproduced"


def _trailers(body: str) -> dict[str, str]:
    return dict(re.findall(r"^(Gitml-[A-Za-z-]+):[ \t]*(.*)$", body, re.MULTILINE))


def _int(value: str | None, default: int | None = 0) -> int | None:
    return int(value) if value and value.strip().isdigit() else default
