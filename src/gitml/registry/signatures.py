"""Where a version's model signature lives: an annotated git tag beside its registration tag.

``gitml promote`` signs the model file and tags the version's commit
``gitml-signatures/<artifact>/<version>``, the tag's message holding the Sigstore bundle
(``model_signing``'s signature file, JSON). It is pushed with ``git push --atomic`` together
with the version tag, so a version is never registered without its signature (or the signature
published without its version). Every clone that fetches tags has it, as ``actions/checkout``
with ``fetch-depth: 0`` does: ``gitml build`` on a fresh runner reads it with no other
credential than the checkout's. GTO ignores the tag (no ``@`` or ``#`` in its name).

The message is data, never trusted as such: it is parsed strictly and only a bundle that
verifies against the configured identity or key counts (:mod:`gitml.registry.signing`).
"""

from __future__ import annotations

import json
from pathlib import Path

from gitml.core.git import run_git
from gitml.errors import DataError
from gitml.registry.git import tag_exists

PREFIX = "gitml-signatures"
#: The Sigstore bundle's media types start with this (v0.1 to v0.3 and later).
BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle"
#: A bundle is a few kilobytes; anything much larger in a signature tag is not one.
MAX_BUNDLE_BYTES = 256 * 1024


def signature_tag(artifact: str, version: str) -> str:
    """``gitml-signatures/<artifact>/<version>``: GTO's ``path:name`` artifacts as ``path=name``,
    as GTO writes them into its own tags."""
    return f"{PREFIX}/{artifact.replace(':', '=')}/{version}"


def create_signature_tag(
    root: Path | str, artifact: str, version: str, commit: str, bundle: bytes, method: str
) -> str:
    """Tag ``commit`` with the signature ``bundle`` of ``artifact`` ``version``; returns the tag."""
    tag = signature_tag(artifact, version)
    message = (
        f"Model signature of {artifact} {version} (gitml promote, {method})\n\n"
        f"{bundle.decode('utf-8').strip()}\n"
    )
    run_git(root, "tag", "-a", "--cleanup=verbatim", "-m", message, tag, commit)
    return tag


def has_signature(root: Path | str, artifact: str, version: str) -> bool:
    return tag_exists(root, signature_tag(artifact, version))


def read_signature(root: Path | str, artifact: str, version: str, commit: str) -> bytes | None:
    """The signature bundle of ``artifact`` ``version`` from its tag; None when there is none.

    A tag that points at another commit than the version's, or whose message holds no bundle,
    is a ``DataError``: a signature that cannot be the version's must stop the caller, not be
    taken for a missing one.
    """
    tag = signature_tag(artifact, version)
    if not tag_exists(root, tag):
        return None
    shown = run_git(
        root,
        "for-each-ref",
        "--format=%(objecttype) %(*objectname)%0a%(contents)",
        f"refs/tags/{tag}",
    ).stdout
    header, _, message = shown.partition("\n")
    if header.strip() != f"tag {commit}":
        raise DataError(
            f"the signature tag {tag} does not tag {commit[:12]}, the commit of {artifact} "
            f"{version}; delete it (`git push origin :refs/tags/{tag}`) and register again"
        )
    return parse_bundle(tag, message)


def parse_bundle(tag: str, message: str) -> bytes:
    """The JSON bundle after the message's first blank line, checked for its shape."""
    _, _, body = message.partition("\n\n")
    text = body.strip()
    problem = None
    if len(text.encode("utf-8")) > MAX_BUNDLE_BYTES:
        problem = f"over {MAX_BUNDLE_BYTES} bytes"
    else:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not str(data.get("mediaType", "")).startswith(
            BUNDLE_MEDIA_TYPE
        ):
            problem = "not a Sigstore bundle"
    if problem:
        raise DataError(
            f"the signature tag {tag} holds no valid signature ({problem}); delete it and "
            "register the version again"
        )
    return text.encode("utf-8")
