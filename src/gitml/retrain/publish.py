"""The half of ``gitml retrain`` that pushes the branch and opens the pull request.

It holds the token and runs no project code: no stage, no install of the project's requirements.
What ``prepare`` handed over is data from a job that ran the pipeline, so it is checked before
anything is pushed (``handoff.read``, then here): the model, base and branch must be the ones
this checkout's settings give (a branch outside ``gitml/retrain/<model>-`` only when the caller
named it), the branch must still be where ``prepare`` found it, the commit's parents must be
exactly that tip (and the default branch's, when it brings the branch up to date), and its tree
must differ from the default branch's commit only in the files a retraining commit holds
(``trust.py``). gitml's open pull request of the model is found by its marker and its author
(the exact account the token writes as); it must be on the prepared branch. Then the branch is
pushed (a fast-forward) and the pull request opened or updated; if GitHub fails then, the error
says the branch is there and how to open the pull request, which a second run also does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gitml import dvc_adapter
from gitml.config import Settings, load_settings
from gitml.core.git import run_git, temporary_worktree
from gitml.core.model import StageRun, StageState
from gitml.core.secrets import hold
from gitml.errors import GitHubError, Refused, UsageError
from gitml.retrain import body, branch, handoff, trust
from gitml.retrain.append import Appended
from gitml.retrain.pull_request import ApiError, compare_url, pull_requests
from gitml.retrain.request import Retrained, model_name

#: a token file holds one token; anything much larger is not one
MAX_TOKEN_FILE = 16 * 1024


@dataclass(frozen=True)
class PublishRequest:
    """What the publishing half was asked (``gitml retrain --publish DIR`` and its options)."""

    folder: Path
    pr: bool = True
    repository: str | None = None
    api_url: str | None = None
    remote: str = "origin"
    root: Path = Path(".")
    #: a branch the caller named (``--branch``): allowed outside ``gitml/retrain/<model>-``
    branch: str | None = None
    token_file: Path | None = None


def with_token(env: Mapping[str, str], token_file: Path | None) -> Mapping[str, str]:
    """``env`` with the token read from ``token_file`` as ``GITHUB_TOKEN`` (masked from now on)."""
    if token_file is None:
        return env
    try:
        with open(token_file, "rb") as handle:
            data = handle.read(MAX_TOKEN_FILE + 1)
        token = data.decode("utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the token file {token_file} ({error})") from None
    if not token or len(data) > MAX_TOKEN_FILE or any(c.isspace() for c in token):
        raise UsageError(f"the token file {token_file} does not hold one token")
    hold(token)
    return {**env, "GITHUB_TOKEN": token}


def publish(request: PublishRequest, env: Mapping[str, str] | None = None) -> Retrained:
    """Check the hand-off in ``request.folder``, push its commit, open or update the PR."""
    env = with_token(os.environ if env is None else env, request.token_file)
    handed = handoff.read(request.folder)
    prepared = handed.prepared
    result = _result(prepared)
    if prepared.branch is None or (prepared.commit is None and prepared.start is None):
        return result
    if prepared.commit is None and not request.pr:
        return result
    root = Path(request.root).resolve()
    settings = load_settings(root)
    _check_names(root, settings, prepared, request.branch)
    github = pull_requests(env, request.repository, request.api_url) if request.pr else None
    open_pr = github.find_open(body.marker(prepared.model), settings.base) if github else None
    if open_pr is not None and open_pr.branch != prepared.branch:
        raise Refused(
            f"gitml's open retraining pull request for {prepared.model} (#{open_pr.number}) is "
            f"on branch {open_pr.branch}, not {prepared.branch}; prepare again with --branch "
            f"{open_pr.branch} (one open retraining pull request per model)"
        )
    _check_remote(root, request.remote, settings.base, prepared)
    if prepared.commit is not None and handed.bundle is not None:
        _receive(root, handed.bundle, prepared)
        branch.push(root, request.remote, prepared.commit, prepared.branch)
        result.pushed = True
    if github is not None:
        tip = prepared.commit or prepared.start or prepared.base_sha or ""
        _open_or_update(github, settings.base, root, request.remote, tip, result, open_pr, handed)
    return result


def _result(prepared: handoff.Prepared) -> Retrained:
    return Retrained(
        model=prepared.model,
        nothing=prepared.nothing,
        dataset=prepared.dataset,
        dvc_file=prepared.dvc_file or "",
        branch=prepared.branch or "",
        appended=Appended(*prepared.appended) if prepared.appended else None,
        sources=prepared.sources,
        data_pushed=prepared.data_pushed,
        stages=[
            StageRun(name, StageState(status), seconds) for name, status, seconds in prepared.stages
        ],
        reproduced=prepared.reproduced,
        committed=list(prepared.committed),
        commit=prepared.commit,
    )


def _check_names(root: Path, settings: Settings, prepared, named: str | None) -> None:
    """The model, base and branch are this checkout's own (the hand-off only repeats them)."""
    model = model_name(root, settings)
    if prepared.model != model or prepared.base != settings.base:
        raise Refused(
            f"the hand-off is for model {prepared.model} on {prepared.base}, but this project "
            f"retrains {model} on {settings.base}; publish it from the repository it was "
            "prepared in"
        )
    name = branch.check_name(prepared.branch)
    ours = name.startswith(f"{branch.PREFIX}{model}-") or name == named
    if not ours or name == settings.base:
        raise Refused(
            f"the hand-off names branch {name}, which is not a retraining branch of {model} "
            f"({branch.PREFIX}{model}-...); pass --branch {name} if you chose it"
        )


