"""What every demo step works with: the folder, the progress, the environment it passes on, and
the facts the earlier steps left (one record per pull request and per release)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml.core.git import run_git
from gitml.demo.folder import DemoFolder
from gitml.demo.progress import Progress

REPOSITORY = "demo/breast-cancer"
TOKEN = "ghs_demo0000000000000000000000000000000"
#: written into each of the demo's repositories (not the process, not the user's settings): a
#: demo identity, and no signing (a global ``commit.gpgsign`` would otherwise ask for a key)
GIT_SETTINGS = {
    "user.name": "gitml demo",
    "user.email": "demo@gitml.invalid",
    "commit.gpgsign": "false",
    "tag.gpgsign": "false",
    "advice.detachedHead": "false",
}


def demo_environment(folder: DemoFolder, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the demo passes to what it runs: the caller's, with BentoML's store in
    the demo's folder and no usage reports. ``os.environ`` itself is left as it is."""
    env = dict(os.environ if base is None else base)
    env["BENTOML_HOME"] = str(folder.bentoml_home)
    env["BENTOML_DO_NOT_TRACK"] = "True"
    return env


@dataclass
class Context:
    folder: DemoFolder
    progress: Progress
    #: lines for stdout (the report, the answers); the command prints them
    show: Any
    #: the environment every child process and BentoML call gets (see :func:`demo_environment`)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def facts(self) -> dict[str, Any]:
        return self.folder.facts

    def pull(self, number: int) -> dict[str, Any]:
        """What the steps recorded of pull request ``number`` (branch, head, base, verdict...)."""
        return self.facts.setdefault("pulls", {}).setdefault(str(number), {})

    def release(self, number: int) -> dict[str, Any]:
        """The release made by merging pull request ``number`` (version, stage, Bento)."""
        return self.facts.setdefault("releases", {}).setdefault(str(number), {})


def git(root: Path, *args: str) -> str:
    return run_git(root, *args).stdout.strip()


def configure_git(root: Path) -> None:
    """The demo's git settings in the repository at ``root`` (see ``GIT_SETTINGS``)."""
    for key, value in GIT_SETTINGS.items():
        git(root, "config", key, value)


def fresh(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


def clone(ctx: Context, path: Path, branch: str) -> None:
    """A fresh clone of ``branch`` of the demo's origin, with the demo's git settings."""
    fresh(path)
    settings = [arg for key, value in GIT_SETTINGS.items() for arg in ("-c", f"{key}={value}")]
    git(
        ctx.folder.root,
        "clone",
        "--quiet",
        *settings,
        "--branch",
        branch,
        str(ctx.folder.origin),
        str(path),
    )


def describe_stages(result: Any) -> str:
    """``prepare ran (1.2s), train cached (unchanged)``: what a ``gitml run`` did."""
    from gitml.core.wording import STAGE_TEXT

    stages = ", ".join(
        f"{s.name} {STAGE_TEXT.get(s.status, s.status)}"
        + (f" ({s.seconds:.1f}s)" if s.status == "ran" else "")
        for s in result.stages
    )
    return stages or "no stages"
