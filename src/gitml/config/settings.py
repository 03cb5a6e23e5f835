"""The ``[tool.gitml]`` table of the project's ``pyproject.toml``, validated, and its loader.

Unknown keys and values of the wrong type are errors, never silently ignored: a typo in a gate would
otherwise turn into a gate that always passes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml.config.deploy import DeploySettings, parse_deploy_settings
from gitml.config.monitor import MonitorSettings, parse_monitor_settings
from gitml.config.signing import SigningSettings, parse_signing_settings
from gitml.config.validate import ValidateSettings, parse_validate_settings
from gitml.config.values import (
    DIRECTIONS,
    GATE_RULES,
    Gate,
    check_keys,
    number_setting,
    tomllib,
)
from gitml.errors import ConfigError


@dataclass(frozen=True)
class PromoteSettings:
    """How ``gitml promote`` registers versions (``[tool.gitml.promote]``)."""

    artifact: str | None = None
    #: None: chosen from the stages the registry already uses (``gitml.registry.stages``)
    stage: str | None = None
    bump: str = "minor"


@dataclass(frozen=True)
class SweepSettings:
    """The default grid of ``gitml sweep`` (``[tool.gitml.sweep]``)."""

    #: ``[file:]dotted.name`` -> the values to try
    params: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    #: run a seeded random subset of this many cells when the grid is larger
    max_runs: int | None = None
    #: the metric the leaderboard ranks by (default: the first gated metric)
    rank_by: str | None = None


@dataclass(frozen=True)
class RetrainSettings:
    """What ``gitml retrain`` appends to (``[tool.gitml.retrain]``); None: found from the project."""

    #: the DVC-tracked data file new labelled rows are appended to
    dataset: str | None = None
    #: the model the retraining branch and pull request are named after
    model: str | None = None
    #: the dataset's target column, when no ``data.target`` in params.yaml names it
    target: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything under ``[tool.gitml]``, validated."""

    base: str = "main"
    #: metric name or ``file:name`` -> "higher" | "lower"
    directions: dict[str, str] = field(default_factory=dict)
    gates: tuple[Gate, ...] = ()
    promote: PromoteSettings = field(default_factory=PromoteSettings)
    sweep: SweepSettings = field(default_factory=SweepSettings)
    source: Path | None = None
    monitor: MonitorSettings = field(default_factory=MonitorSettings)
    retrain: RetrainSettings = field(default_factory=RetrainSettings)
    signing: SigningSettings = field(default_factory=SigningSettings)
    validate: ValidateSettings = field(default_factory=ValidateSettings)
    deploy: DeploySettings = field(default_factory=DeploySettings)


TOP_LEVEL_KEYS = {
    "base",
    "metrics",
    "gates",
    "promote",
    "monitor",
    "sweep",
    "retrain",
    "signing",
    "validate",
    "deploy",
}
PROMOTE_KEYS = {"artifact", "stage", "bump"}
BUMPS = ("major", "minor", "patch")
SWEEP_KEYS = {"params", "max_runs", "rank_by"}


def parse_sweep(raw: Any) -> SweepSettings:
    """Validate ``[tool.gitml.sweep]``."""
    where = "[tool.gitml.sweep]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    check_keys(raw, SWEEP_KEYS, where)
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise ConfigError(f'{where} params must be a table: {{ "train.lr" = [0.1, 0.01] }}')
    for name, values in params.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{where} params {name!r} must be a non-empty list of values")
    max_runs = raw.get("max_runs")
    if max_runs is not None and (
        isinstance(max_runs, bool) or not isinstance(max_runs, int) or max_runs < 1
    ):
        raise ConfigError(f"{where} max_runs must be a positive integer, got {max_runs!r}")
    rank_by = raw.get("rank_by")
    if rank_by is not None and (not isinstance(rank_by, str) or not rank_by):
        raise ConfigError(f'{where} rank_by must be a metric name ("name" or "file:name")')
    return SweepSettings(
        params={name: tuple(values) for name, values in params.items()},
        max_runs=max_runs,
        rank_by=rank_by,
    )


#: GTO's rule for a stage name (``gto.constants.name``): it becomes part of a git tag.
STAGE_NAME = re.compile(r"[a-zA-Z0-9]([a-zA-Z0-9-/_]*[a-zA-Z0-9])?")


def _stage_name(value: Any) -> str:
    """``[tool.gitml.promote] stage`` checked at load, so a bad one never reaches a git tag."""
    if not isinstance(value, str) or not STAGE_NAME.fullmatch(value):
        raise ConfigError(
            f"[tool.gitml.promote] stage = {value!r} is not a valid GTO stage name; use letters, "
            "digits, '-', '_' or '/', starting and ending with a letter or digit (e.g. \"prod\")"
        )
    return value


