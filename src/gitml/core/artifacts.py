"""Artifacts and their versions as data: which artifact a command means, GTO's semver versions,
the next version, and the metrics a registration tag carries.

Reading the tags is the registry's job (``gitml.registry.versions``, through GTO); everything here
is pure, so serving, monitoring and the registry share it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gitml.config import Settings
from gitml.errors import ConfigError


def artifact_name(settings: Settings, artifact: str | None) -> str:
    """The artifact a command works on: ``--artifact``, else ``[tool.gitml.promote] artifact``."""
    name = artifact or settings.promote.artifact
    if not name:
        raise ConfigError(
            'no artifact to promote; set [tool.gitml.promote] artifact = "NAME" (declared in '
            "dvc.yaml under `artifacts:`) or pass --artifact"
        )
    return name


#: Marks the JSON line gitml writes into a registration tag's message.
METRICS_MARKER = "gitml-metrics: "
SEMVER = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")
BUMPS = ("major", "minor", "patch")


@dataclass(frozen=True)
class ModelVersion:
    """One registered version of an artifact."""

    artifact: str
    version: str
    commit: str
    created_at: datetime | None
    #: stages this version is currently in (GTO's view)
    stages: tuple[str, ...] = ()
    #: metrics recorded when the version was promoted (empty for versions gitml did not create),
    #: by name; a name two metrics files share is ``file:name`` (``flat_metrics``)
    metrics: dict[str, float] = field(default_factory=dict)
    #: False once deregistered (``name@vX.Y.Z!``)
    active: bool = True
    #: False for a commit a stage was assigned to without registering it
    #: (``gto assign NAME REF --stage S --sr``): its ``version`` is the commit's sha, as GTO names it
    registered: bool = True
    #: the whole artifact is deprecated (``name@deprecated``)
    deprecated: bool = False
    #: the same metrics by metrics file (``""``: a tag from before gitml recorded the file)
    metrics_by_file: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        return f"{self.artifact}@{self.version}"

    @property
    def status(self) -> str:
        """``active``, ``deregistered``, ``unregistered`` or ``deprecated`` (the artifact)."""
        if self.deprecated:
            return "deprecated"
        if not self.registered:
            return "unregistered"
        return "active" if self.active else "deregistered"

    @property
    def label(self) -> str:
        """How a person reads it: the version, or the short commit of an unregistered one."""
        return self.version if self.registered else f"{self.commit[:7]}, not registered"

    def to_dict(self) -> dict[str, Any]:
        return {
            "artifact": self.artifact,
            "version": self.version,
            "commit": self.commit,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "stages": list(self.stages),
            "metrics": dict(self.metrics),
            "metrics_by_file": {
                file: dict(values) for file, values in self.metrics_by_file.items()
            },
            "tag": self.tag if self.registered else None,
            "status": self.status,
            "active": self.active,
            "registered": self.registered,
        }


def semver_key(version: str) -> tuple[int, int, int]:
    match = SEMVER.match(version)
    if not match:
        return (-1, -1, -1)
    return (int(match[1]), int(match[2]), int(match[3]))


def next_version(existing: list[str], bump: str) -> str:
    """The version after the highest of ``existing`` (any ever registered); v0.0.0 when none.

    >>> next_version(["v0.1.0", "v0.2.0"], "minor")
    'v0.3.0'
    >>> next_version([], "minor")
    'v0.1.0'
    """
    if bump not in BUMPS:
        raise ValueError(f"bump must be one of {BUMPS}, got {bump!r}")
    valid = [semver_key(v) for v in existing if SEMVER.match(v)]
    major, minor, patch = max(valid, default=(0, 0, 0))
    if bump == "major":
        return f"v{major + 1}.0.0"
    if bump == "minor":
        return f"v{major}.{minor + 1}.0"
    return f"v{major}.{minor}.{patch + 1}"


def metrics_message(
    artifact: str,
    version: str,
    metrics: dict[str, dict[str, float]],
    not_loaded: Sequence[str] = (),
) -> str:
    """A registration tag message that carries the metrics the version was promoted with, by
    metrics file (``{"eval/metrics.json": {"dice": 0.9}}``: two files may share a name), and
    the metrics files that did not load, said in words."""
    lines = [f"Registering artifact {artifact} version {version}", ""]
    if not_loaded:
        lines += [f"Metrics not loaded: {'; '.join(not_loaded)}", ""]
    lines.append(f"{METRICS_MARKER}{json.dumps(metrics, sort_keys=True)}")
    return "\n".join(lines) + "\n"


def _numbers(data: dict[str, Any]) -> dict[str, float]:
    return {
        k: v for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def parse_metrics_by_file(message: str | None) -> dict[str, dict[str, float]]:
    """The metrics a registration tag carries, by metrics file. Tags written before gitml kept
    the file (``{"accuracy": 0.9}``) give their metrics under ``""``."""
    for line in (message or "").splitlines():
        if line.startswith(METRICS_MARKER):
            try:
                data = json.loads(line[len(METRICS_MARKER) :])
            except ValueError:
                return {}
            if not isinstance(data, dict):
                return {}
            by_file = {f: _numbers(v) for f, v in data.items() if isinstance(v, dict)}
            old = _numbers(data)
            return {**({"": old} if old else {}), **by_file}
    return {}


def flat_metrics(by_file: dict[str, dict[str, float]]) -> dict[str, float]:
    """Metrics by name: a name only one file has is itself, a shared one ``file:name``."""
    counts: dict[str, int] = {}
    for values in by_file.values():
        for name in values:
            counts[name] = counts.get(name, 0) + 1
    return {
        (name if counts[name] == 1 or not file else f"{file}:{name}"): value
        for file, values in sorted(by_file.items())
        for name, value in values.items()
    }


def parse_metrics(message: str | None) -> dict[str, float]:
    """The metrics a registration tag carries, by name (``flat_metrics``): what ``gitml models``
    shows and monitoring compares against."""
    return flat_metrics(parse_metrics_by_file(message))


def version_in_stage(versions: list[ModelVersion], stage: str) -> ModelVersion | None:
    """The version GTO considers current in ``stage`` (the highest one assigned to it)."""
    for version in versions:
        if version.active and stage in version.stages:
            return version
    return None


def find_version(versions: list[ModelVersion], name: str) -> ModelVersion | None:
    """The registered version called ``name`` (``v1.2.0`` or ``1.2.0``)."""
    wanted = name if name.startswith("v") else f"v{name}"
    return next((v for v in versions if v.version == wanted and v.registered), None)
