"""Whether the model a release would serve is one gitml's default service can serve.

The release workflow serves the model with gitml's default service, which loads a scikit-learn
estimator with joblib. A PyTorch, Keras, ONNX or fastai model needs a BentoML service of its own
(``gitml build --service file.py``; its shape: docs/serving.md, "Your own service"). Told apart
from what the project says about the artifact, first match wins:

1. the artifact's ``meta`` in dvc.yaml (``framework: pytorch``, ``library: ...``) or its labels;
2. the file's suffix (``.pt``, ``.pth``, ``.ckpt``, ``.h5``, ``.keras``, ``.onnx``,
   ``.safetensors``, ``.tflite``), or a directory (a saved model folder);
3. for a pickle (``.pkl``, ``.joblib``), the libraries the stage that writes it imports: a deep
   learning library (torch, fastai, tensorflow, keras, transformers, jax) and no scikit-learn.

An artifact gitml's own train stage writes is scikit-learn. Anything else is taken as servable.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

SUFFIXES = {
    ".pt": "PyTorch",
    ".pth": "PyTorch",
    ".ckpt": "PyTorch Lightning",
    ".h5": "Keras",
    ".keras": "Keras",
    ".onnx": "ONNX",
    ".safetensors": "safetensors",
    ".tflite": "TensorFlow Lite",
}
#: Top-level modules and the framework they mean.
LIBRARIES = {
    "torch": "PyTorch",
    "fastai": "fastai",
    "tensorflow": "TensorFlow",
    "keras": "Keras",
    "transformers": "Hugging Face transformers",
    "jax": "JAX",
    "flax": "JAX",
}
SKLEARN_WORDS = ("sklearn", "scikit-learn", "scikit_learn", "scikitlearn")
IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w., ]+))", re.MULTILINE)


@dataclass(frozen=True)
class ModelKind:
    """``framework`` is None for a model the default service can serve; ``why`` says how it
    was told."""

    framework: str | None
    why: str = ""


def _declared(artifact: dict) -> str | None:
    """A framework the artifact's ``meta`` or ``labels`` name, when it is not scikit-learn."""
    meta = artifact.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    words = [str(v) for k, v in meta.items() if k in ("framework", "library", "flavor")]
    words += [str(label) for label in artifact.get("labels") or []]
    for word in words:
        low = word.lower()
        if any(s in low for s in SKLEARN_WORDS):
            return None
        for module, framework in LIBRARIES.items():
            if module in low or framework.lower() in low:
                return framework
    return None


def _writer_scripts(project: Path, stages: dict, path: str) -> tuple[str, list[Path]] | None:
    """The stage whose outputs hold ``path``, and the Python files it runs or depends on."""
    for name, stage in stages.items():
        if not isinstance(stage, dict):
            continue
        outs = [o if isinstance(o, str) else next(iter(o), "") for o in stage.get("outs") or []]
        if not any(path == out or path.startswith(out.rstrip("/") + "/") for out in outs):
            continue
        cmds = stage.get("cmd") or []
        words = [w for cmd in ([cmds] if isinstance(cmds, str) else cmds) for w in _split(cmd)]
        deps = [d for d in stage.get("deps") or [] if isinstance(d, str)]
        files = [project / w for w in [*words, *deps] if w.endswith(".py")]
        return str(name), [f for f in files if f.is_file()]
    return None


def _split(command: str) -> list[str]:
    try:
        return shlex.split(str(command))
    except ValueError:
        return str(command).split()


def _imports(files: list[Path]) -> set[str]:
    found = set()
    for file in files:
        for match in IMPORT.finditer(file.read_text(encoding="utf-8", errors="replace")):
            names = match[1] or match[2] or ""
            found |= {name.strip().split(".")[0] for name in names.split(",") if name.strip()}
    return found


def model_kind(project: Path, artifact: str) -> ModelKind:
    """What serves ``artifact`` (declared in the project's dvc.yaml): see the module."""
    try:
        document = yaml.safe_load((project / "dvc.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return ModelKind(None)
    declared = (document.get("artifacts") or {}).get(artifact)
    if not isinstance(declared, dict) or not declared.get("path"):
        return ModelKind(None)
    path = str(declared["path"]).removeprefix("./")
    framework = _declared(declared)
    if framework:
        return ModelKind(framework, "dvc.yaml's meta for it says so")
    suffix = Path(path).suffix.lower()
    if suffix in SUFFIXES:
        return ModelKind(SUFFIXES[suffix], f"a {suffix} file")
    stages = document.get("stages") or {}
    writer = _writer_scripts(project, stages if isinstance(stages, dict) else {}, path)
    if not suffix and writer is not None and (project / path).is_dir():
        return ModelKind("a saved model folder", "a directory")
    if writer is None:
        return ModelKind(None)
    stage, files = writer
    imported = _imports(files)
    frameworks = [LIBRARIES[m] for m in sorted(imported) if m in LIBRARIES]
    if frameworks and "sklearn" not in imported:
        return ModelKind(frameworks[0], f"stage {stage}, which writes it, imports {frameworks[0]}")
    return ModelKind(None)