def _parse_gate(raw: Any, index: int) -> Gate:
    """One ``[[tool.gitml.gates]]`` table, validated: a gate that can never pass (``min > max``,
    a NaN bound) is an error, not a gate that always fails."""
    where = f"[[tool.gitml.gates]] #{index}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    check_keys(raw, {"metric", *GATE_RULES}, where)
    metric = raw.get("metric")
    if not isinstance(metric, str) or not metric:
        raise ConfigError(f'{where} needs metric = "name" (or "file:name")')
    if not any(rule in raw for rule in GATE_RULES):
        raise ConfigError(f"{where} on {metric} has no rule; set min, max or max_regression")
    rules = {
        rule: number_setting(raw[rule], f"{where} {rule}") for rule in GATE_RULES if rule in raw
    }
    if "max_regression" in rules and rules["max_regression"] < 0:
        raise ConfigError(f"{where} max_regression must be >= 0")
    if rules.get("min", -math.inf) > rules.get("max", math.inf):
        raise ConfigError(
            f"{where} on {metric}: min {raw['min']} > max {raw['max']}, so it can never pass; "
            "fix the bounds in pyproject.toml"
        )
    return Gate(metric=metric, **rules)


def parse_settings(table: dict[str, Any], source: Path | None = None) -> Settings:
    """Validate a ``[tool.gitml]`` table and return it as ``Settings``."""
    check_keys(table, TOP_LEVEL_KEYS, "[tool.gitml]")
    base = table.get("base", "main")
    if not isinstance(base, str) or not base:
        raise ConfigError(f"[tool.gitml] base must be a branch name, got {base!r}")

    directions = table.get("metrics", {})
    if not isinstance(directions, dict):
        raise ConfigError('[tool.gitml.metrics] must be a table of metric = "higher"|"lower"')
    for name, direction in directions.items():
        if direction not in DIRECTIONS:
            raise ConfigError(
                f'[tool.gitml.metrics] {name} = {direction!r}: use "higher" or "lower"'
            )

    raw_gates = table.get("gates", [])
    if not isinstance(raw_gates, list):
        raise ConfigError("gates must be an array of tables: [[tool.gitml.gates]]")
    gates = [_parse_gate(raw, index) for index, raw in enumerate(raw_gates, start=1)]

    raw_promote = table.get("promote", {})
    if not isinstance(raw_promote, dict):
        raise ConfigError("[tool.gitml.promote] must be a table")
    check_keys(raw_promote, PROMOTE_KEYS, "[tool.gitml.promote]")
    bump = raw_promote.get("bump", "minor")
    if bump not in BUMPS:
        raise ConfigError(f"[tool.gitml.promote] bump = {bump!r}: use one of {', '.join(BUMPS)}")
    stage = raw_promote.get("stage")
    promote = PromoteSettings(
        artifact=raw_promote.get("artifact"),
        stage=None if stage is None else _stage_name(stage),
        bump=bump,
    )
    monitor = table.get("monitor", {})
    if not isinstance(monitor, dict):
        raise ConfigError("[tool.gitml.monitor] must be a table")
    return Settings(
        base=base,
        directions=dict(directions),
        gates=tuple(gates),
        promote=promote,
        sweep=parse_sweep(table.get("sweep", {})),
        source=source,
        monitor=parse_monitor_settings(monitor),
        retrain=_parse_retrain(table.get("retrain", {})),
        signing=parse_signing_settings(table.get("signing", {})),
        validate=parse_validate_settings(table.get("validate", {})),
        deploy=parse_deploy_settings(table.get("deploy", {})),
    )


def _parse_retrain(raw: Any) -> RetrainSettings:
    """``[tool.gitml.retrain]``: every key a non-empty string."""
    if not isinstance(raw, dict):
        raise ConfigError("[tool.gitml.retrain] must be a table")
    check_keys(raw, {"dataset", "model", "target"}, "[tool.gitml.retrain]")
    for key, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"[tool.gitml.retrain] {key} must be a non-empty string, got {value!r}"
            )
    return RetrainSettings(**raw)


def _read_pyproject(path: Path) -> dict[str, Any]:
    """``path`` parsed as TOML; a file that cannot be read as UTF-8 TOML is a ``ConfigError``."""
    if not path.is_file():
        raise ConfigError(f"{path} is not a file; gitml reads [tool.gitml] from it, so make it one")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{path} is not UTF-8 text (line {line}); TOML files must be UTF-8, fix the file"
        ) from None
    except OSError as error:
        raise ConfigError(
            f"{path} cannot be read ({error.strerror}); fix its permissions"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML ({error}); fix the file") from None


def load_settings(root: Path | str = ".") -> Settings:
    """Read ``[tool.gitml]`` from ``root/pyproject.toml``; defaults when the file or table is absent."""
    path = Path(root) / "pyproject.toml"
    if not path.exists():
        return Settings()
    tool = _read_pyproject(path).get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: tool must be a table ([tool]), got {tool!r}; fix the file")
    table = tool.get("gitml", {})
    if not isinstance(table, dict):
        shape = "an array of tables ([[tool.gitml]])" if isinstance(table, list) else repr(table)
        raise ConfigError(
            f"{path}: tool.gitml must be one table ([tool.gitml]), got {shape}; fix the file"
        )
    return parse_settings(table, source=path)
