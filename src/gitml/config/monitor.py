"""``[tool.gitml.monitor]``: what ``gitml monitor`` compares and how, validated strictly.

Unknown keys and values of the wrong type are errors, as everywhere in ``[tool.gitml]``: a typo in
a threshold would otherwise silently keep the default. Example::

    [tool.gitml.monitor]
    stage = "prod"                    # the version whose training data is the reference
    reference = "prepared/train.csv"  # that data, read at the version's commit through DVC
    current = ["monitoring"]          # the service's --monitor-dir (or files, or s3://...)
    target = "target"                 # the label column of the training data
    sample_rows = 100000              # above this many rows, a seeded sample is tested
    drift_share = 0.5                 # dataset drift when this share of features drifted
    categorical_test = "two-sample"   # or "evidently": its chi-squared goodness of fit and Z-test
    text = "test"                     # or "skip": text columns are reported "not tested: text"
    chunk = "1d"                      # default for --chunk: drift and performance per day (or N rows)
    evaluation = "prepared/test.csv"  # the evaluation split: calibrates the performance estimate
    profile = "profile.json"          # the reference profile the evaluate stage writes
    use_profile = "auto"              # "always", "never"; auto: when the training data is absent or large

    [tool.gitml.monitor.features.age]
    kind = "numeric"                  # numeric, categorical, text
    test = "ks"                       # ks, contingency, chisquare, z, wasserstein, jensenshannon,
    threshold = 0.01                  # domain_classifier

    [[tool.gitml.monitor.gates]]
    metric = "share_drifted"
    max = 0.3
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from gitml.config.values import GATE_RULES, Gate, check_keys, number_setting
from gitml.errors import ConfigError

#: Tests gitml runs, by the names the report and the settings use.
TESTS = (
    "ks",
    "contingency",
    "chisquare",
    "z",
    "wasserstein",
    "jensenshannon",
    "domain_classifier",
)
KINDS = ("numeric", "categorical", "text")
#: ``categorical_test``: gitml's two-sample test, or Evidently's documented rule
CATEGORICAL_TESTS = ("two-sample", "evidently")
TEXT_HANDLING = ("test", "skip")
PROFILE_USE = ("auto", "always", "never")
MONITOR_KEYS = {
    "stage",
    "reference",
    "current",
    "target",
    "sample_rows",
    "chunk_rows",
    "seed",
    "drift_share",
    "categorical_test",
    "text",
    "chunk",
    "evaluation",
    "profile",
    "use_profile",
    "features",
    "gates",
}
FEATURE_KEYS = {"kind", "test", "threshold"}
#: Metrics a monitoring gate may name.
GATE_METRICS = (
    "share_drifted",
    "drifted_features",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "log_loss",
    "estimated_accuracy",
)


CHUNK_PERIOD = re.compile(r"^(\d+)\s*([mhdw])$")
PERIOD_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class Chunking:
    """How ``--chunk`` cuts the window: by a period of time, or every ``rows`` rows."""

    text: str
    period: timedelta | None = None
    rows: int | None = None


def parse_chunk(value: Any, where: str) -> Chunking:
    """``1d``, ``6h``, ``30m``, ``2w`` (a period) or a whole number of rows; else a ConfigError."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return Chunking(text=str(value), rows=value)
    text = value.strip() if isinstance(value, str) else ""
    if text.isdigit() and int(text) >= 1:
        return Chunking(text=text, rows=int(text))
    found = CHUNK_PERIOD.match(text)
    if found and int(found[1]) >= 1:
        return Chunking(text=text, period=timedelta(**{PERIOD_UNITS[found[2]]: int(found[1])}))
    raise ConfigError(
        f"{where} = {value!r} is not a chunk: use a period (30m, 6h, 1d, 1w) or a number of rows"
    )


@dataclass(frozen=True)
class FeatureSettings:
    """Overrides for one feature (or ``prediction``): its kind, test and threshold."""

    kind: str | None = None
    test: str | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class MonitorSettings:
    """Everything under ``[tool.gitml.monitor]``, validated, with defaults."""

    stage: str | None = None
    reference: str | None = None
    current: tuple[str, ...] = ()
    target: str = "target"
    sample_rows: int = 100_000
    chunk_rows: int = 50_000
    seed: int = 0
    drift_share: float = 0.5
    categorical_test: str = "two-sample"
    text: str = "test"
    chunk: Chunking | None = None
    evaluation: str | None = None
    profile: str | None = None
    use_profile: str = "auto"
    features: dict[str, FeatureSettings] = field(default_factory=dict)
    gates: tuple[Gate, ...] = ()

    def feature(self, name: str) -> FeatureSettings:
        return self.features.get(name, FeatureSettings())


