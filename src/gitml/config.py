"""gitml's settings: the ``[tool.gitml]`` table of the project's ``pyproject.toml``.

Unknown keys and values of the wrong type are errors, never silently ignored: a typo in a gate would
otherwise turn into a gate that always passes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitml.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DIRECTIONS = ("higher", "lower")
GATE_RULES = ("min", "max", "max_regression")


@dataclass(frozen=True)
class Gate:
    """A quality gate on one metric (``name`` or ``file:name``)."""

    metric: str
    min: float | None = None
    max: float | None = None
    #: Allowed worsening against the base, in the metric's own units and direction.
    max_regression: float | None = None


@dataclass(frozen=True)
class PromoteSettings:
    """How ``gitml promote`` registers versions (``[tool.gitml.promote]``)."""

    artifact: str | None = None
    stage: str = "staging"
    bump: str = "minor"


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
    source: Path | None = None
    retrain: RetrainSettings = field(default_factory=RetrainSettings)

    def direction_of(self, file: str, name: str) -> str | None:
        """Direction of a metric: ``file:name`` wins over ``name``; None when unknown."""
        return self.directions.get(f"{file}:{name}") or self.directions.get(name)


TOP_LEVEL_KEYS = {"base", "metrics", "gates", "promote", "retrain"}
PROMOTE_KEYS = {"artifact", "stage", "bump"}
BUMPS = ("major", "minor", "patch")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, got {value!r}; fix it in pyproject.toml")
    return float(value)


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in {where}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )


def parse_settings(table: dict[str, Any], source: Path | None = None) -> Settings:
    """Validate a ``[tool.gitml]`` table and return it as ``Settings``."""
    _check_keys(table, TOP_LEVEL_KEYS, "[tool.gitml]")
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
    gates = []
    for index, raw in enumerate(raw_gates, start=1):
        where = f"[[tool.gitml.gates]] #{index}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where} must be a table")
        _check_keys(raw, {"metric", *GATE_RULES}, where)
        metric = raw.get("metric")
        if not isinstance(metric, str) or not metric:
            raise ConfigError(f'{where} needs metric = "name" (or "file:name")')
        if not any(rule in raw for rule in GATE_RULES):
            raise ConfigError(f"{where} on {metric} has no rule; set min, max or max_regression")
        rules = {rule: _number(raw[rule], f"{where} {rule}") for rule in GATE_RULES if rule in raw}
        if "max_regression" in rules and rules["max_regression"] < 0:
            raise ConfigError(f"{where} max_regression must be >= 0")
        gates.append(Gate(metric=metric, **rules))

    raw_promote = table.get("promote", {})
    if not isinstance(raw_promote, dict):
        raise ConfigError("[tool.gitml.promote] must be a table")
    _check_keys(raw_promote, PROMOTE_KEYS, "[tool.gitml.promote]")
    bump = raw_promote.get("bump", "minor")
    if bump not in BUMPS:
        raise ConfigError(f"[tool.gitml.promote] bump = {bump!r}: use one of {', '.join(BUMPS)}")
    promote = PromoteSettings(
        artifact=raw_promote.get("artifact"),
        stage=str(raw_promote.get("stage", "staging")),
        bump=bump,
    )
    return Settings(
        base=base,
        directions=dict(directions),
        gates=tuple(gates),
        promote=promote,
        source=source,
        retrain=_parse_retrain(table.get("retrain", {})),
    )


def _parse_retrain(raw: Any) -> RetrainSettings:
    """``[tool.gitml.retrain]``: every key a non-empty string."""
    if not isinstance(raw, dict):
        raise ConfigError("[tool.gitml.retrain] must be a table")
    _check_keys(raw, {"dataset", "model", "target"}, "[tool.gitml.retrain]")
    for key, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"[tool.gitml.retrain] {key} must be a non-empty string, got {value!r}"
            )
    return RetrainSettings(**raw)


def load_settings(root: Path | str = ".") -> Settings:
    """Read ``[tool.gitml]`` from ``root/pyproject.toml``; defaults when the file or table is absent."""
    path = Path(root) / "pyproject.toml"
    if not path.exists():
        return Settings()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML ({error}); fix the file") from None
    table = document.get("tool", {}).get("gitml", {})
    return parse_settings(table, source=path)
