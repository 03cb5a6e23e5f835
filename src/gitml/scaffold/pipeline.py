"""Which pipeline ``gitml init`` leaves the project with, and the steps that make it run.

Three cases: the project's own dvc.yaml (nothing is written; settings are read from what it
declares), a one-stage pipeline around the project's training script when it has one but no
dvc.yaml (a CML repository, :mod:`gitml.scaffold.script_pipeline`), else gitml's built-in
pipeline with its params.yaml. gitml's stages write fixed paths: a file of the user's at one of
them is named before the first run overwrites it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from gitml import dvc_adapter, templates
from gitml.core.git import run_git
from gitml.scaffold.plan import Plan
from gitml.scaffold.script_pipeline import ScriptPipeline, find_script_pipeline
from gitml.scaffold.settings import BUILTIN_METRICS, discover_metrics_files, read_metrics

#: What running gitml's pipeline once adds beside the files init writes (`dvc add data`,
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
class PipelinePlan:
    """The pipeline init leaves, and what the settings are proposed from."""

    #: "own" (the project's dvc.yaml), "script" (around its training script) or "gitml"
    kind: str
    #: ``{file: {name: value}}``
    metrics: dict[str, dict[str, float]]
    artifacts: tuple[str, ...]
    notes: tuple[str, ...] = ()
    script: ScriptPipeline | None = None
    #: whether init writes dvc.yaml in this run
    written: bool = False


def plan_pipeline(plan: Plan, outline: dvc_adapter.ProjectOutline, top: Path) -> PipelinePlan:
    """Plan the pipeline (see the module's docstring) and read what settings come from."""
    project = plan.project
    ours = templates.read("init", "dvc.yaml")
    if (project / "dvc.yaml").exists():
        if (project / "dvc.yaml").read_text(encoding="utf-8") == ours:
            return _gitml_pipeline(project, written=False)
        return _own_pipeline(project, outline)
    found = find_script_pipeline(project, top)
    if found is not None:
        script, origin = found
        plan.write("dvc.yaml", script.dvc_yaml(origin))
        return _script_pipeline(project, script, origin)
    plan.write("dvc.yaml", ours)
    plan.write("params.yaml", templates.read("init", "params.yaml"))
    return _gitml_pipeline(project, written=True)


def _gitml_pipeline(project: Path, written: bool) -> PipelinePlan:
    """gitml's stages: the metrics its evaluate stage writes; a warning for each file of the
    user's that a stage would overwrite."""
    metrics = {"metrics.json": dict.fromkeys(BUILTIN_METRICS, 0.0)}
    notes = []
    for path in _gitml_outputs() if written else []:
        if (project / path).exists():
            notes.append(
                f"{path} exists and gitml's pipeline writes it: the first `gitml run` "
                "overwrites it; move it or change the path in dvc.yaml and params.yaml first"
            )
    return PipelinePlan("gitml", metrics, ("model",), tuple(notes), written=written)


def _gitml_outputs() -> list[str]:
    """Every path gitml's built-in stages write."""
    document = yaml.safe_load(templates.read("init", "dvc.yaml"))
    paths = []
    for stage in document["stages"].values():
        for entry in [*stage.get("outs", []), *stage.get("metrics", [])]:
            paths.append(entry if isinstance(entry, str) else next(iter(entry)))
    return paths


def _own_pipeline(project: Path, outline: dvc_adapter.ProjectOutline) -> PipelinePlan:
    files = list(outline.metrics_files) or discover_metrics_files(project)
    metrics, notes = read_metrics(project, files)
    if not files:
        notes = [
            *notes,
            "dvc.yaml declares no metrics and no metrics*.json|yaml was found: no gate is "
            "proposed; declare your metrics file under `metrics:` in dvc.yaml",
        ]
    return PipelinePlan("own", metrics, outline.model_artifacts, tuple(notes))


def _script_pipeline(project: Path, script: ScriptPipeline, origin: str) -> PipelinePlan:
    """Settings from the script's metrics: its JSON files if they exist, else the values of its
    text metrics under the names the JSON to write will have."""
    existing = [path for path in script.metrics if (project / path).is_file()]
    metrics, notes = read_metrics(project, existing)
    if not existing and not script.metrics:
        # the names the next steps tell the user to write (metrics.txt's, else accuracy)
        metrics = {"metrics.json": dict(script.text_values or {"accuracy": 0.0})}
    notes.insert(
        0,
        f"no dvc.yaml: wrote a one-stage pipeline around {script.script} ({origin}) instead of "
        "gitml's built-in stages",
    )
    if script.model is None:
        notes.append(
            f"{script.script} saves no model file gitml recognises (.pkl, .joblib, .pt, ...): "
            "nothing to promote until dvc.yaml lists it under `outs:` and `artifacts:` "
            "(`type: model`)"
        )
    artifacts = ("model",) if script.model else ()
    return PipelinePlan("script", metrics, artifacts, tuple(notes), script, written=True)


def _git_tracks(project: Path, path: str) -> bool:
    done = run_git(project, "ls-files", "--", path, check=False)
    return done.returncode == 0 and bool(done.stdout.strip())


def pipeline_steps(pipeline: PipelinePlan, project: Path, remote_url: str | None) -> list[str]:
    """The steps that get the pipeline running once, for the next-steps list."""
    push = " && dvc push" if remote_url else ""
    if pipeline.kind == "gitml" and pipeline.written:
        track = "dvc add data"
        if _git_tracks(project, "data"):  # `dvc add` refuses what git tracks
            track = "git rm -r -q --cached data && dvc add data"
        return [
            "put your dataset at data/data.csv (a CSV with a header row and a `target` column; "
            f"see params.yaml), track it and run the pipeline once: `{track} && gitml run{push}`"
        ]
    if pipeline.kind != "script" or pipeline.script is None:
        return []
    script = pipeline.script
    steps = []
    if not script.metrics:
        names = list(script.text_values) or ["accuracy"]
        pairs = ", ".join(f"{json.dumps(n)}: {n}" for n in names)
        steps.append(
            f"make {script.script} also write its metrics as JSON, which DVC reads "
            f"({', '.join(script.text_metrics) or 'text'} it cannot): "
            f'`json.dump({{{pairs}}}, open("metrics.json", "w"))` with the values it computes'
        )
    steps.append(
        f"run the pipeline once: `gitml run{push}` (the data stays in git: dvc.yaml lists the "
        f"files {script.script} reads as dependencies; to move it to DVC later: "
        "`git rm -r -q --cached data && dvc add data`)"
    )
    return steps


def pipeline_files(pipeline: PipelinePlan) -> list[str]:
    """What the first run adds that belongs in the first commit."""
    if pipeline.kind == "gitml" and pipeline.written:
        return list(PIPELINE_OUTPUTS)
    if pipeline.kind == "script" and pipeline.script is not None:
        script = pipeline.script
        ignore = [os.path.join(os.path.dirname(script.model), ".gitignore")] if script.model else []
        return [
            "dvc.lock",
            *script.declared_metrics,
            *script.plots,
            *(path.removeprefix("./") for path in ignore),
        ]
    return []
