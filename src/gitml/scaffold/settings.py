"""The ``[tool.gitml]`` section ``gitml init`` proposes, and how it goes into ``pyproject.toml``.

Inference is deliberately modest: the base branch; the direction of every metric gitml knows by
name (``core.compare.default_direction``), written out, and commented stubs for the others; one
``max_regression`` gate on the headline metric (a preferred well-known name, else any metric
with a known direction, held-out split first; nothing invented for names gitml cannot judge);
and the promote artifact when dvc.yaml declares exactly one model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from gitml import dvc_adapter
from gitml.config import parse_settings, tomllib
from gitml.core.compare import as_number, default_direction
from gitml.core.git import run_git
from gitml.errors import ConfigError
from gitml.registry.stages import choose_stage, proposed_stage

#: Preferred metrics for the one gate init proposes, best first: all higher-is-better, on a scale
#: where an absolute drop of MAX_REGRESSION is meaningful.
PRIMARY_METRICS = ("accuracy", "f1", "roc_auc", "r2")
MAX_REGRESSION = 0.01
#: What gitml's evaluate stage writes to metrics.json (tests check the two agree).
BUILTIN_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss")
METRICS_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class ProposedSettings:
    """The section's TOML text and the notes to show the user about it."""

    text: str
    notes: tuple[str, ...] = ()


def discover_metrics_files(root: Path) -> list[str]:
    """Undeclared ``metrics*.json|yaml|yml`` files at ``root`` or one folder down."""
    found = [
        path.relative_to(root).as_posix()
        for pattern in ("metrics*", "*/metrics*")
        for path in sorted(root.glob(pattern))
        if path.suffix in METRICS_SUFFIXES
        and path.is_file()
        and not path.relative_to(root).parts[0].startswith(".")
    ]
    return found


def saved_metrics(root: Path, file: str) -> tuple[str | None, str]:
    """A metrics file missing from the workspace, from the last commit that has it in git, else
    (an output of the pipeline) from the local DVC cache by dvc.lock's hash; no DVC remote is
    asked (a fresh clone has no credentials, and init must not wait on a network).

    Returns ``(text, where it was read)`` or ``(None, why it could not be)``.
    """
    from gitml.errors import GitmlError

    def git(*args: str) -> str | None:
        done = run_git(root, *args, check=False)
        return done.stdout if done.returncode == 0 else None

    # the last commit that added or changed it (a later one may have deleted it)
    commit = (git("log", "-1", "--format=%H", "--diff-filter=AM", "--", file) or "").strip()
    if commit:
        text = git("show", f"{commit}:./{file}")
        if text is not None:
            return text, f"commit {commit[:7]}"
    if not (root / ".dvc").is_dir():
        return None, "no DVC project here"
    try:
        data = dvc_adapter.read_cached(root, file)
    except GitmlError as error:
        return None, error.message
    return data.decode("utf-8", errors="replace"), "the local DVC cache (the hash in dvc.lock)"


def read_metrics(root: Path, files: list[str]) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Numeric metrics per file (``{file: {name: value}}``) and notes on files that could not be read."""
    metrics: dict[str, dict[str, float]] = {}
    notes = []
    for file in files:
        path = root / file
        text: str | None
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
        else:
            text, where = saved_metrics(root, file)
            if text is None:
                notes.append(
                    f"could not read {file}: it is in neither the workspace, git nor the local "
                    f"DVC cache ({where}); no gate or direction is proposed from it "
                    f"(`dvc pull {file}`, then `gitml init --force` proposes them: it replaces "
                    "[tool.gitml])"
                )
                continue
            notes.append(f"{file} is not in the workspace: read it from {where}")
        try:
            data = yaml.safe_load(text or "")  # JSON is YAML too
        except yaml.YAMLError:
            notes.append(f"{file} is not JSON or YAML: no gate is proposed from it")
            continue
        values = {
            name: number
            for name, value in dvc_adapter.flatten_metrics(data).items()
            if not isinstance(value, bool) and (number := as_number(value)) is not None
        }
        metrics[file] = values
    return metrics, notes


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string


#: Parts naming the held-out split in per-split metrics (dvclive's ``roc_auc.test``).
HELD_OUT = ("test", "eval", "val", "valid", "validation")


def _key(metrics: dict[str, dict[str, float]], file: str, name: str) -> str:
    """How gitml's settings spell a metric: its name, or ``file:name`` when several files have it."""
    return name if sum(name in values for values in metrics.values()) == 1 else f"{file}:{name}"


