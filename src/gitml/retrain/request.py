"""What ``gitml retrain`` is asked (``RetrainRequest``) and what it did (``Retrained``), shared by
its two halves: ``prepare`` (train and commit, no token) and ``publish`` (push and open the pull
request, no project code)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gitml import dvc_adapter
from gitml.config import Settings
from gitml.core.model import StageRun
from gitml.errors import ConfigError, UsageError
from gitml.retrain.append import Appended
from gitml.retrain.pull_request import PullRequest

#: variables that carry a token that may push or call GitHub: never in the environment of a
#: process that runs the pipeline's stages (they could read it, and so could any process they
#: start, from /proc/<pid>/environ of gitml and its parents)
TOKEN_VARIABLES = (
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GIT_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
)


@dataclass(frozen=True)
class RetrainRequest:
    """What ``gitml retrain`` was asked to do (its options)."""

    data: tuple[Path, ...]
    dataset: str | None = None
    branch: str | None = None
    pr: bool = True
    #: reproduce the pipeline and commit its dvc.lock and metrics with the data (else the
    #: commit holds the data alone and its dvc.lock is stale: gitml promote refuses it)
    reproduce: bool = True
    summary: Path | None = None
    repository: str | None = None
    api_url: str | None = None
    remote: str = "origin"
    root: Path = Path(".")
    #: the date in the default branch name (YYYY-MM-DD, UTC); None: today
    date: str | None = None
    #: ask the git remote for its branches (False: use the remote-tracking refs the checkout
    #: fetched, in a job that holds no credentials)
    fetch: bool = True
    #: the file the publishing half reads the token from (None: GITHUB_TOKEN, GH_TOKEN)
    token_file: Path | None = None


@dataclass
class Retrained:
    """What a retraining did, as data for the command to render."""

    model: str = ""
    #: set when there was nothing to do; the one line that says why
    nothing: str | None = None
    dataset: str = ""
    dvc_file: str = ""
    branch: str = ""
    appended: Appended | None = None
    sources: tuple[tuple[str, int], ...] = ()
    #: files pushed to the DVC remote: the data, and with a reproduction its outputs and run-cache
    data_pushed: int = 0
    #: the reproduction's stages (empty without one)
    stages: list[StageRun] = field(default_factory=list)
    reproduced: bool = False
    #: the files of the commit, relative to the project root
    committed: list[str] = field(default_factory=list)
    commit: str | None = None
    #: "created", "updated", "unchanged" or None (no pull request asked for, or none needed)
    pr_action: str | None = None
    pr: PullRequest | None = None
    #: the branch was pushed (the publishing half ran)
    pushed: bool = False
    notes: list[str] = field(default_factory=list)


def model_name(root: Path, settings: Settings) -> str:
    """``[tool.gitml.retrain] model``, else the promoted artifact, else dvc.yaml's one model."""
    name = settings.retrain.model or settings.promote.artifact
    if name:
        return name
    models = dvc_adapter.project_outline(root).model_artifacts
    if len(models) > 1:
        raise ConfigError(
            f"dvc.yaml declares several models ({', '.join(models)}); name the one to retrain "
            'with [tool.gitml.retrain] model = "NAME"'
        )
    return models[0] if models else "model"


def refuse_tokens(environment: Mapping[str, str]) -> None:
    """A ``UsageError`` when a token is in the environment of the process about to run the
    pipeline's stages: unsetting it would not hide it (``/proc/<pid>/environ`` keeps a process's
    starting environment), so it must never be there."""
    held = [name for name in TOKEN_VARIABLES if environment.get(name)]
    if held:
        raise UsageError(
            f"{' and '.join(held)} {'is' if len(held) == 1 else 'are'} in the environment of "
            "gitml retrain, which runs the pipeline's stages, and they could read it; give the "
            "token as a file (--token-file FILE, read only to push and open the pull request), "
            "or run the halves apart: gitml retrain --prepare DIR without it, then gitml "
            "retrain --publish DIR with it (or pass --no-repro: no stage runs)"
        )
