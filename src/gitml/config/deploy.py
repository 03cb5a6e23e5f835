"""``[tool.gitml.deploy]``: the GitOps hand-off, optional.

When a stage moves, ``gitml deploy`` writes the stage's image (name and digest) into that stage's
kustomization file, for Argo CD or Flux to roll out. Example::

    [tool.gitml.deploy]
    image = "classifier"                      # the image name the manifests' Deployment uses
    branch = "main"                           # the branch the manifests live on

    [tool.gitml.deploy.stages]
    staging = "deploy/staging/kustomization.yaml"
    prod = "deploy/prod/kustomization.yaml"

With ``repository = "acme/k8s-manifests"`` the files are in that repository instead, and the
change goes there as a pull request (one per stage, updated by the next move), opened with the
token in ``GITML_MANIFESTS_TOKEN``; ``branch`` is then that repository's branch (default: its
default branch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from gitml.config.values import check_keys
from gitml.errors import ConfigError

DEPLOY_KEYS = {"image", "branch", "repository", "stages"}
#: GitHub's rules for owner and repository names
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


@dataclass(frozen=True)
class DeploySettings:
    """Everything under ``[tool.gitml.deploy]``; ``stages`` empty means the hand-off is off."""

    #: the name the manifests' containers use for the model's image (None: the Bento's name)
    image: str | None = None
    #: the branch the manifests live on (None: ``[tool.gitml] base``)
    branch: str | None = None
    #: stage -> path of its kustomization file (relative to the repository's root)
    stages: dict[str, str] = field(default_factory=dict)
    #: a separate manifests repository (``owner/name``): a pull request there, not a push here
    repository: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.stages)


def _path(stage: str, value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} {stage} must be the path of a kustomization file")
    path = PurePosixPath(value.strip())
    if path.is_absolute() or ".." in path.parts:
        raise ConfigError(
            f"{where} {stage} = {value!r} must be a path inside the repository (no '..')"
        )
    if path.name not in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        raise ConfigError(
            f"{where} {stage} = {value!r} must name a kustomization.yaml (kustomize reads only "
            "that name)"
        )
    return str(path)


def parse_deploy_settings(table: Any) -> DeploySettings:
    """Validate a ``[tool.gitml.deploy]`` table."""
    where = "[tool.gitml.deploy]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    check_keys(table, DEPLOY_KEYS, where)
    values: dict[str, Any] = {}
    for key in ("image", "branch", "repository"):
        if key in table:
            value = table[key]
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where} {key} must be a non-empty string, got {value!r}")
            values[key] = value.strip()
    repository = values.get("repository")
    if repository is not None and (
        not _REPOSITORY.fullmatch(repository) or repository.split("/")[1] in (".", "..")
    ):
        raise ConfigError(
            f"{where} repository = {repository!r} must be a GitHub repository as OWNER/NAME"
        )
    stages = table.get("stages", {})
    if not isinstance(stages, dict):
        raise ConfigError(f'{where} stages must be a table of stage = "path/kustomization.yaml"')
    values["stages"] = {
        str(stage): _path(stage, path, "[tool.gitml.deploy.stages]")
        for stage, path in stages.items()
    }
    return DeploySettings(**values)
