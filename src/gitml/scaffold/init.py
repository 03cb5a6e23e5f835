"""``init_repository``: write gitml's workflows, settings and (when missing) a pipeline.

Nothing existing is overwritten without ``force``; the result says what was written, skipped or
overwritten, the secrets to set and the next steps, and the CLI renders it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gitml import dvc_adapter, templates
from gitml.core.git import output as _git
from gitml.core.project_files import IGNORED
from gitml.errors import UsageError
from gitml.registry.stages import registry_stages
from gitml.scaffold.remote import RemoteNeeds, Secret, remote_needs
from gitml.scaffold.requirements import find_requirements
from gitml.scaffold.settings import (
    BUILTIN_METRICS,
    discover_metrics_files,
    load_pyproject,
    merge_pyproject,
    propose_settings,
    read_metrics,
)
from gitml.scaffold.source import GitmlSource, resolve_source

WORKFLOWS = Path(".github") / "workflows"
#: What running the written pipeline once adds beside the files init writes (`dvc add data`,
#: `gitml run`): all of it belongs in the first commit.
PIPELINE_OUTPUTS = (
    "data.dvc",
    ".gitignore",
    "models/.gitignore",
    "dvc.lock",
    "metrics.json",
    "plots",
)


@dataclass(frozen=True)
class FileResult:
    """One file init considered: ``created``, ``appended``, ``overwritten`` or ``skipped``."""

    path: str  # relative to the directory init ran on, as a user types it
    action: str
    detail: str = ""


@dataclass(frozen=True)
class InitResult:
    """What ``init_repository`` did (or, with ``dry_run``, would do)."""

    source: GitmlSource
    base: str
    files: tuple[FileResult, ...]
    secrets: tuple[Secret, ...]
    warnings: tuple[str, ...]
    next_steps: tuple[str, ...]
    dry_run: bool = False

    @property
    def written(self) -> list[str]:
        """Paths created, appended to or overwritten."""
        return [f.path for f in self.files if f.action != "skipped"]


@dataclass
class _Plan:
    """The files to write: nothing is written until every one of them is decided."""

    project: Path
    force: bool
    files: list[FileResult] = field(default_factory=list)
    pending: list[tuple[Path, str]] = field(default_factory=list)

    def add(self, result: FileResult, text: str | None) -> None:
        """Record what happens to one file; ``text`` is its new content (None: left alone)."""
        self.files.append(result)
        if text is not None:
            self.pending.append((self.project / result.path, text))

    def write(self, relative: str | Path, text: str) -> None:
        """Plan one file: written unless it exists (and ``force`` is off)."""
        path = self.project / relative
        shown = Path(os.path.relpath(path, self.project)).as_posix()
        if path.exists() and not self.force:
            self.add(FileResult(shown, "skipped", "exists; --force to overwrite"), None)
        else:
            self.add(FileResult(shown, "overwritten" if path.exists() else "created"), text)

    def apply(self) -> None:
        """Write the planned files."""
        for path, text in self.pending:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def infer_base(top: Path) -> str:
    """The branch PRs target: origin's default branch if known, else the current one, else main."""
    remote_head = _git(top, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if remote_head and remote_head.startswith("origin/"):
        return remote_head.removeprefix("origin/")
    return _git(top, "symbolic-ref", "--quiet", "--short", "HEAD") or "main"


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


def _gitignore(plan: _Plan) -> None:
    """Add gitml's outputs to .gitignore: only the missing lines are appended, so no --force."""
    path = plan.project / ".gitignore"
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    missing = [line for line in IGNORED if line not in existing.splitlines()]
    if not missing:
        plan.add(FileResult(".gitignore", "skipped", "ignores gitml's outputs already"), None)
        return
    separator = "\n" if existing and not existing.endswith("\n") else ""
    block = "# gitml's per-run outputs (gitml init)\n" + "".join(f"{line}\n" for line in missing)
    action = "appended" if existing else "created"
    plan.add(FileResult(".gitignore", action), existing + separator + block)


def stage_commands(project: Path) -> tuple[str, ...]:
    """The ``cmd`` of every stage in the project's dvc.yaml (empty when it has none)."""
    try:
        document = yaml.safe_load((project / "dvc.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return ()
    stages = document.get("stages") if isinstance(document, dict) else None
    commands: list[str] = []
    for stage in (stages or {}).values():
        cmd = stage.get("cmd") if isinstance(stage, dict) else None
        commands += [cmd] if isinstance(cmd, str) else [str(c) for c in cmd or []]
    return tuple(commands)


def _workflows(
    plan: _Plan,
    top: Path,
    base: str,
    source: GitmlSource,
    needs: RemoteNeeds,
    release: bool,
    requirements: str | None,
) -> None:
    relative = Path(os.path.relpath(plan.project, top)).as_posix()
    with_lines = [] if relative == "." else [f"working-directory: {json.dumps(relative)}"]
    if requirements is not None:
        keyed = requirements if relative == "." else f"{relative}/{requirements}"
        with_lines += [
            f"requirements: {json.dumps(requirements)}",
            f"cache-dependency-path: {json.dumps(keyed)}",
        ]
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
        values = {**values, "with": release_with}
        plan.write(folder / "gitml-release.yml", _render("gitml-release.yml", values))


def init_repository(
    directory: Path | str = ".",
    *,
    ref: str | None = None,
    force: bool = False,
    release: bool = False,
    dry_run: bool = False,
) -> InitResult:
    """Add gitml to the git repository holding ``directory`` (where dvc.yaml is, or will be)."""
    project, top = _locate(directory)
    source = resolve_source(ref)
    plan = _Plan(project, force)
    warnings: list[str] = []
    pyproject = project / "pyproject.toml"
    existing = pyproject.read_text(encoding="utf-8") if pyproject.exists() else None
    if existing is not None:
        load_pyproject(existing)  # fail before `dvc init` or any write

    dvc_init, outline = _dvc_project(plan, project, top, dry_run)
    pipeline = _pipeline(plan, outline)
    warnings += pipeline.notes

    base = infer_base(top)
    needs = remote_needs(outline.remote_name, outline.remote_url)
    warnings += needs.warnings
    found = find_requirements(project, stage_commands(project))
    warnings += found.notes
    _workflows(plan, top, base, source, needs, release, found.path)

    stages = tuple(registry_stages(top))
    proposed = propose_settings(base, pipeline.metrics, pipeline.artifacts, stages)
    warnings += proposed.notes
    action, text = merge_pyproject(existing, proposed.text, force)
    detail = "[tool.gitml] exists; --force to replace it" if action == "skipped" else "[tool.gitml]"
    plan.add(FileResult("pyproject.toml", action, detail), text)
    _gitignore(plan)
    # the part of every model card the project writes once (gitml card adds the rest)
    plan.write("MODEL_CARD.md", templates.read("init", "MODEL_CARD.md"))
    if not dry_run:
        plan.apply()

    if source.origin.startswith("local checkout"):
        warnings.append(
            f"the workflows are pinned to {source.sha}, the commit of the gitml {source.origin}: "
            f"it must be on github.com/gitml/gitml; pass --ref to pin a release instead"
        )
    result = InitResult(
        source, base, tuple(plan.files), needs.secrets, tuple(warnings), (), dry_run
    )
    steps = _next_steps(result, project, pipeline.written, dvc_init, release, outline.remote_url)
    return dataclasses.replace(result, next_steps=tuple(steps))


def _locate(directory: Path | str) -> tuple[Path, Path]:
    """The project's folder and the top of the git repository holding it."""
    project = Path(directory).resolve()
    if not project.is_dir():
        raise UsageError(f"{directory} is not a directory; pass --dir with your project's folder")
    top_text = _git(project, "rev-parse", "--show-toplevel")
    if top_text is None:
        raise UsageError(
            f"{project} is not in a git repository; run `git init` there first, "
            "or pass --dir with the path of one"
        )
    return project, Path(top_text).resolve()


def _dvc_project(
    plan: _Plan, project: Path, top: Path, dry_run: bool
) -> tuple[bool, dvc_adapter.ProjectOutline]:
    """``dvc init`` when the project has no DVC yet (not in a dry run); whether it was needed,
    and what the project's DVC declares."""
    dvc_init = not (project / ".dvc").is_dir()
    # a folder below a DVC project belongs to it: no nested `dvc init` there
    for parent in project.parents if dvc_init and project != top else ():
        if (parent / ".dvc").is_dir():
            raise UsageError(
                f"{project} is inside the DVC project at {parent}; run `gitml init` there "
                f"(--dir {os.path.relpath(parent)})"
            )
        if parent == top:
            break
    if dvc_init:
        plan.files.append(FileResult(".dvc", "created", "dvc init"))
        if not dry_run:
            dvc_adapter.init_dvc(project, subdir=project != top)
    if dvc_init and dry_run:
        return dvc_init, dvc_adapter.ProjectOutline((), (), None, None)
    return dvc_init, dvc_adapter.project_outline(project)


@dataclass(frozen=True)
class _Pipeline:
    """Whether init writes gitml's pipeline, and what the settings are proposed from."""

    written: bool
    #: ``{file: {name: value}}``
    metrics: dict[str, dict[str, float]]
    artifacts: tuple[str, ...]
    notes: tuple[str, ...] = ()


def _pipeline(plan: _Plan, outline: dvc_adapter.ProjectOutline) -> _Pipeline:
    """gitml's pipeline planned when the project has none; the metrics and model artifacts to
    propose settings from: gitml's, or what the user's pipeline declares."""
    project = plan.project
    template = templates.read("init", "dvc.yaml")
    ours: str | None = template
    written = not (project / "dvc.yaml").exists()
    if written:
        plan.write("dvc.yaml", template)
        plan.write("params.yaml", templates.read("init", "params.yaml"))
    elif (project / "dvc.yaml").read_text(encoding="utf-8") != ours:
        ours = None  # the user's own pipeline: infer from what it declares
    if ours is not None and not (project / "metrics.json").is_file():
        # gitml's evaluate stage writes these; metrics.json does not exist until the first run.
        metrics = {"metrics.json": dict.fromkeys(BUILTIN_METRICS, 0.0)}
        return _Pipeline(written, metrics, ("model",))
    files = list(outline.metrics_files) or discover_metrics_files(project)
    metrics, notes = read_metrics(project, files)
    if not files:
        notes = [
            *notes,
            "dvc.yaml declares no metrics and no metrics*.json|yaml was found: no gate is "
            "proposed; declare your metrics file under `metrics:` in dvc.yaml",
        ]
    return _Pipeline(written, metrics, outline.model_artifacts, tuple(notes))


def _next_steps(
    result: InitResult,
    project: Path,
    pipeline: bool,
    dvc_init: bool,
    release: bool,
    remote_url: str | None,
) -> list[str]:
    steps = []
    if Path.cwd().resolve() != project:
        steps.append(f"cd {os.path.relpath(project)}")
    paths = result.written
    if dvc_init:
        paths = [p for p in paths if p != ".dvc"] + [".dvc", ".dvcignore"]
    if pipeline:
        push = " && dvc push" if remote_url else ""
        steps.append(
            "put your dataset at data/data.csv (a CSV with a header row and a `target` column; "
            f"see params.yaml), track it and run the pipeline once: `dvc add data && gitml run{push}`"
        )
        paths += list(PIPELINE_OUTPUTS)
    paths = list(dict.fromkeys(paths))
    if paths:
        steps.append(f'commit: `git add {" ".join(paths)} && git commit -m "Add gitml"`')
    if result.secrets:
        names = ", ".join(s.name for s in result.secrets)
        steps.append(
            f"set the repository secrets {names} to the DVC remote's credentials "
            "(Settings > Secrets and variables > Actions)"
        )
    steps.append(
        f"protect {result.base}: require the `gitml` check (Settings > Branches), so that a "
        "failing quality gate blocks the merge"
    )
    if release:
        steps.append(
            "create a `production` environment with required reviewers (Settings > Environments): "
            "the release workflow's prod job runs in it"
        )
    return steps
