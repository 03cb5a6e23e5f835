"""Where the written workflows run: the project's Python version and its CI's special runners.

The Python version, first found wins: ``.python-version`` (pyenv, uv), a devcontainer's image tag
or Python feature, ``requires-python`` (the lowest minor it allows that gitml runs on: the floor
the project promises). Older than gitml's floor, the floor is written and a note says so.

The runner: a job of the project's own CI (``.github/workflows/*.yml``, gitml's own excluded) on a
self-hosted or GPU runner is named in a note with the ``runs-on:`` input that would use it. It is
not written: a self-hosted runner that runs pull-request code needs the owner's decision (fork
PRs run on it too), and a GPU label costs money on every PR.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from gitml.config import tomllib

#: The Python versions gitml runs on, oldest first (pyproject's requires-python and CI).
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")
VERSION = re.compile(r"^(?:cpython-|python)?(3\.\d+)(?:\.\d+)?")
#: ``mcr.microsoft.com/devcontainers/python:1-3.11-bookworm``, ``python:3.12-slim``
IMAGE_PYTHON = re.compile(r"python:(?:\d+-)?(3\.\d+)")
#: ``"ghcr.io/devcontainers/features/python:1": {"version": "3.11"}``
FEATURE_PYTHON = re.compile(r'features/python[^"]*"\s*:\s*\{[^}]*"version"\s*:\s*"(3\.\d+)')
GPU = re.compile(r"gpu|cuda|nvidia|a100|h100|t4\b|v100", re.IGNORECASE)


@dataclass(frozen=True)
class PythonChoice:
    """The version the workflows get (None: the workflows' default) and where it came from."""

    version: str | None
    source: str = ""
    notes: tuple[str, ...] = ()


def _floor(version: str, source: str) -> PythonChoice:
    if tuple(map(int, version.split("."))) < (3, 10):
        return PythonChoice(
            SUPPORTED[0],
            source,
            (
                f"{source} asks for Python {version}, older than gitml supports: the workflows "
                f"use {SUPPORTED[0]}; check that the stages run on it",
            ),
        )
    return PythonChoice(version, source)


def _python_version_file(project: Path) -> str | None:
    path = project / ".python-version"
    if not path.is_file():
        return None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = VERSION.match(line.strip())
        if match:
            return match[1]
    return None


def _devcontainer(project: Path) -> tuple[str, str] | None:
    for name in (".devcontainer/devcontainer.json", ".devcontainer.json"):
        path = project / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")  # JSON with comments: regexes
        match = FEATURE_PYTHON.search(text) or IMAGE_PYTHON.search(text)
        if match:
            return match[1], name
    return None


def _requires_python(project: Path) -> str | None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        document = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        spec = SpecifierSet(str(document.get("project", {}).get("requires-python") or ""))
    except (OSError, tomllib.TOMLDecodeError, InvalidSpecifier):
        return None
    if not str(spec):
        return None
    allowed = [version for version in SUPPORTED if spec.contains(f"{version}.0")]
    if allowed:
        return allowed[0]
    older = [f"3.{minor}" for minor in range(6, 10) if spec.contains(f"3.{minor}.0")]
    return older[-1] if older else None


def project_python(project: Path) -> PythonChoice:
    """The Python version the project declares (see the module's docstring)."""
    found = _python_version_file(project)
    if found:
        return _floor(found, ".python-version")
    container = _devcontainer(project)
    if container:
        return _floor(*container)
    required = _requires_python(project)
    if required:
        return _floor(required, "pyproject.toml's requires-python")
    return PythonChoice(None)


def _labels(runs_on: object) -> list[str]:
    """A job's ``runs-on`` as labels (a string, a list, or the labels of ``{group, labels}``)."""
    if isinstance(runs_on, dict):
        runs_on = runs_on.get("labels") or []
    if isinstance(runs_on, str):
        return [runs_on]
    if isinstance(runs_on, list):
        return [str(label) for label in runs_on]
    return []


def ci_runner_notes(top: Path, ours: tuple[str, ...]) -> list[str]:
    """One note per job of the project's own CI that runs on a self-hosted or GPU runner."""
    notes = []
    folder = top / ".github" / "workflows"
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        if path.name in ours:
            continue
        try:
            workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        jobs = workflow.get("jobs") if isinstance(workflow, dict) else None
        for job_name, job in (jobs or {}).items() if isinstance(jobs, dict) else ():
            labels = _labels(job.get("runs-on") if isinstance(job, dict) else None)
            if not any(x == "self-hosted" or GPU.search(x) for x in labels):
                continue
            kind = "GPU" if any(GPU.search(x) for x in labels) else "self-hosted"
            value = json.dumps(labels) if len(labels) > 1 else labels[0]
            notes.append(
                f"{path.relative_to(top).as_posix()} runs job {job_name} on a {kind} runner "
                f"({', '.join(labels)}); the gitml workflows run on ubuntu-latest: to run the "
                f"pipeline there, add `runs-on: '{value}'` to gitml-pr.yml's `with:` (that runner "
                "then runs every pull request's code: require approval for fork PRs first)"
            )
    return notes