def _positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where} must be a whole number >= 1, got {value!r}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where} must be a non-empty string, got {value!r}")
    return value


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise ConfigError(f"{where} = {value!r}: use one of {', '.join(map(repr, allowed))}")
    return str(value)


def _feature(name: str, raw: Any) -> FeatureSettings:
    where = f"[tool.gitml.monitor.features.{name}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table of kind, test and threshold")
    check_keys(raw, FEATURE_KEYS, where)
    kind, test = raw.get("kind"), raw.get("test")
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"{where} kind = {kind!r}: use one of {', '.join(KINDS)}")
    if test is not None and test not in TESTS:
        raise ConfigError(f"{where} test = {test!r}: use one of {', '.join(TESTS)}")
    threshold = raw.get("threshold")
    if threshold is not None:
        threshold = number_setting(threshold, f"{where} threshold")
        if threshold <= 0:
            raise ConfigError(f"{where} threshold must be > 0")
    return FeatureSettings(kind=kind, test=test, threshold=threshold)


def _gates(raw_gates: Any) -> tuple[Gate, ...]:
    if not isinstance(raw_gates, list):
        raise ConfigError(
            "monitoring gates must be an array of tables: [[tool.gitml.monitor.gates]]"
        )
    gates = []
    for index, raw in enumerate(raw_gates, start=1):
        where = f"[[tool.gitml.monitor.gates]] #{index}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where} must be a table")
        check_keys(raw, {"metric", *GATE_RULES}, where)
        metric = raw.get("metric")
        if metric not in GATE_METRICS:
            raise ConfigError(f"{where} metric = {metric!r}: use one of {', '.join(GATE_METRICS)}")
        if not any(rule in raw for rule in GATE_RULES):
            raise ConfigError(f"{where} on {metric} has no rule; set min, max or max_regression")
        rules = {
            rule: number_setting(raw[rule], f"{where} {rule}") for rule in GATE_RULES if rule in raw
        }
        if rules.get("max_regression", 0) < 0:
            raise ConfigError(f"{where} max_regression must be >= 0")
        gates.append(Gate(metric=metric, **rules))
    return tuple(gates)


def parse_monitor_settings(table: dict[str, Any]) -> MonitorSettings:
    """Validate a ``[tool.gitml.monitor]`` table."""
    where = "[tool.gitml.monitor]"
    check_keys(table, MONITOR_KEYS, where)
    values: dict[str, Any] = {}
    for key in ("stage", "reference", "target", "evaluation", "profile"):
        if key in table:
            values[key] = _string(table[key], f"{where} {key}")
    for key, allowed in (
        ("categorical_test", CATEGORICAL_TESTS),
        ("text", TEXT_HANDLING),
        ("use_profile", PROFILE_USE),
    ):
        if key in table:
            values[key] = _choice(table[key], allowed, f"{where} {key}")
    if "chunk" in table:
        values["chunk"] = parse_chunk(table["chunk"], f"{where} chunk")
    if "current" in table:
        current = table["current"]
        current = [current] if isinstance(current, str) else current
        if not isinstance(current, list) or not all(isinstance(c, str) and c for c in current):
            raise ConfigError(f"{where} current must be a path or a list of paths")
        values["current"] = tuple(current)
    for key in ("sample_rows", "chunk_rows"):
        if key in table:
            values[key] = _positive_int(table[key], f"{where} {key}")
    if "seed" in table:
        seed = table["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ConfigError(f"{where} seed must be a whole number >= 0, got {seed!r}")
        values["seed"] = seed
    if "drift_share" in table:
        share = number_setting(table["drift_share"], f"{where} drift_share")
        if not 0 < share <= 1:
            raise ConfigError(f"{where} drift_share must be in (0, 1], got {share:g}")
        values["drift_share"] = share
    features = table.get("features", {})
    if not isinstance(features, dict):
        raise ConfigError(f"{where} features must be a table: [tool.gitml.monitor.features.NAME]")
    values["features"] = {str(name): _feature(name, raw) for name, raw in features.items()}
    values["gates"] = _gates(table.get("gates", []))
    return MonitorSettings(**values)
