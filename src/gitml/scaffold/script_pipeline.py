"""A one-stage pipeline around a project's own training script (the usual CML repository).

A repository that uses CML today has a ``train.py`` that reads data git tracks and writes its
metrics (often ``metrics.txt``) and plots, a workflow that runs it and posts ``cml comment``, and
no DVC pipeline. ``gitml init`` writes a ``dvc.yaml`` of one stage around that script instead of
its generic pipeline: the script's command, the script and the data files it reads as
dependencies (they stay in git), the model file it saves as an output and the ``model``
artifact, its JSON/YAML metrics and its image plots. What the script reads and writes is read
from its string literals: a path on a line that opens a file for writing or saves/dumps/exports
is written, any other path that exists is read.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

#: Where a training script usually is, in order, when no workflow names one.
SCRIPT_PLACES = ("train.py", "src/train.py", "training.py", "src/training.py", "train/train.py")
PATH_LITERAL = re.compile(r"""(["'])([\w./-]+\.(\w+))\1""")
WRITES = re.compile(
    r"""["'](?:w|wb|w\+|a)["']|mode\s*=\s*["'](?:w|wb|a)|savefig|\.dump\(|\bdump\(|save\(|"""
    r"""to_csv\(|to_json\(|to_parquet\(|write_text\(|write_bytes\(|export\(|save_model\("""
)
METRIC_SUFFIXES = {"json", "yaml", "yml", "toml"}
IMAGE_SUFFIXES = {"png", "jpg", "jpeg", "svg", "gif"}
MODEL_SUFFIXES = {"pkl", "pickle", "joblib", "pt", "pth", "h5", "keras", "onnx", "bin", "ckpt"}
CML_MARKS = ("iterative/setup-cml", "cml comment", "cml send-comment", "cml publish", "cml pr ")
#: ``Accuracy: 0.93`` / ``f1 = 0.9`` lines of a text metrics file
TEXT_METRIC = re.compile(r"^\s*([A-Za-z][\w .-]*?)\s*[:=]\s*(-?[\d.]+(?:e-?\d+)?)\s*$")


@dataclass(frozen=True)
class ScriptPipeline:
    """The stage around the training script, and what the user still has to do for it."""

    script: str
    command: str
    deps: tuple[str, ...]
    #: metrics files the script writes that DVC reads (JSON, YAML, TOML)
    metrics: tuple[str, ...]
    #: metrics the script writes as text (``metrics.txt``): DVC cannot read them
    text_metrics: tuple[str, ...]
    plots: tuple[str, ...]
    model: str | None
    #: ``{name: value}`` read from a text metrics file in the workspace, for the JSON to write
    text_values: dict[str, float]

    @property
    def declared_metrics(self) -> tuple[str, ...]:
        """What dvc.yaml declares: the script's JSON metrics, else the file it must add."""
        return self.metrics or ("metrics.json",)

    def dvc_yaml(self, origin: str) -> str:
        """The dvc.yaml text (``origin``: where the script was found, for its comment)."""
        stage: dict = {"cmd": self.command, "deps": list(self.deps)}
        if self.model:
            stage["outs"] = [self.model]
        stage["metrics"] = [{path: {"cache": False}} for path in self.declared_metrics]
        if self.plots:
            stage["plots"] = [{path: {"cache": False}} for path in self.plots]
        document: dict = {"stages": {"train": stage}}
        if self.model:
            document["artifacts"] = {"model": {"path": self.model, "type": "model"}}
        header = (
            f"# Written by `gitml init` around {self.script} ({origin}): one stage, whose data "
            "stays in git.\n# Add dependencies and outputs as the script grows; "
            "https://dvc.org/doc/user-guide/project-structure/dvcyaml-files\n"
        )
        return header + yaml.safe_dump(document, sort_keys=False)


def cml_workflows(top: Path) -> list[Path]:
    """The workflows under ``.github/workflows`` that use CML."""
    folder = top / ".github" / "workflows"
    found = []
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(mark in text for mark in CML_MARKS):
            found.append(path)
    return found


def _workflow_scripts(workflows: list[Path], project: Path) -> list[str]:
    """``python X.py`` scripts the workflows run that exist in the project, in order."""
    scripts = []
    for path in workflows:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            words = line.strip().lstrip("-").strip().split()
            if words[:1] == ["run:"]:
                words = words[1:]
            if len(words) >= 2 and Path(words[0]).name.startswith("python"):
                script = words[1].removeprefix("./")
                if script.endswith(".py") and (project / script).is_file():
                    scripts.append(script)
    return list(dict.fromkeys(scripts))


def _paths(project: Path, script: str) -> tuple[list[str], list[str]]:
    """The paths the script reads (existing ones) and writes, from its string literals."""
    reads, writes = [], []
    for line in (project / script).read_text(encoding="utf-8", errors="replace").splitlines():
        if line.lstrip().startswith("#"):
            continue
        for match in PATH_LITERAL.finditer(line):
            path = match[2].removeprefix("./")
            if WRITES.search(line):
                writes.append(path)
            elif (project / path).exists() and path != script:
                reads.append(path)
    return list(dict.fromkeys(reads)), list(dict.fromkeys(writes))


def _text_values(project: Path, files: list[str]) -> dict[str, float]:
    values = {}
    for file in files:
        path = project / file
        if path.is_file():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                match = TEXT_METRIC.match(line)
                if match:
                    name = re.sub(r"\W+", "_", match[1].strip().lower()).strip("_")
                    values[name] = float(match[2])
    return values


def find_script_pipeline(project: Path, top: Path) -> tuple[ScriptPipeline, str] | None:
    """The stage around the project's training script and where the script was found; None
    when there is none."""
    scripts = _workflow_scripts(cml_workflows(top), project)
    origin = "the script the CML workflow runs"
    if not scripts:
        scripts = [place for place in SCRIPT_PLACES if (project / place).is_file()]
        origin = "the training script found"
    if not scripts:
        return None
    script = scripts[0]
    reads, writes = _paths(project, script)
    suffix = {path: path.rsplit(".", 1)[-1].lower() for path in writes}
    metric_like = [p for p in writes if re.search("metric|score", Path(p).name, re.IGNORECASE)]
    text_metrics = [p for p in metric_like if suffix[p] == "txt"]
    pipeline = ScriptPipeline(
        script=script,
        command=f"python {shlex.quote(script)}",
        deps=tuple([script, *reads]),
        metrics=tuple(p for p in metric_like if suffix[p] in METRIC_SUFFIXES),
        text_metrics=tuple(text_metrics),
        plots=tuple(p for p in writes if suffix[p] in IMAGE_SUFFIXES),
        model=next((p for p in writes if suffix[p] in MODEL_SUFFIXES), None),
        text_values=_text_values(project, text_metrics),
    )
    return pipeline, origin
