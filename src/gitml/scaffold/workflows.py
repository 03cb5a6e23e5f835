"""The caller workflows ``gitml init`` writes: gitml's reusable workflows pinned to one commit,
with the inputs the project needs (working directory, requirements, Python version, service)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from gitml import templates
from gitml.scaffold.plan import Plan
from gitml.scaffold.remote import RemoteNeeds
from gitml.scaffold.source import GitmlSource

WORKFLOWS = Path(".github") / "workflows"
#: The workflows gitml init writes (a project's own CI is every other file there).
WRITTEN = ("gitml-pr.yml", "gitml-comment.yml", "gitml-release.yml")


@dataclass(frozen=True)
class WorkflowInputs:
    """The project's values for the reusable workflows' inputs (None: the input's default)."""

    requirements: str | None = None
    python_version: str | None = None
    #: the release workflow's own BentoML service, ``path.py[:Class]``
    service: str | None = None


def _render(template: str, values: dict[str, str | list[str]]) -> str:
    """Fill ``<<name>>`` placeholders; a list replaces its whole line, indented like it."""
    lines = []
    for line in templates.read("init", template).splitlines(keepends=True):
        stripped = line.strip()
        key = stripped[2:-2] if stripped.startswith("<<") and stripped.endswith(">>") else None
        if key is not None and isinstance(values.get(key), list):
            indent = line[: len(line) - len(line.lstrip())]
            lines += [f"{indent}{item}\n" for item in values[key]]
            continue
        for name, value in values.items():
            if isinstance(value, str):
                line = line.replace(f"<<{name}>>", value)
        lines.append(line)
    text = "".join(lines)
    if "<<" in text:
        raise AssertionError(f"unfilled placeholder in {template}")
    return text


def _stages(project: Path) -> list[dict]:
    """The stages of the project's dvc.yaml as written (empty when it has none or is unreadable);
    read as YAML, so a project whose data is not pulled reads the same."""
    try:
        document = yaml.safe_load((project / "dvc.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    stages = document.get("stages") if isinstance(document, dict) else None
    return (
        [s for s in (stages or {}).values() if isinstance(s, dict)]
        if isinstance(stages, dict)
        else []
    )


def stage_commands(project: Path) -> tuple[str, ...]:
    """The ``cmd`` of every stage in the project's dvc.yaml (empty when it has none)."""
    commands: list[str] = []
    for stage in _stages(project):
        cmd = stage.get("cmd")
        commands += [cmd] if isinstance(cmd, str) else [str(c) for c in cmd or []]
    return tuple(commands)


def stage_deps(project: Path) -> tuple[str, ...]:
    """The ``deps`` of every stage, relative to the project (through a stage's ``wdir``)."""
    found: list[str] = []
    for stage in _stages(project):
        wdir = str(stage.get("wdir") or ".")
        for dep in stage.get("deps") or []:
            if isinstance(dep, str):
                found.append(os.path.normpath(os.path.join(wdir, dep)).replace(os.sep, "/"))
    return tuple(dict.fromkeys(found))


def _with_lines(relative: str, inputs: WorkflowInputs) -> list[str]:
    """The PR workflow's ``with:`` lines besides ``gitml-spec``."""
    lines = [] if relative == "." else [f"working-directory: {json.dumps(relative)}"]
    if inputs.python_version is not None:
        lines.append(f"python-version: {json.dumps(inputs.python_version)}")
    if inputs.requirements is not None:
        keyed = inputs.requirements if relative == "." else f"{relative}/{inputs.requirements}"
        lines += [
            f"requirements: {json.dumps(inputs.requirements)}",
            f"cache-dependency-path: {json.dumps(keyed)}",
        ]
    return lines


def plan_workflows(
    plan: Plan,
    top: Path,
    base: str,
    source: GitmlSource,
    needs: RemoteNeeds,
    inputs: WorkflowInputs,
    release: bool,
) -> None:
    """Plan the PR and comment workflows (and with ``release`` the release workflow)."""
    relative = Path(os.path.relpath(plan.project, top)).as_posix()
    with_lines = _with_lines(relative, inputs)
    secret_lines = ["secrets:"] if needs.secrets else []
    # ${{ }} only in `secrets:` (and `with:`), never in a script: zizmor checks it.
    secret_lines += [f"  {s.workflow_input}: ${{{{ secrets.{s.name} }}}}" for s in needs.secrets]
    values: dict[str, str | list[str]] = {
        "base": json.dumps(base),
        "sha": source.sha,
        "version": source.version,
        "spec": json.dumps(source.spec(needs.extras)),
        "spec_plain": json.dumps(source.spec()),
        "with": with_lines,
        "secrets": secret_lines,
    }
    folder = Path(os.path.relpath(top, plan.project)) / WORKFLOWS
    plan.write(folder / "gitml-pr.yml", _render("gitml-pr.yml", values))
    plan.write(folder / "gitml-comment.yml", _render("gitml-comment.yml", values))
    if release:
        # the release workflow restores no cache: it has no cache-dependency-path input
        release_with = [line for line in with_lines if not line.startswith("cache-dependency")]
        if inputs.service is not None:
            release_with.append(f"service: {json.dumps(inputs.service)}")
        values = {**values, "with": release_with}
        plan.write(folder / "gitml-release.yml", _render("gitml-release.yml", values))
