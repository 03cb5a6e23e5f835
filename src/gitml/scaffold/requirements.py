"""The file that lists what the project's own stages import, for the workflows' ``requirements``.

DVC tutorials keep it beside the code (``src/requirements.txt`` with dvclive, matplotlib, ...);
others use ``requirements.txt`` at the top or ``[project] dependencies`` in ``pyproject.toml``
(``uv pip install -r`` reads all three). Without it, the PR workflow installs gitml alone and the
first stage that imports the project's libraries fails on the runner.

The choice, first match wins: a requirements file a stage depends on (``deps:``); the one beside
a script the stages run (``python src/train.py``: ``src/requirements.txt``); ``requirements.txt``
at the top; another ``requirements*.txt`` at the top or one folder down; ``pyproject.toml`` with
dependencies. A conda ``environment.yml`` cannot be installed by the workflows' ``uv pip``: it is
named in a note.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from gitml.config import tomllib

#: Folders a requirements file is never taken from (environments, caches, vendored code).
SKIPPED_FOLDERS = {"node_modules", "venv", "env", "site-packages", "build", "dist"}
#: Requirements files for tooling, not for the pipeline: taken only when nothing else is there.
TOOLING = re.compile(r"(dev|test|tests|lint|docs|doc|ci)\b", re.IGNORECASE)
CONDA_FILES = ("environment.yml", "environment.yaml", "conda.yml", "conda.yaml")


@dataclass(frozen=True)
class Requirements:
    """The requirements file found (relative to the project), None when there is none; why it
    was chosen, and notes (other candidates, a conda file)."""

    path: str | None
    notes: tuple[str, ...] = ()
    reason: str = ""


def _pyproject_dependencies(project: Path) -> bool:
    path = project / "pyproject.toml"
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return bool(document.get("project", {}).get("dependencies"))


def _candidates(project: Path) -> list[str]:
    """``requirements*.txt`` files at the top or one folder down: the top's first, then the
    pipeline's before the tooling's (``requirements-dev.txt``)."""
    found = []
    for pattern in ("requirements*.txt", "*/requirements*.txt"):
        for path in sorted(project.glob(pattern)):
            folder = path.parent.name if path.parent != project else ""
            if folder.startswith(".") or folder in SKIPPED_FOLDERS or not path.is_file():
                continue
            found.append(path.relative_to(project).as_posix())
    return sorted(
        found,
        key=lambda p: (
            "/" in p,
            bool(TOOLING.search(p.rsplit("/", 1)[-1].removeprefix("requirements"))),
            p.rsplit("/", 1)[-1] != "requirements.txt",
        ),
    )


def _script_folders(stage_commands: tuple[str, ...]) -> list[str]:
    """The folders of the scripts the stages run (``python src/train.py`` -> ``src``)."""
    folders = []
    for command in stage_commands:
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        for word in words:
            if word.endswith((".py", ".sh", ".ipynb")) and "/" in word:
                folders.append(word.rsplit("/", 1)[0].removeprefix("./"))
    return list(dict.fromkeys(folders))


def _choose(
    candidates: list[str], stage_commands: tuple[str, ...], stage_deps: tuple[str, ...]
) -> tuple[str, str] | None:
    """The candidate to install and why, or None."""
    for dep in stage_deps:
        if dep in candidates:
            return dep, "a stage of dvc.yaml depends on it"
    for folder in _script_folders(stage_commands):
        beside = f"{folder}/requirements.txt"
        if beside in candidates:
            return beside, f"beside the scripts the stages run in {folder}/"
    if "requirements.txt" in candidates:
        return "requirements.txt", "the project's top-level requirements file"
    if candidates:
        return candidates[0], "the only requirements file found" if len(candidates) == 1 else (
            "the first requirements file found"
        )
    return None


def find_requirements(
    project: Path, stage_commands: tuple[str, ...] = (), stage_deps: tuple[str, ...] = ()
) -> Requirements:
    """The requirements file the workflows install with gitml (see the module's docstring);
    ``stage_deps`` are the stages' dependencies, relative to the project."""
    candidates = _candidates(project)
    conda = [name for name in CONDA_FILES if (project / name).is_file()]
    notes = []
    if conda:
        notes.append(
            f"{conda[0]} is a conda environment, which the workflows (uv pip) cannot install: "
            "list the packages its stages import in a requirements.txt and pass it as the "
            "workflows' `requirements:` input"
        )
    chosen = _choose(candidates, stage_commands, stage_deps)
    if chosen is None:
        if _pyproject_dependencies(project):
            return Requirements("pyproject.toml", tuple(notes), "[project] dependencies")
        if not conda and any(not c.strip().startswith("gitml ") for c in stage_commands):
            notes.append(
                "no requirements file found: the workflows install gitml alone; if the stages "
                "import other libraries, list them in requirements.txt and rerun "
                "`gitml init --force`"
            )
        return Requirements(None, tuple(notes))
    path, reason = chosen
    others = [other for other in candidates if other != path]
    if others:
        notes.append(
            f"several requirements files ({', '.join([path, *others])}): the workflows install "
            f"{path}; change their `requirements:` input to install another"
        )
    return Requirements(path, tuple(notes), reason)
