"""Verify a model's signature before gitml loads, imports or serves it.

With ``[tool.gitml.signing]`` set, ``gitml build`` verifies the model file it read from DVC
before unpickling it or importing it into BentoML (and the copy already in BentoML's store when
it reuses one); ``gitml serve`` and ``gitml smoke-test`` verify the model the Bento ships, in
BentoML's store, before starting the server. A model whose bytes changed since it was signed,
or a version without a signature when one is required, stops the command with one line (exit 1).
"""

from __future__ import annotations

import logging
from pathlib import Path

from gitml.config import Settings
from gitml.errors import GitmlError
from gitml.registry.model_signature import verify_version_model

log = logging.getLogger(__name__)
MODEL_FILE = "model.joblib"


def verify_model_file(
    root: Path | str,
    settings: Settings,
    artifact: str,
    version: str | None,
    commit: str,
    model_file: Path,
) -> None:
    """Verify ``model_file`` as ``artifact`` ``version``'s model (a no-op without signing)."""
    signer = verify_version_model(root, settings, artifact, version, commit, model_file)
    if signer is not None:
        log.info("%s %s: signature verified (signed by %s)", artifact, version, signer)


def verify_bento_model(root: Path | str, settings: Settings, bento_tag: str) -> None:
    """Verify the gitml model the Bento ``bento_tag`` ships, as it is in BentoML's store."""
    if not settings.signing.enabled:
        return
    import bentoml
    from bentoml.exceptions import NotFound

    try:
        shipped = [str(m.tag) for m in bentoml.get(bento_tag).info.all_models]
    except NotFound:
        return  # `bentoml serve` says the Bento is missing itself
    for tag in shipped:
        model = bentoml.models.get(tag)
        labels = model.info.labels
        if labels.get("source") != "gitml":
            continue
        version = labels.get("version")
        verify_model_file(
            root,
            settings,
            labels.get("artifact", tag.partition(":")[0]),
            None if version in (None, "unregistered") else version,
            labels.get("commit", ""),
            Path(model.path_of(MODEL_FILE)),
        )
        return
    raise GitmlError(
        f"the Bento {bento_tag} ships no model gitml imported, so its signature cannot be "
        "checked; build it with `gitml build`"
    )
