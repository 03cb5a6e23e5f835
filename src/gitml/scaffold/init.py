"""``init_repository``: write gitml's workflows, settings and (when missing) a pipeline.

Nothing existing is overwritten without ``force``; the result says what was written, skipped or
overwritten, the secrets to set and the next steps, and the CLI renders it.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from gitml import dvc_adapter, templates
from gitml.core.git import output as _git
from gitml.core.project_files import IGNORED
from gitml.errors import UsageError
from gitml.registry.stages import registry_stages
from gitml.scaffold.model_kind import model_kind
from gitml.scaffold.pipeline import PipelinePlan, pipeline_files, pipeline_steps, plan_pipeline
from gitml.scaffold.plan import FileResult, Plan
from gitml.scaffold.remote import Secret, remote_needs
from gitml.scaffold.requirements import find_requirements
from gitml.scaffold.runtime import ci_runner_notes, project_python
from gitml.scaffold.script_pipeline import cml_workflows
from gitml.scaffold.settings import (
    load_pyproject,
    merge_pyproject,
    propose_settings,
)
from gitml.scaffold.source import GitmlSource, resolve_source
from gitml.scaffold.workflows import (
    WRITTEN,
    WorkflowInputs,
    plan_workflows,
    stage_commands,
    stage_deps,
)


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
    #: what init chose for the project and why (requirements, Python version), one line each
    choices: tuple[str, ...] = ()

    @property
    def written(self) -> list[str]:
        """Paths created, appended to or overwritten."""
        return [f.path for f in self.files if f.action not in ("skipped", "unchanged")]


def infer_base(top: Path) -> str:
    """The branch PRs target: origin's default branch if known, else the current one, else main."""
    remote_head = _git(top, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if remote_head and remote_head.startswith("origin/"):
        return remote_head.removeprefix("origin/")
    return _git(top, "symbolic-ref", "--quiet", "--short", "HEAD") or "main"


def _gitignore(plan: Plan) -> None:
    """Add gitml's outputs to .gitignore: only the missing lines are appended, so no --force."""
    path = plan.project / ".gitignore"
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    missing = [line for line in IGNORED if line not in existing.splitlines()]
    if not missing:
        plan.add(FileResult(".gitignore", "unchanged", "ignores gitml's outputs already"), None)
        return
    separator = "\n" if existing and not existing.endswith("\n") else ""
    block = "# gitml's per-run outputs (gitml init)\n" + "".join(f"{line}\n" for line in missing)
    action = "appended" if existing else "created"
    plan.add(FileResult(".gitignore", action), existing + separator + block)


def init_repository(
    directory: Path | str = ".",
    *,
    ref: str | None = None,
    force: bool = False,
    release: bool = False,
    dry_run: bool = False,
    service: str | None = None,
) -> InitResult:
    """Add gitml to the git repository holding ``directory`` (where dvc.yaml is, or will be).

    With ``release``, a model gitml's default service cannot serve (PyTorch, Keras, ...; see
    :mod:`gitml.scaffold.model_kind`) is refused unless ``service`` names the project's own
    BentoML service, which the release workflow then builds.

    Everything is read from the files git holds (dvc.yaml, dvc.lock, the workspace) and the
    local DVC cache: no DVC remote is asked, so a fresh clone whose data is not pulled works.
    """
    project, top = _locate(directory)
    source = resolve_source(ref)
    plan = Plan(project, force)
    pyproject = project / "pyproject.toml"
    existing = pyproject.read_text(encoding="utf-8") if pyproject.exists() else None
    if existing is not None:
        load_pyproject(existing)  # fail before `dvc init` or any write

    dvc_init, outline = _dvc_project(plan, project, top, dry_run)
    pipeline = plan_pipeline(plan, outline, top)
    if release:
        check_servable(project, pipeline.artifacts, service)
    warnings = list(pipeline.notes)
    base = infer_base(top)
    needs = remote_needs(outline.remote_name, outline.remote_url)
    warnings += needs.warnings
    inputs, choices, notes = _workflow_inputs(project, top)
    inputs = dataclasses.replace(inputs, service=service if release else None)
    warnings += notes
    plan_workflows(plan, top, base, source, needs, inputs, release)

    warnings += _settings(plan, existing, base, pipeline, top)
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
        source, base, tuple(plan.files), needs.secrets, tuple(warnings), (), dry_run, choices
    )
    steps = _next_steps(result, project, top, pipeline, dvc_init, release, outline.remote_url)
    return dataclasses.replace(result, next_steps=tuple(steps))


