"""Sign a version's model at registration, and read that signature back to verify a model file.

``gitml promote`` signs the model file of the commit it registers (read through DVC, as
``gitml build`` reads it: the same bytes) before any tag is made, so a signing failure leaves the
registry untouched; the signature tag is then made and pushed with the version tag
(:mod:`gitml.registry.signatures`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from gitml import dvc_adapter
from gitml.config import Settings
from gitml.registry.signatures import create_signature_tag, has_signature, read_signature
from gitml.registry.signing import SignatureRefused, sign_model, verify_model

#: Given the version number, tag its signature; returns the tags it made (none when there).
SignVersion = Callable[[str], list[str]]
MODEL_FILE = "model.joblib"


def sign_version(
    root: Path | str, settings: Settings, artifact: str, commit: str
) -> SignVersion | None:
    """Sign the model of ``artifact`` at ``commit`` now; None when signing is not set up."""
    signing = settings.signing
    if not signing.enabled:
        return None
    with tempfile.TemporaryDirectory(prefix="gitml-model-") as scratch:
        path = dvc_adapter.artifact_path(root, artifact)
        model = dvc_adapter.read_output(root, path, commit, Path(scratch) / MODEL_FILE)
        bundle = sign_model(model, signing, root, os.environ)

    def tag(version: str) -> list[str]:
        if has_signature(root, artifact, version):
            return []
        method = str(signing.method)
        return [create_signature_tag(root, artifact, version, commit, bundle, method)]

    return tag


def verify_version_model(
    root: Path | str, settings: Settings, artifact: str, version: str | None, commit: str,
    model_file: Path,
) -> str | None:  # fmt: skip
    """Verify ``model_file`` against the signature of ``artifact`` ``version``.

    Returns who signed it, or None when signing is not set up (or not required and the version
    has no signature). A version without a signature when one is required, or whose file does
    not match its signature, is a ``SignatureRefused``.
    """
    signing = settings.signing
    if not signing.enabled:
        return None
    what = f"{artifact} {version}" if version else f"{artifact} at {commit[:12]}"
    bundle = read_signature(root, artifact, version, commit) if version else None
    if bundle is None:
        if not signing.required:
            return None
        raise SignatureRefused(
            f"refusing the model of {what}: it has no signature and [tool.gitml.signing] "
            "requires one; register it with `gitml promote` (which signs), fetch its "
            "signature tag (`git fetch --tags`), or set required = false for older versions"
        )
    return verify_model(model_file, bundle, signing, root, what)
