"""``gitml build``: import the model into BentoML's store and build a Bento from it.

The Bento comes from gitml's default scikit-learn service (``gitml.serving.service``, copied into a
build context with the model tag and features beside it) or from the user's own service file. The
build runs ``bentoml build`` in a child process (a service module is imported to build it; a child
keeps two builds in one process from sharing a stale module) with dependency locking off, so it
works offline; ``lock=True`` locks against the package index instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

from gitml.config import Settings, load_settings
from gitml.errors import GitmlError, UsageError
from gitml.serving.importer import MODEL_FILE, ImportedModel, import_model
from gitml.serving.source import ModelSource, resolve_source
from gitml.serving.store import bentoml_store

#: Packages the default service imports, pinned to this environment's versions so the Bento
#: predicts exactly what the pipeline's model predicts here.
DEFAULT_PACKAGES = ("scikit-learn", "numpy", "scipy", "joblib")
BUILD_DIR = Path(".gitml") / "bento"
#: The default service's files, copied into the Bento's build context (they import no gitml).
SERVICE_FILES = ("service.py", "service_http.py", "service_records.py", "service_forest.py")
#: Environment variable naming the imported model's tag, at build and at serve time: a user's
#: own service declares ``bentoml.models.BentoModel(os.environ["GITML_MODEL_TAG"])``.
MODEL_TAG_ENV = "GITML_MODEL_TAG"
#: ``required`` in the image: ``POST /feedback`` needs ``GITML_FEEDBACK_TOKEN`` (service_http.py).
FEEDBACK_AUTH_ENV = "GITML_FEEDBACK_AUTH"


@dataclass
class BuildResult:
    bento_tag: str
    model: ImportedModel
    source: ModelSource
    service: str  # "default" or the user's file
    images: list[str] = field(default_factory=list)
    #: manifest digest of the image saved as an OCI archive (``sha256:...``), else empty
    digest: str = ""

    def outputs(self) -> dict[str, str]:
        return {
            "bento-tag": self.bento_tag,
            "model-tag": self.model.tag,
            "version": self.model.version or "",
            "commit": self.model.commit,
            "image": self.images[0] if self.images else "",
            "images": " ".join(self.images),
            "digest": self.digest,
        }


def pinned(packages: tuple[str, ...] = DEFAULT_PACKAGES) -> list[str]:
    return [f"{name}=={metadata.version(name)}" for name in packages]


def default_context(parent: Path, model: ImportedModel, service_name: str) -> Path:
    """A build context in ``parent`` holding the default service and its ``gitml_service.json``."""
    ctx = parent / model.tag.replace(":", "-")
    shutil.rmtree(ctx, ignore_errors=True)
    ctx.mkdir(parents=True)
    for name in SERVICE_FILES:
        shutil.copyfile(Path(__file__).with_name(name), ctx / name)
    config = {
        "service_name": service_name,
        "model_tag": model.tag,
        "model_file": MODEL_FILE,
        "version": model.version,
        "commit": model.commit,
        "features": model.features,
    }
    (ctx / "gitml_service.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return ctx


#: The image's Dockerfile: BentoML's own with the model's tag set last. BentoML writes a Bento's
#: variables before it installs the Python packages, so each new model version changed that layer:
#: every release installed and pushed every package again (about 1 GB). Set last, the system and
#: package layers stay the same from one version to the next, for a build cache and a registry.
DOCKERFILE_TEMPLATE = """{{% extends bento_base_template %}}
{{% block SETUP_BENTO_ENTRYPOINT %}}
ENV {name}={value}
{{{{ super() }}}}
{{% endblock %}}
"""
TEMPLATE_NAME = "gitml-model-tag.Dockerfile.j2"


def place_template(context: Path, model_tag: str) -> Path | None:
    """Write the Dockerfile template into ``context``; None where BentoML would refuse to read
    it (it reads templates only from paths without a hidden folder in them)."""
    if any(part.startswith(".") for part in context.resolve().parts):
        return None
    path = context / TEMPLATE_NAME
    value = json.dumps(model_tag)
    path.write_text(DOCKERFILE_TEMPLATE.format(name=MODEL_TAG_ENV, value=value), encoding="utf-8")
    return path


def bentofile(
    service: str,
    include: list[str],
    model: ImportedModel,
    packages: list[str],
    lock: bool,
    base_image: str | None,
    template: str | None = None,
    requirements_txt: str | None = None,
) -> dict:
    """The bentofile of ``model``'s Bento (offline unless ``lock``). With ``template`` (see
    :func:`place_template`) the image sets the model's tag last; the Bento declares it for
    runtime only, which keeps BentoML from writing it above the packages. ``requirements_txt``
    (a user's service: the ``requirements.txt`` beside it) adds what that service imports."""
    model_env = {"name": MODEL_TAG_ENV, "value": model.tag}
    if template:
        model_env["stage"] = "runtime"
    doc: dict = {
        "service": service,
        "include": include,
        "labels": {
            "version": model.version or "unregistered",
            "commit": model.commit,
            "source": "gitml",
        },
        "python": {"packages": packages, "lock_packages": lock},
        "envs": [model_env],
    }
    if requirements_txt:
        doc["python"]["requirements_txt"] = requirements_txt
    docker: dict = {"base_image": base_image} if base_image else {}
    # The image sends BentoML no usage data, as gitml's own BentoML calls do not, and its
    # service takes feedback only with a token (GITML_FEEDBACK_TOKEN; docs/serving.md): a
    # deployment is reachable by others, a local `gitml serve` (no image) is not.
    env = {"BENTOML_DO_NOT_TRACK": "True", FEEDBACK_AUTH_ENV: "required"}
    if template:
        # BentoML's Dockerfile writes docker.env where it would write the Bento's variables (its
        # default); a constant one keeps the model's tag out of there.
        docker["dockerfile_template"] = template
    else:
        env[MODEL_TAG_ENV] = model.tag  # docker.env replaces that default: keep the tag
    docker["env"] = env
    doc["docker"] = docker
    return doc


def bento_name(artifact: str) -> str:
    return artifact.lower().replace("_", "-")


def service_entry(service_file: str | None) -> str:
    """The import string a Bento built from ``service_file`` (None: gitml's default) records."""
    if service_file is None:
        return "service:GitmlClassifier"
    path, _, class_name = service_file.partition(":")
    stem = Path(path).stem
    return f"{stem}:{class_name}" if class_name else stem


def built_from(tag: str, service_file: str | None) -> bool:
    """Whether the Bento ``tag`` is in the store and was built from ``service_file``'s service
    (a Bento of the same version built from another service must be built again)."""
    import bentoml
    from bentoml.exceptions import NotFound

    try:
        return bentoml.get(tag).info.service == service_entry(service_file)
    except NotFound:
        return False


def delete_bento(tag: str) -> None:
    import bentoml
    from bentoml.exceptions import NotFound

    with contextlib.suppress(NotFound):
        bentoml.bentos.delete(tag)


def build(
    root: Path | str = ".",
    *,
    version: str | None = None,
    stage: str | None = None,
    artifact: str | None = None,
    service_file: str | None = None,
    lock: bool = False,
    base_image: str | None = None,
    model_path: Path | None = None,
    settings: Settings | None = None,
    env: Mapping[str, str] | None = None,
) -> BuildResult:
    """Import the model of ``version``/``stage``/HEAD and build its Bento; return the tags.

    ``env`` replaces this process's environment for BentoML (its ``BENTOML_HOME``: the store the
    model and the Bento go to) and for ``bentoml build``."""
    root = Path(root).resolve()
    settings = settings or load_settings(root)
    source = resolve_source(root, settings, artifact=artifact, version=version, stage=stage)
    with bentoml_store(env):
        model = import_model(
            root,
            source,
            model_path=model_path,
            settings=settings,
            scikit_learn=service_file is None,
        )
    name = bento_name(source.artifact)
    tag = f"{name}:{source.label}"
    kind = _build_bento(root, tag, model, service_file, lock, base_image, env)
    with bentoml_store(env):
        check_models(tag, model.tag)
    return BuildResult(tag, model, source, kind)


def _build_bento(
    root: Path,
    tag: str,
    model: ImportedModel,
    service_file: str | None,
    lock: bool,
    base_image: str | None,
    env: Mapping[str, str] | None,
) -> str:
    """Write the bentofile and build the Bento ``tag``; return the service's kind."""
    bentofile_path = root / BUILD_DIR / f"{tag.replace(':', '-')}.bentofile.yaml"
    bentofile_path.parent.mkdir(parents=True, exist_ok=True)
    # the default service's context is a temporary folder, not .gitml/ (hidden: see
    # place_template); a user's folder gets the template for the build only
    with tempfile.TemporaryDirectory(prefix="gitml-bento-") as scratch:
        service = _service(root, model, tag.partition(":")[0], service_file, Path(scratch))
        template = place_template(service.context, model.tag)
        own_requirements = service.kind != "default" and (
            (service.context / "requirements.txt").is_file()
        )
        spec = bentofile(
            service.entry, service.include, model, pinned(), lock, base_image,
            TEMPLATE_NAME if template else None,
            "./requirements.txt" if own_requirements else None,
        )  # fmt: skip
        bentofile_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        with bentoml_store(env):
            delete_bento(tag)  # rebuilding a version replaces its Bento
        try:
            _bentoml_build(service.context, bentofile_path, tag, model.tag, env)
        finally:
            if template is not None:
                template.unlink(missing_ok=True)
    return service.kind


@dataclass(frozen=True)
class _Service:
    """The service a Bento is built from."""

    #: the build context: the folder ``bentoml build`` reads
    context: Path
    #: ``module:Class`` (or the module) as the bentofile names it
    entry: str
    include: list[str]
    #: "default" or the user's file, as ``BuildResult.service`` reports it
    kind: str


def _service(
    root: Path, model: ImportedModel, name: str, service_file: str | None, scratch: Path
) -> _Service:
    """gitml's default service in a fresh build context in ``scratch``, or the user's
    ``path.py[:Class]``."""
    if service_file is None:
        context = default_context(scratch, model, name)
        include = [*SERVICE_FILES, "gitml_service.json"]
        return _Service(context, "service:GitmlClassifier", include, "default")
    path_text, _, class_name = service_file.partition(":")
    path = (root / path_text).resolve()
    if not path.is_file() or path.suffix != ".py":
        raise UsageError(f"service file {path_text} not found; pass --service path/to/file.py")
    return _Service(
        path.parent,
        f"{path.stem}:{class_name}" if class_name else path.stem,
        ["*.py", "*.json", "*.yaml", "*.txt"],
        str(path.relative_to(root)) if path.is_relative_to(root) else str(path),
    )


def _bentoml_build(
    context: Path,
    bentofile_path: Path,
    tag: str,
    model_tag: str,
    base_env: Mapping[str, str] | None = None,
) -> None:
    """``bentoml build`` in a child process (see the module docstring), with ``base_env``
    (default: this process's environment)."""
    name, _, label = tag.partition(":")
    env = {
        **(os.environ if base_env is None else base_env),
        MODEL_TAG_ENV: model_tag,
        "BENTOML_DO_NOT_TRACK": "True",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bentoml",
            "build",
            str(context),
            "--bentofile",
            str(bentofile_path),
            "--name",
            name,
            "--version",
            label,
            "--output",
            "tag",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=context,  # BentoML reads a Dockerfile template only below its working directory
        check=False,
    )
    if result.returncode != 0:
        detail = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise GitmlError(f"bentoml build failed: {detail[-1] if detail else 'no output'}")


def check_models(bento_tag: str, model_tag: str) -> None:
    """A service that does not declare the model on its class ships without it: refuse that."""
    import bentoml

    bento = bentoml.get(bento_tag)
    shipped = {str(m.tag) for m in bento.info.all_models}
    if model_tag not in shipped:
        raise GitmlError(
            f"the Bento {bento_tag} does not ship the model {model_tag} (it ships: "
            f"{', '.join(sorted(shipped)) or 'none'}); declare it on the service class: "
            f'model = bentoml.models.BentoModel(os.environ["{MODEL_TAG_ENV}"])'
        )
