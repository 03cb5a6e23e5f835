"""The ``[tool.gitml]`` section ``gitml init`` proposes, and how it goes into ``pyproject.toml``.

Inference is deliberately modest: the base branch, one ``max_regression`` gate on the primary
higher-is-better metric found (nothing invented for names gitml cannot judge), commented direction
stubs for metrics gitml does not know by name, and the promote artifact when dvc.yaml declares
exactly one model.
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
from gitml.registry.stages import choose_stage

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
    (a DVC-cached output) from DVC's cache or remote at HEAD: ``(text or None, where)``."""
    import tempfile

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
    with tempfile.TemporaryDirectory() as tmp:
        try:
            copy = dvc_adapter.read_output(root, file, "HEAD", Path(tmp) / "metrics")
        except GitmlError:
            return None, ""
        return copy.read_text(encoding="utf-8", errors="replace"), "the DVC cache or remote"


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
                    f"{file} is declared in dvc.yaml but is in neither the workspace, git history "
                    "nor the DVC cache or remote: no gate is proposed from it"
                )
                continue
            notes.append(f"{file} is not in the workspace: read it from {where}")
        try:
            data = yaml.safe_load(text)  # JSON is YAML too
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


def _primary(metrics: dict[str, dict[str, float]]) -> str | None:
    """The gate's metric: the preferred well-known name present, as gitml's gates spell it.

    A nested name matches by any of its dotted parts (``roc_auc.test``); among the splits of one
    metric the held-out one wins over ``train``.
    """
    names = [(file, name) for file, values in metrics.items() for name in values]
    for wanted in PRIMARY_METRICS:
        matching = [(f, n) for f, n in names if wanted in n.lower().split(".")]
        held_out = [(f, n) for f, n in matching if set(n.lower().split(".")) & set(HELD_OUT)]
        for file, name in held_out or matching:
            ambiguous = sum(1 for _, other in names if other == name) > 1
            return f"{file}:{name}" if ambiguous else name
    return None


Section = tuple[list[str], list[str]]  # TOML lines, notes for the user


def _direction_stubs(metrics: dict[str, dict[str, float]]) -> Section:
    """Commented ``[tool.gitml.metrics]`` lines for the metrics whose direction gitml cannot tell."""
    unknown = sorted(
        {
            name if sum(name in v for v in metrics.values()) == 1 else f"{file}:{name}"
            for file, values in metrics.items()
            for name in values
            if default_direction(name) is None
        }
    )
    if not unknown:
        return [], []
    lines = [
        "",
        "# gitml knows the direction of accuracy, f1, log_loss, rmse, ... by name; set the others",
        "# so the report can call a change better or worse:",
        "[tool.gitml.metrics]",
        *(f'# {_toml_string(name)} = "higher"  # or "lower"' for name in unknown),
    ]
    return lines, [f"direction unknown for {', '.join(unknown)}: set it in [tool.gitml.metrics]"]


def _gate(metrics: dict[str, dict[str, float]]) -> Section:
    """The one ``max_regression`` gate on the primary metric, or a note that none was found."""
    gate = _primary(metrics)
    if gate is not None:
        return [
            "",
            f"# Fail the `gitml` check when {gate} drops by more than {MAX_REGRESSION} against the base.",
            "[[tool.gitml.gates]]",
            f"metric = {_toml_string(gate)}",
            f"max_regression = {MAX_REGRESSION}",
        ], []
    if not metrics:
        return [], []
    return [], [
        "no gate proposed: none of " + ", ".join(PRIMARY_METRICS) + " was found; add "
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
        stage_line = f"# stage = {_toml_string(registry_stages[0])}  # choose one of " + (
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
        _direction_stubs(metrics),
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

    Created when there is no file; appended when it has no ``[tool.gitml]``; otherwise skipped,
    or with ``force`` only the ``[tool.gitml...]`` tables are replaced, the rest kept byte for byte.
    """
    if existing is None:
        return "created", section
    document = load_pyproject(existing)
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
