"""``[tool.gitml.deploy]``: the GitOps hand-off, optional.

When a stage moves, ``gitml deploy`` writes the stage's image (name and digest) into that stage's
kustomization file, for Argo CD or Flux to roll out. Example::

    [tool.gitml.deploy]
    image = "classifier"                      # the image name the manifests' Deployment uses
    branch = "main"                           # the branch the manifests live on

    [tool.gitml.deploy.stages]
    staging = "deploy/staging/kustomization.yaml"
    prod = "deploy/prod/kustomization.yaml"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from gitml.config.values import check_keys
from gitml.errors import ConfigError

DEPLOY_KEYS = {"image", "branch", "stages"}


@dataclass(frozen=True)
class DeploySettings:
    """Everything under ``[tool.gitml.deploy]``; ``stages`` empty means the hand-off is off."""

    #: the name the manifests' containers use for the model's image (None: the Bento's name)
    image: str | None = None
    #: the branch the manifests live on (None: ``[tool.gitml] base``)
    branch: str | None = None
    #: stage -> path of its kustomization file (relative to the repository's root)
    stages: dict[str, str] = field(default_factory=dict)

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
    for key in ("image", "branch"):
        if key in table:
            value = table[key]
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where} {key} must be a non-empty string, got {value!r}")
            values[key] = value.strip()
    stages = table.get("stages", {})
    if not isinstance(stages, dict):
        raise ConfigError(f'{where} stages must be a table of stage = "path/kustomization.yaml"')
    values["stages"] = {
        str(stage): _path(stage, path, "[tool.gitml.deploy.stages]")
        for stage, path in stages.items()
    }
    return DeploySettings(**values)