def _settings(
    plan: Plan, existing: str | None, base: str, pipeline: PipelinePlan, top: Path
) -> tuple[str, ...]:
    """Plan ``[tool.gitml]`` in pyproject.toml; the notes on what was proposed."""
    proposed = propose_settings(
        base, pipeline.metrics, pipeline.artifacts, tuple(registry_stages(top))
    )
    action, text = merge_pyproject(existing, proposed.text, plan.force)
    detail = {
        "skipped": "[tool.gitml] exists; --force to replace it",
        "unchanged": "[tool.gitml] as proposed",
    }.get(action, "[tool.gitml]")
    plan.add(FileResult("pyproject.toml", action, detail), text)
    return proposed.notes


def check_servable(project: Path, artifacts: tuple[str, ...], service: str | None) -> None:
    """Refuse a release of a model the default service cannot serve, unless ``service`` is the
    project's own service file (which must exist)."""
    if service is not None:
        path = project / service.partition(":")[0]
        if not path.is_file() or path.suffix != ".py":
            raise UsageError(
                f"--service {service}: no such Python file in {project}; pass the path of your "
                'BentoML service relative to the project (docs/serving.md, "Your own service")'
            )
        return
    for artifact in artifacts[:1]:  # the one promote uses (several: the user chooses)
        kind = model_kind(project, artifact)
        if kind.framework is None:
            continue
        raise UsageError(
            f"not writing a release workflow for {artifact}: it is a {kind.framework} model "
            f"({kind.why}) and gitml's default service serves scikit-learn estimators only; "
            'write a BentoML service for it (its shape: docs/serving.md, "Your own service"), '
            "check it with `gitml build --service serving/service.py`, then run "
            "`gitml init --release --service serving/service.py`"
        )


def _workflow_inputs(project: Path, top: Path) -> tuple[WorkflowInputs, tuple[str, ...], list[str]]:
    """The workflows' inputs read from the project, the choices to print, and notes."""
    found = find_requirements(project, stage_commands(project), stage_deps(project))
    python = project_python(project)
    choices = []
    if found.path is not None:
        choices.append(f"the workflows install {found.path} ({found.reason})")
    if python.version is not None:
        choices.append(f"the workflows use Python {python.version} (from {python.source})")
    notes = [*found.notes, *python.notes, *ci_runner_notes(top, WRITTEN)]
    return WorkflowInputs(found.path, python.version), tuple(choices), notes


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
    plan: Plan, project: Path, top: Path, dry_run: bool
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


def _next_steps(
    result: InitResult,
    project: Path,
    top: Path,
    pipeline: PipelinePlan,
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
    steps += pipeline_steps(pipeline, project, remote_url)
    paths = list(dict.fromkeys([*paths, *pipeline_files(pipeline)]))
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
        steps.append(
            "where you run the released image, set GITML_FEEDBACK_TOKEN to a random secret and "
            "give it only to the clients that post labels (`Authorization: Bearer <token>`): the "
            "image refuses POST /feedback without it, since labels flow into retraining"
        )
    steps += _cml_steps(top, project, release)
    return steps


def _cml_steps(top: Path, project: Path, release: bool) -> list[str]:
    """What to do with the project's CML workflows: gitml's replace them."""
    steps = []
    for path in cml_workflows(top):
        name = os.path.relpath(path, project)
        replaced = "gitml-pr.yml replaces it on pull requests (the comment, compared with " + (
            "the base branch, and the `gitml` check)"
        )
        if release:
            replaced += " and gitml-release.yml on merges"
        steps.append(
            f"{name} runs CML: {replaced}; once gitml's workflow has commented on a pull "
            f"request, delete it: `git rm {name}`"
        )
    return steps