def _check_remote(root: Path, remote: str, base: str, prepared) -> None:
    """The default branch still holds the commit the work started from, and the branch is
    where ``prepare`` found it (absent, merged, or at ``start``)."""
    heads = branch.remote_branches(root, remote, base)
    present = [prepared.branch] if prepared.branch in heads else []
    branch.fetch(root, remote, [base, *present])
    if prepared.base_sha is None or not _is_ancestor(root, prepared.base_sha, heads[base]):
        raise Refused(
            f"the hand-off starts from {str(prepared.base_sha)[:12]}, which is not on {base} "
            f"of {branch.describe_remote(root, remote)}; prepare again"
        )
    tip = heads.get(prepared.branch)
    if prepared.start is None:
        moved = tip is not None and not _is_ancestor(root, tip, prepared.base_sha)
    else:
        moved = tip != prepared.start
    if moved:
        raise Refused(
            f"branch {prepared.branch} changed on {remote} since the retraining was prepared "
            f"(it is at {(tip or 'nothing')[:12]}); prepare again"
        )


def _is_ancestor(root: Path, older: str, newer: str) -> bool:
    result = run_git(root, "merge-base", "--is-ancestor", older, newer, check=False)
    return result.returncode == 0


def _receive(root: Path, bundle: Path, prepared) -> None:
    """Fetch the commit from the bundle (its objects checked by git) and check it: its parents
    and its tree against the default branch's commit it started from."""
    listed = run_git(root, "bundle", "list-heads", str(bundle), check=False)
    heads = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
    if listed.returncode != 0 or heads != [prepared.commit]:
        raise Refused(f"{bundle} is not a bundle of commit {prepared.commit} alone")
    fetched = run_git(root, "-c", "transfer.fsckObjects=true", "fetch", "--quiet", "--no-tags",
                      str(bundle), "HEAD", check=False)  # fmt: skip
    if fetched.returncode != 0:
        raise Refused(f"{bundle} cannot be read as a git bundle: {fetched.stderr.strip()[-200:]}")
    parents = run_git(root, "rev-parse", f"{prepared.commit}^@").stdout.split()
    if parents != _expected_parents(root, prepared):
        raise Refused(
            f"commit {prepared.commit[:12]} does not build on branch {prepared.branch} and the "
            f"default branch as gitml retrain does (its parents: {', '.join(parents)})"
        )
    _check_tree(root, prepared)


def _expected_parents(root: Path, prepared) -> list[str]:
    if prepared.start is None:
        return [prepared.base_sha]
    if _is_ancestor(root, prepared.base_sha, prepared.start):
        return [prepared.start]
    return [prepared.start, prepared.base_sha]


def _check_tree(root: Path, prepared) -> None:
    """The commit's tree is the default branch's commit with retraining files changed only."""
    top = Path(run_git(root, "rev-parse", "--show-toplevel").stdout.strip())
    inner = root.relative_to(top)
    prefix = "" if str(inner) == "." else inner.as_posix()
    with temporary_worktree(root, prepared.base_sha, prefix="gitml-retrain-") as checkout:
        tracked = {item.dvc_file for item in dvc_adapter.tracked_data(checkout / inner)}
        if prepared.dvc_file not in tracked:
            raise Refused(f"{prepared.dvc_file} is not a DVC-tracked data file of {prepared.base}")
        rules = trust.allowed(checkout / inner, prepared.dvc_file, prefix)
    foreign = trust.foreign_paths(top, prepared.base_sha, prepared.commit, rules)
    if foreign:
        raise Refused(
            f"commit {prepared.commit[:12]} changes {', '.join(sorted(foreign)[:5])}, which a "
            "retraining commit never does; nothing was pushed"
        )


def _open_or_update(github, base, root, remote, tip, result, open_pr, handed) -> None:
    commits = branch.history(root, f"{remote}/{base}", tip)
    previous = body.previous_summary(open_pr.body) if open_pr else None
    section = handed.summary or previous
    text = body.pr_body(result.model, result.dataset, result.dvc_file, base, commits, section)
    title = body.title(result.model, commits)
    try:
        if open_pr is None:
            result.pr = github.create(base, result.branch, title, text)
            result.pr_action = "created"
        else:
            changed = github.update(open_pr, title, text)
            result.pr, result.pr_action = open_pr, "updated" if changed else "unchanged"
    except ApiError as error:
        if open_pr is not None:
            raise GitHubError(
                f"branch {result.branch} is on {remote}, but pull request #{open_pr.number} could "
                f"not be updated: {error.message}. Run gitml retrain again to update it"
            ) from error
        raise GitHubError(
            f"branch {result.branch} is on {remote}, but the pull request could not be opened: "
            f"{error.message}. Open it by hand at {compare_url(github.context, base, result.branch)}"
            ", or run gitml retrain again: it finds the branch and opens the pull request"
        ) from error
