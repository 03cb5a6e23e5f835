"""The file that lists what the project's own stages import, for the workflows' ``requirements``.

DVC tutorials keep it beside the code (``src/requirements.txt`` with dvclive, matplotlib, ...);
others use ``requirements.txt`` at the top or ``[project] dependencies`` in ``pyproject.toml``
(``uv pip install -r`` reads all three). Without it, the PR workflow installs gitml alone and the
first stage that imports the project's libraries fails on the runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitml.config import tomllib

#: Folders a requirements file is never taken from (environments, caches, vendored code).
SKIPPED_FOLDERS = {"node_modules", "venv", "env", "site-packages", "build", "dist"}


@dataclass(frozen=True)
class Requirements:
    """The requirements file found (relative to the project), None when there is none."""

    path: str | None
    notes: tuple[str, ...] = ()


def _pyproject_dependencies(project: Path) -> bool:
    path = project / "pyproject.toml"
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return bool(document.get("project", {}).get("dependencies"))


def _candidates(project: Path) -> list[str]:
    """``requirements.txt`` files at the top or one folder down, the top first."""
    found = ["requirements.txt"] if (project / "requirements.txt").is_file() else []
    for path in sorted(project.glob("*/requirements.txt")):
        folder = path.parent.name
        if not folder.startswith(".") and folder not in SKIPPED_FOLDERS and path.is_file():
            found.append(path.relative_to(project).as_posix())
    return found


def find_requirements(project: Path, stage_commands: tuple[str, ...] = ()) -> Requirements:
    """The project's requirements: ``requirements.txt`` at the top, else the one beside the code
    the stages run (``src/requirements.txt`` for ``python src/train.py``), else ``pyproject.toml``
    when it declares ``[project] dependencies``."""
    candidates = _candidates(project)
    if candidates and candidates[0] == "requirements.txt":
        return Requirements("requirements.txt")
    used = [
        path
        for path in candidates
        if any(path.rsplit("/", 1)[0] + "/" in command for command in stage_commands)
    ]
    chosen = next(iter(used or candidates), None)
    if chosen is None:
        if _pyproject_dependencies(project):
            return Requirements("pyproject.toml")
        return Requirements(None)
    others = [path for path in candidates if path != chosen]
    notes = (
        (
            f"several requirements files ({', '.join([chosen, *others])}): the workflows install "
            f"{chosen}; change their `requirements:` input to install another",
        )
        if others
        else ()
    )
    return Requirements(chosen, notes)
