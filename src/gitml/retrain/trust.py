"""What a retraining branch may bring into a job that trains: its data version, never its code.

Only the default branch's code runs where gitml retrains (the stages, ``dvc.yaml``, params, the
project's own modules). Anyone who may push can add a commit to ``gitml/retrain/...`` (and write
a ``Gitml-Retrain`` trailer in it), so a branch is judged by what it changes, not by who says
they wrote it: against the commit it started from on the default branch, it may change only
the files a retraining commit holds (the dataset's ``.dvc`` file, ``dvc.lock`` files, the
pipeline's uncached outputs such as metrics and plots, ``.gitignore`` files), each a regular
file, and the ``.dvc`` file only in its hashes. Anything else is a foreign change: gitml refuses
with one line naming the commits that made it, and runs nothing.

Even a clean branch is not checked out: the work starts at the default branch's tip and takes
only the branch's ``.dvc`` file (the data version, read as CSV by the pipeline). ``dvc.lock`` is
never taken from the branch, since a crafted lock could have DVC restore a crafted model for a
trusted stage to load; the reproduction writes a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from gitml import dvc_adapter
from gitml.core.git import run_git
from gitml.errors import Refused

#: the keys of a ``.dvc`` file's output that change when its data does
HASH_KEYS = frozenset({"md5", "size", "nfiles", "hash"})
#: git modes of a regular file (and of a deleted one)
REGULAR_MODES = frozenset({"100644", "100755", "000000"})
MAX_NAMED = 5


@dataclass(frozen=True)
class Allowed:
    """The files a retraining commit may change, as paths from the top of the git repository."""

    dvc_file: str
    files: frozenset[str]

    def allows(self, path: str) -> bool:
        return (
            path == self.dvc_file
            or path in self.files
            or PurePosixPath(path).name == (".gitignore")
        )


def allowed(work: Path, dvc_file: str, prefix: str) -> Allowed:
    """What a retraining commit of the project in ``work`` (at the default branch; ``prefix``:
    its folder inside the repository, "" at the top) may change."""

    def top(path: str) -> str:
        return str(PurePosixPath(prefix) / path) if prefix else path

    files = frozenset(top(path) for path in dvc_adapter.pipeline_git_files(work))
    return Allowed(top(dvc_file), files)


@dataclass(frozen=True)
class Change:
    path: str
    mode: str
    status: str


def changes(top: Path, old: str, new: str) -> list[Change]:
    """Every file that differs between ``old`` and ``new``, from the repository's top."""
    raw = run_git(top, "diff", "--raw", "-z", "--no-renames", "--no-abbrev", old, new).stdout
    fields = raw.split("\0")
    found = []
    for header, path in zip(fields[0::2], fields[1::2], strict=False):
        if header.startswith(":"):
            _src, dst_mode, _a, _b, status = header[1:].split(" ")
            found.append(Change(path, dst_mode, status))
    return found


def foreign_paths(top: Path, old: str, new: str, rules: Allowed) -> list[str]:
    """The paths ``new`` changes against ``old`` that a retraining commit may not."""
    foreign = []
    for change in changes(top, old, new):
        allowed_file = rules.allows(change.path) and change.mode in REGULAR_MODES
        if change.path == rules.dvc_file:  # kept, and only its hashes changed
            allowed_file = allowed_file and change.status != "D"
            allowed_file = allowed_file and _only_hashes(top, old, new, change.path)
        if not allowed_file:
            foreign.append(change.path)
    return foreign


def _only_hashes(top: Path, old: str, new: str, path: str) -> bool:
    """The ``.dvc`` file at ``new`` differs from ``old``'s in its outputs' hashes only."""
    try:
        before, after = (
            yaml.safe_load(run_git(top, "show", f"{rev}:{path}").stdout) for rev in (old, new)
        )
    except yaml.YAMLError:
        return False

    def shape(document: object) -> object:
        if not isinstance(document, dict) or not isinstance(document.get("outs"), list):
            return None
        outs = [
            {k: v for k, v in out.items() if k not in HASH_KEYS} if isinstance(out, dict) else out
            for out in document["outs"]
        ]
        return {**document, "outs": outs}

    return shape(after) is not None and shape(before) == shape(after)


def foreign_commits(top: Path, old: str, new: str, paths: list[str]) -> list[str]:
    """``abc1234 subject (author)`` of each commit between ``old`` and ``new`` touching
    ``paths``, oldest first."""
    listed = run_git(
        top, "log", "--reverse", "--format=%h %s (%an)", f"{old}..{new}", "--", *paths
    ).stdout
    return [line for line in listed.splitlines() if line] or [
        run_git(top, "log", "-1", "--format=%h %s (%an)", new).stdout.strip()
    ]


def check_branch(top: Path, branch: str, base: str, tip: str, rules: Allowed) -> str:
    """The commit the branch started from on the default branch; a ``Refused`` naming the
    foreign commits when the branch changes anything but retraining files."""
    start = run_git(top, "merge-base", base, tip).stdout.strip()
    foreign = foreign_paths(top, start, tip, rules)
    if foreign:
        commits = foreign_commits(top, start, tip, foreign)
        shown = "; ".join(commits[:MAX_NAMED]) + (
            f"; and {len(commits) - MAX_NAMED} more" if len(commits) > MAX_NAMED else ""
        )
        raise Refused(
            f"branch {branch} holds commits gitml did not write, changing "
            f"{', '.join(sorted(foreign)[:MAX_NAMED])}: {shown}. gitml runs only the default "
            "branch's code where it retrains; remove those commits from the branch (or delete "
            "the branch and close its pull request) and run gitml retrain again"
        )
    return start


def take_data_version(top: Path, branch: str, base: str, tip: str, rules: Allowed) -> list[str]:
    """Check the branch, put its ``.dvc`` file (its data version) into the worktree at ``top``
    (the default branch's tip ``base``) and return the new commit's parents: the branch's tip,
    and ``base`` when the branch started from an older commit of the default branch."""
    start = check_branch(top, branch, base, tip, rules)
    if start == base:
        parents = [tip]
    else:
        moved = run_git(top, "diff", "--name-only", start, base, "--", rules.dvc_file).stdout
        if moved.strip():
            raise Refused(
                f"the default branch changed {rules.dvc_file} since branch {branch} started from "
                f"it, so the branch's data version lacks those changes; merge the default "
                f"branch into {branch} by hand, or delete the branch and close its pull request "
                "so gitml retrain starts a new one"
            )
        parents = [tip, base]
    run_git(top, "checkout", tip, "--", rules.dvc_file)
    return parents