def _split_rank(name: str) -> int:
    """0 for a held-out split (``roc_auc.test``), 1 for no split, 2 for ``train``."""
    parts = set(name.lower().replace("/", ".").split("."))
    return 0 if parts & set(HELD_OUT) else 2 if "train" in parts else 1


def _primary(metrics: dict[str, dict[str, float]]) -> tuple[str, str, float] | None:
    """The headline metric for the one gate: ``(key, direction, value)``.

    The preferred well-known names first (a nested name matches by any of its dotted parts,
    ``roc_auc.test``), then any metric whose direction gitml knows by name (``dice_multi``,
    ``val_loss``), higher-is-better before lower; among the splits of one metric the held-out
    one wins over ``train`` (by the name's parts, then the file's: ``eval/metrics.json``).
    """
    names = [
        (file, name, value, direction)
        for file, values in metrics.items()
        for name, value in values.items()
        if (direction := default_direction(name)) is not None
    ]

    def rank(entry: tuple[str, str, float, str]) -> tuple[int, int, int]:
        parts = entry[1].lower().split(".")
        preferred = [i for i, wanted in enumerate(PRIMARY_METRICS) if wanted in parts]
        known = preferred[0] if preferred else len(PRIMARY_METRICS)
        return known, entry[3] != "higher", _split_rank(entry[1]) * 3 + _split_rank(entry[0])

    if not names:
        return None
    file, name, value, direction = min(names, key=rank)
    return _key(metrics, file, name), direction, value


Section = tuple[list[str], list[str]]  # TOML lines, notes for the user


def _directions(metrics: dict[str, dict[str, float]]) -> Section:
    """``[tool.gitml.metrics]``: the directions gitml knows by name, written out so they can be
    read and changed, and commented stubs for the metrics whose direction it cannot tell."""
    keys = {
        _key(metrics, file, name): default_direction(name)
        for file, values in metrics.items()
        for name in values
    }
    known = sorted((key, d) for key, d in keys.items() if d is not None)
    unknown = sorted(key for key, d in keys.items() if d is None)
    if not keys:
        return [], []
    lines = [
        "",
        "# Which way each metric should move, for better/worse in the report and the gates:",
        "# gitml knew these by name (change any); set the commented ones.",
        "[tool.gitml.metrics]",
        *(f"{_toml_string(key)} = {_toml_string(direction)}" for key, direction in known),
        *(f'# {_toml_string(key)} = "higher"  # or "lower"' for key in unknown),
    ]
    notes = [f"direction unknown for {', '.join(unknown)}: set it in [tool.gitml.metrics]"]
    return lines, notes if unknown else []


def _threshold(direction: str, value: float) -> float:
    """The regression the gate allows: 0.01 on a score between 0 and 1, else 1% of the value."""
    if (direction == "higher" and 0 <= value <= 1) or value == 0:
        return MAX_REGRESSION
    return float(f"{abs(value) * MAX_REGRESSION:.2g}")


def _gate(metrics: dict[str, dict[str, float]]) -> Section:
    """The one ``max_regression`` gate on the headline metric, or a note that none was found."""
    primary = _primary(metrics)
    if primary is not None:
        gate, direction, value = primary
        threshold = _threshold(direction, value)
        moves = "drops" if direction == "higher" else "rises"
        return [
            "",
            f"# Fail the `gitml` check when {gate} {moves} by more than {threshold} against "
            "the base.",
            "[[tool.gitml.gates]]",
            f"metric = {_toml_string(gate)}",
            f"max_regression = {threshold}",
        ], []
    if not metrics:
        return [], []
    return [], [
        "no gate proposed: no metric has a direction gitml knows by name; add "
        "[[tool.gitml.gates]] for the metric that matters"
    ]


def _promote(model_artifacts: tuple[str, ...], registry_stages: tuple[str, ...]) -> Section:
    """``[tool.gitml.promote]`` for the one model dvc.yaml declares (its stage extends the
    registry's); a note when there are several."""
    if len(model_artifacts) > 1:
        return [], [
            f"dvc.yaml declares {len(model_artifacts)} models ({', '.join(model_artifacts)}): "
            "choose one as [tool.gitml.promote] artifact"
        ]
    if not model_artifacts:
        return [], []
    notes = []
    try:
        stage_line = f"stage = {_toml_string(choose_stage(list(registry_stages)))}"
    except ConfigError:
        proposed = proposed_stage(list(registry_stages))
        stage_line = f"# stage = {_toml_string(proposed)}  # choose one of " + (
            ", ".join(registry_stages)
        )
        notes.append(
            f"the registry uses the stages {', '.join(registry_stages)}: choose the one a "
            "merge is promoted to as [tool.gitml.promote] stage"
        )
    lines = [
        "",
        "[tool.gitml.promote]",
        f"artifact = {_toml_string(model_artifacts[0])}",
        stage_line,
        'bump = "minor"',
    ]
    return lines, notes


def propose_settings(
    base: str,
    metrics: dict[str, dict[str, float]],
    model_artifacts: tuple[str, ...],
    registry_stages: tuple[str, ...] = (),
) -> ProposedSettings:
    """The ``[tool.gitml]`` section for these metrics and artifacts; it loads with ``parse_settings``.

    The promote stage extends the stages an existing registry uses (``registry_stages``).
    """
    lines = [
        "# gitml's settings, written by `gitml init`: https://github.com/gitml/gitml#configuration",
        "[tool.gitml]",
        f"base = {_toml_string(base)}",
    ]
    notes: list[str] = []
    for part_lines, part_notes in (
        _directions(metrics),
        _gate(metrics),
        _promote(model_artifacts, registry_stages),
    ):
        lines += part_lines
        notes += part_notes
    text = "\n".join(lines) + "\n"
    parse_settings(tomllib.loads(text)["tool"]["gitml"])  # a bug here must not reach the user
    return ProposedSettings(text=text, notes=tuple(notes))


_GITML_HEADER = re.compile(r'^\s*\[\[?\s*"?tool"?\s*\.\s*"?gitml"?\s*[.\]]')
_ANY_HEADER = re.compile(r"^\s*\[")


def _without_gitml(document: dict) -> dict:
    tool = {k: v for k, v in document.get("tool", {}).items() if k != "gitml"}
    rest = {k: v for k, v in document.items() if k != "tool"}
    return {**rest, "tool": tool} if tool else rest


def load_pyproject(text: str) -> dict:
    """Parse pyproject.toml's text; invalid TOML is a ``ConfigError``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"pyproject.toml is not valid TOML ({error}); fix it first") from None


def merge_pyproject(existing: str | None, section: str, force: bool) -> tuple[str, str | None]:
    """How ``section`` goes into pyproject.toml: ``(action, new text)``, None when skipped.

    Created when there is no file; appended when it has no ``[tool.gitml]``; unchanged when its
    ``[tool.gitml]`` holds the same settings; otherwise skipped, or with ``force`` only the
    ``[tool.gitml...]`` tables are replaced, the rest kept byte for byte.
    """
    if existing is None:
        return "created", section
    document = load_pyproject(existing)
    if document.get("tool", {}).get("gitml") == tomllib.loads(section)["tool"]["gitml"]:
        return "unchanged", None
    if "gitml" not in document.get("tool", {}):
        separator = "" if not existing else "\n" if existing.endswith("\n") else "\n\n"
        return "appended", existing + separator + section
    if not force:
        return "skipped", None
    kept: list[str] = []
    inserted = in_gitml = False
    for line in existing.splitlines(keepends=True):
        if _ANY_HEADER.match(line):
            was_gitml, in_gitml = in_gitml, bool(_GITML_HEADER.match(line))
            if was_gitml and not in_gitml:
                kept.append("\n")  # the blank line the replaced tables had before this one
            if in_gitml and not inserted:
                kept.append(section)
                inserted = True
        if not in_gitml:
            kept.append(line)
    text = "".join(kept).rstrip("\n") + "\n"
    # Headers are found line by line: check the result kept everything else and only that.
    try:
        replaced = tomllib.loads(text)
        ok = (
            _without_gitml(replaced) == _without_gitml(document)
            and replaced["tool"]["gitml"] == (tomllib.loads(section)["tool"]["gitml"])
        )
    except (tomllib.TOMLDecodeError, KeyError):
        ok = False
    if not ok:
        raise ConfigError(
            "could not replace [tool.gitml] in pyproject.toml by itself (is it written as dotted "
            "keys or an inline table?); delete that table and rerun `gitml init`"
        )
    return "overwritten", text
